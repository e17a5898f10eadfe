//! Compiled programs kept outside the engine: committed ones on disk (with
//! [`super::ExecutorConfig::artifact_dir`], keyed by code hash and the
//! engine's compatibility hash, each with a SHA-256 beside it so that
//! wasmtime never deserializes bytes we did not write), and in serialized
//! form for worker engines to load.

use super::deploy::{CompiledProgram, ProgramLoadError};
use super::engine::Executor;
use lanes_sdk::hash::{hashv, Hash};
use std::path::PathBuf;
use std::sync::Arc;
use wasmtime::Module;

/// Part of the on-disk artifact name: bump when what is compiled from a
/// program's code changes (the reset plan's export rewrite).
const ARTIFACT_FORMAT: &str = "r1";

impl Executor {
    /// `program` serialized, for worker engines to load: made on the first
    /// request (executors without workers never pay for it), then kept.
    pub(super) fn serialized_artifact(&self, program: &CompiledProgram) -> Result<Arc<Vec<u8>>, ProgramLoadError> {
        if let Some(bytes) = self.programs.read().serialized(&program.code_hash) {
            return Ok(bytes);
        }
        let bytes = program
            .pre
            .module()
            .serialize()
            .map_err(|e| ProgramLoadError::Setup(format!("serializing a compiled program: {e:#}")))?;
        let bytes = Arc::new(bytes);
        self.programs.write().set_serialized(&program.code_hash, bytes.clone());
        Ok(bytes)
    }

    fn artifact_path(&self, code_hash: &Hash) -> Option<PathBuf> {
        let dir = self.artifact_dir.as_ref()?;
        let mut engine_hash = std::collections::hash_map::DefaultHasher::new();
        std::hash::Hash::hash(&self.engine.precompile_compatibility_hash(), &mut engine_hash);
        let engine_hash = std::hash::Hasher::finish(&engine_hash);
        Some(dir.join(format!("{code_hash}-{engine_hash:016x}-{ARTIFACT_FORMAT}.cwasm")))
    }

    /// A cached artifact is used only if its checksum (written beside it by
    /// us) matches: wasmtime must never deserialize bytes we did not write.
    pub(super) fn load_artifact(&self, code_hash: &Hash) -> Option<Module> {
        let path = self.artifact_path(code_hash)?;
        let bytes = std::fs::read(&path).ok()?;
        let expected = std::fs::read(path.with_extension("sha256")).ok()?;
        if hashv(&[&bytes]).0.as_slice() != expected.as_slice() {
            return None;
        }
        // SAFETY: the artifact was produced by `Module::serialize` of this
        // engine configuration (the file name carries the engine's
        // compatibility hash) and its checksum matches what we wrote.
        unsafe { Module::deserialize(&self.engine, &bytes).ok() }
    }

    pub(super) fn store_artifact(&self, code_hash: &Hash, module: &Module) {
        let Some(path) = self.artifact_path(code_hash) else { return };
        if path.exists() {
            return;
        }
        let Ok(bytes) = module.serialize() else { return };
        let tmp = path.with_extension("tmp");
        // Best effort: a failed cache write only costs a recompile later.
        if std::fs::write(&tmp, &bytes).is_ok()
            && std::fs::write(path.with_extension("sha256"), hashv(&[&bytes]).0).is_ok()
        {
            let _ = std::fs::rename(&tmp, &path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Executor, ExecutorConfig};
    use std::sync::atomic::Ordering::Relaxed;

    const PROGRAM: &str =
        r#"(module (memory (export "memory") 1) (func (export "entrypoint") (result i64) i64.const 0))"#;

    #[test]
    fn artifacts_are_reused_from_disk_and_tampering_is_detected() {
        let dir = std::env::temp_dir().join(format!("lanes-artifacts-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let code = wat::parse_str(PROGRAM).unwrap();
        let config = ExecutorConfig { artifact_dir: Some(dir.clone()), ..ExecutorConfig::default() };

        let first = Executor::new(config.clone()).unwrap();
        first.compile(&code).unwrap();
        first.compile(&code).unwrap();
        assert_eq!((first.stats().compiled.load(Relaxed), first.stats().loaded_from_disk.load(Relaxed)), (1, 0));

        let second = Executor::new(config.clone()).unwrap();
        second.compile(&code).unwrap();
        assert_eq!((second.stats().compiled.load(Relaxed), second.stats().loaded_from_disk.load(Relaxed)), (0, 1));

        // A flipped byte in the artifact: not deserialized, compiled afresh.
        let artifact = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.extension().is_some_and(|e| e == "cwasm"))
            .unwrap();
        let mut bytes = std::fs::read(&artifact).unwrap();
        let middle = bytes.len() / 2;
        bytes[middle] ^= 0xff;
        std::fs::write(&artifact, bytes).unwrap();
        let third = Executor::new(config).unwrap();
        third.compile(&code).unwrap();
        assert_eq!((third.stats().compiled.load(Relaxed), third.stats().loaded_from_disk.load(Relaxed)), (1, 0));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
