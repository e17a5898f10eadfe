//! Deploy checks: what a module must export and may ask for before it
//! becomes a program ([`ProgramLoadError`] otherwise), and the compiled
//! form it is kept in ([`CompiledProgram`]).

use super::costs::instance_start_cost;
use super::engine::Executor;
use super::instance_reset::ResetPlan;
use super::invoke::HostState;
use super::{MAX_INSTANCE_MEMORY, MAX_TABLE_ELEMENTS};
use lanes_sdk::abi;
use lanes_sdk::hash::Hash;
use lanes_sdk::loader::MAX_PROGRAM_LEN;
use std::sync::Arc;
use wasmtime::{InstancePre, Module, ModuleExport};

/// Why a program could not be deployed or loaded.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ProgramLoadError {
    #[error(
        "program is {len} bytes; the limit is {MAX_PROGRAM_LEN}: build it with the contract profile \
         (opt-level 3 or \"z\", lto, codegen-units = 1, panic = \"abort\", strip; docs/contract-guide.md)"
    )]
    TooLarge { len: usize },
    #[error("invalid WASM: {0}")]
    Invalid(String),
    #[error("program exceeds a deploy limit: {0}")]
    Limit(String),
    #[error("program must export `{0}`")]
    MissingExport(&'static str),
    #[error("program imports something Lanes does not provide: {0}")]
    BadImport(String),
    #[error("executor setup failed: {0}")]
    Setup(String),
}

/// A program ready to instantiate.
pub struct CompiledProgram {
    pub(super) pre: InstancePre<HostState>,
    /// The entry function and memory, found once at deploy rather than by
    /// name at every instantiation.
    pub(super) entry_export: ModuleExport,
    pub(super) memory_export: ModuleExport,
    pub code_hash: Hash,
    /// How to reset a used instance, with the exports of the mutable
    /// globals; `None`: every invocation gets a fresh instance.
    pub(super) reset: Option<(Arc<ResetPlan>, Vec<ModuleExport>)>,
    /// Instantiation runs the module's start function: program work, whose
    /// fuel is charged (see [`run_instance`]).
    pub(super) runs_start_function: bool,
    /// Charged every time an instance of it starts, fresh or reused
    /// ([`super::costs::instance_start_cost`]).
    pub(super) start_cost: u64,
}

impl CompiledProgram {
    /// Bytes of machine code and data its compiled module occupies.
    pub(super) fn compiled_len(&self) -> usize {
        let image = self.pre.module().image_range();
        (image.end as usize).saturating_sub(image.start as usize)
    }
}

/// What a module asks of every instance, read once at deploy.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct ModuleShape {
    /// A start section: instantiation runs program code.
    pub runs_start_function: bool,
    /// Bytes of its active data segments (copied into every fresh instance).
    pub data_segment_bytes: u64,
}

impl ModuleShape {
    /// The shape of `code` (already validated by compiling it).
    pub fn of(code: &[u8]) -> ModuleShape {
        let mut shape = ModuleShape::default();
        for payload in wasmparser::Parser::new(0).parse_all(code) {
            match payload {
                Ok(wasmparser::Payload::StartSection { .. }) => shape.runs_start_function = true,
                Ok(wasmparser::Payload::DataSection(reader)) => {
                    for data in reader.into_iter().flatten() {
                        shape.data_segment_bytes += data.data.len() as u64;
                    }
                }
                Err(_) => break,
                Ok(_) => {}
            }
        }
        shape
    }
}

impl Executor {
    pub(super) fn prepare(
        &self,
        module: Module,
        code: &[u8],
        code_hash: Hash,
        plan: Option<Arc<ResetPlan>>,
    ) -> Result<CompiledProgram, ProgramLoadError> {
        match module.get_export(abi::ENTRYPOINT_EXPORT) {
            Some(wasmtime::ExternType::Func(f))
                if f.params().len() == 0
                    && f.results().len() == 1
                    && matches!(f.results().next(), Some(wasmtime::ValType::I64)) => {}
            _ => return Err(ProgramLoadError::MissingExport("entrypoint: func() -> i64")),
        }
        if !matches!(module.get_export(abi::MEMORY_EXPORT), Some(wasmtime::ExternType::Memory(_))) {
            return Err(ProgramLoadError::MissingExport("memory"));
        }
        // What an instance could never get (the store's limits) is refused
        // here rather than at every invocation.
        let needs = module.resources_required();
        let initial_memory = needs.max_initial_memory_size.unwrap_or(0).saturating_mul(64 * 1024);
        if initial_memory > MAX_INSTANCE_MEMORY as u64 {
            return Err(ProgramLoadError::Invalid(format!(
                "an initial memory of {initial_memory} bytes is more than an instance may use ({MAX_INSTANCE_MEMORY})"
            )));
        }
        if needs.num_tables > 1 || needs.max_initial_table_size.unwrap_or(0) > MAX_TABLE_ELEMENTS as u64 {
            return Err(ProgramLoadError::Invalid(format!(
                "at most one table of at most {MAX_TABLE_ELEMENTS} elements (this module: {} tables, largest {})",
                needs.num_tables,
                needs.max_initial_table_size.unwrap_or(0)
            )));
        }
        let (Some(entry_export), Some(memory_export)) =
            (module.get_export_index(abi::ENTRYPOINT_EXPORT), module.get_export_index(abi::MEMORY_EXPORT))
        else {
            return Err(ProgramLoadError::MissingExport("entrypoint and memory"));
        };
        // Every global the plan names must be exported by the compiled module
        // (it is, unless an artifact predates the rewrite): else no reuse.
        let reset = plan.and_then(|plan| {
            let globals: Option<Vec<ModuleExport>> =
                plan.global_exports.iter().map(|name| module.get_export_index(name)).collect();
            globals.map(|globals| (plan, globals))
        });
        let pre = self.linker.instantiate_pre(&module).map_err(|e| ProgramLoadError::BadImport(format!("{e:#}")))?;
        let shape = ModuleShape::of(code);
        let start_cost =
            instance_start_cost(shape.data_segment_bytes, initial_memory, needs.max_initial_table_size.unwrap_or(0));
        Ok(CompiledProgram {
            pre,
            entry_export,
            memory_export,
            code_hash,
            reset,
            runs_start_function: shape.runs_start_function,
            start_cost,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Executor, ExecutorConfig};
    use super::*;

    #[test]
    fn oversized_programs_are_refused_before_compiling() {
        let executor = Executor::new(ExecutorConfig::default()).unwrap();
        let huge = vec![0u8; MAX_PROGRAM_LEN + 1];
        assert!(matches!(executor.compile(&huge), Err(ProgramLoadError::TooLarge { .. })));
    }
}
