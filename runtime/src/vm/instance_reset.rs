//! Putting a used WASM instance back into the state of a fresh one, so a
//! worker can run the next invocation of the same program on it instead of
//! paying for a new store, an instantiation and wasmtime's tear-down.
//!
//! A fresh instance of a module starts with: linear memory of the module's
//! initial size holding its data segments over zeros, every global at its
//! initial value, and tables as the element segments filled them. The reset
//! restores exactly that, for the modules where it can be done completely
//! ([`ResetPlan::for_module`] decides at deploy):
//!
//! - **memory**: the pages written since the last reset are found with
//!   Linux's `PAGEMAP_SCAN` (every page that is neither the shared zero page
//!   nor still the unmodified image mapping), and each is rewritten from the
//!   module's initial image. A memory that grew cannot shrink back: that
//!   instance is dropped.
//! - **globals**: the module is rewritten at deploy to export every mutable
//!   global (as `__lanes_reset_global_<index>`), so the host can read their
//!   values after instantiation and write them back after each call.
//! - **tables and segments**: modules whose code could change them after
//!   instantiation (`table.set/grow/fill/copy/init`, `elem.drop`,
//!   `data.drop`, `memory.init`), that have a start function, passive data,
//!   or import memories, tables or globals, get no plan: every invocation of
//!   those gets a fresh instance, as before.
//!
//! Owns: the reusability decision, the export rewrite, the dirty-page scan
//! and the restore. Must never: return an instance to use whose reset was
//! incomplete — any doubt (memory grew, a trap, a scan that did not cover the
//! whole memory) means the caller drops it. What a program can observe must
//! not depend on whether its instance was fresh or reused.

use super::sys::{available, for_each_written_region};
use std::ops::Range;
use wasmparser::{DataKind, Operator, Parser, Payload, TypeRef};

/// Size of a WASM page.
const WASM_PAGE: usize = 64 * 1024;
/// Prefix of the exports added for mutable globals.
const GLOBAL_EXPORT_PREFIX: &str = "__lanes_reset_global_";

/// How to reset instances of one module, found at deploy.
#[derive(Debug)]
pub(crate) struct ResetPlan {
    /// Linear memory size of a fresh instance.
    pub initial_memory_bytes: usize,
    /// Offset in linear memory where `image` starts.
    image_start: usize,
    /// The fresh memory's bytes from `image_start` to the end of the last
    /// data segment (everything outside is zero).
    image: Vec<u8>,
    /// Export names of the module's mutable globals (added by [`ResetPlan::for_module`]).
    pub global_exports: Vec<String>,
}

impl ResetPlan {
    /// The plan for `code` and the module to compile in its place (`code`
    /// with its mutable globals exported), or `None` if instances of this
    /// module cannot be reset completely (or `code` does not parse: the
    /// compiler reports that).
    pub fn for_module(code: &[u8]) -> Option<(Vec<u8>, ResetPlan)> {
        let mut initial_memory_bytes = None;
        let mut mutable_globals = Vec::new();
        let mut segments: Vec<(usize, &[u8])> = Vec::new();
        let mut export_names = Vec::new();
        for payload in Parser::new(0).parse_all(code) {
            match payload.ok()? {
                Payload::ImportSection(imports) => {
                    for import in imports.into_imports() {
                        if !matches!(import.ok()?.ty, TypeRef::Func(_) | TypeRef::FuncExact(_)) {
                            return None;
                        }
                    }
                }
                Payload::MemorySection(memories) => {
                    let mut memories = memories.into_iter();
                    let memory = memories.next()?.ok()?;
                    if memories.next().is_some() || memory.memory64 || memory.shared {
                        return None;
                    }
                    initial_memory_bytes = Some(usize::try_from(memory.initial).ok()?.checked_mul(WASM_PAGE)?);
                }
                Payload::GlobalSection(globals) => {
                    for (index, global) in globals.into_iter().enumerate() {
                        if global.ok()?.ty.mutable {
                            mutable_globals.push(index as u32);
                        }
                    }
                }
                Payload::ExportSection(exports) => {
                    for export in exports {
                        export_names.push(export.ok()?.name.to_owned());
                    }
                }
                Payload::StartSection { .. } => return None,
                Payload::DataSection(data) => {
                    for segment in data {
                        let segment = segment.ok()?;
                        let DataKind::Active { memory_index: 0, offset_expr } = segment.kind else {
                            return None;
                        };
                        let mut ops = offset_expr.get_operators_reader();
                        let (Ok(Operator::I32Const { value }), Ok(Operator::End)) = (ops.read(), ops.read()) else {
                            return None;
                        };
                        segments.push((value as u32 as usize, segment.data));
                    }
                }
                Payload::CodeSectionEntry(body) => {
                    let mut ops = body.get_operators_reader().ok()?;
                    while !ops.eof() {
                        if changes_instance_state_beyond_reset(&ops.read().ok()?) {
                            return None;
                        }
                    }
                }
                _ => {}
            }
        }
        let initial_memory_bytes = initial_memory_bytes?;
        let image_start = segments.iter().map(|(at, _)| *at).min().unwrap_or(0);
        let image_end = segments.iter().map(|(at, data)| at + data.len()).max().unwrap_or(0);
        if image_end > initial_memory_bytes {
            return None; // instantiation fails anyway
        }
        let mut image = vec![0; image_end.saturating_sub(image_start)];
        for (at, data) in &segments {
            image[at - image_start..][..data.len()].copy_from_slice(data);
        }
        let global_exports: Vec<String> =
            mutable_globals.iter().map(|index| format!("{GLOBAL_EXPORT_PREFIX}{index}")).collect();
        if global_exports.iter().any(|name| export_names.contains(name)) {
            return None;
        }
        let rewritten = with_exported_globals(code, &mutable_globals)?;
        Some((rewritten, ResetPlan { initial_memory_bytes, image_start, image, global_exports }))
    }

    /// Rewrite `memory[range]` as a fresh instance has it.
    fn restore(&self, memory: &mut [u8], range: Range<usize>) {
        let range = range.start.min(memory.len())..range.end.min(memory.len());
        let image_range = self.image_start..self.image_start + self.image.len();
        let overlap = range.start.max(image_range.start)..range.end.min(image_range.end);
        if overlap.is_empty() {
            memory[range].fill(0);
            return;
        }
        memory[range.start..overlap.start].fill(0);
        memory[overlap.clone()]
            .copy_from_slice(&self.image[overlap.start - self.image_start..overlap.end - self.image_start]);
        memory[overlap.end..range.end].fill(0);
    }

    /// Put `memory` (a fresh instance's memory, then used) back as it was
    /// fresh. `false` if that could not be done completely: the instance must
    /// then be dropped.
    pub fn reset_memory(&self, memory: &mut [u8]) -> bool {
        if memory.len() != self.initial_memory_bytes || !available() {
            return false;
        }
        let base = memory.as_ptr() as usize;
        let mut written = Vec::new();
        if !for_each_written_region(base..base + memory.len(), |region| written.push(region)) {
            return false;
        }
        self.restore_regions(memory, &written);
        true
    }

    /// Rewrite the parts of `memory` (a fresh instance's memory, then used)
    /// that `written` (address ranges, as [`super::sys::for_each_written_region`]
    /// reports them, in address order) covers, as a fresh instance has them.
    /// Ranges outside `memory` are ignored.
    pub fn restore_regions(&self, memory: &mut [u8], written: &[Range<usize>]) {
        let base = memory.as_ptr() as usize;
        let end = base + memory.len();
        let first = written.partition_point(|region| region.end <= base);
        for region in written[first..].iter().take_while(|region| region.start < end) {
            self.restore(memory, region.start.max(base) - base..region.end.min(end) - base);
        }
    }
}

/// Operators after which an instance's tables or segments differ from a
/// fresh instance's (the reset restores memory and globals only).
fn changes_instance_state_beyond_reset(op: &Operator<'_>) -> bool {
    matches!(
        op,
        Operator::TableSet { .. }
            | Operator::TableGrow { .. }
            | Operator::TableFill { .. }
            | Operator::TableCopy { .. }
            | Operator::TableInit { .. }
            | Operator::ElemDrop { .. }
            | Operator::DataDrop { .. }
            | Operator::MemoryInit { .. }
    )
}

/// `code` with an export added for each global in `globals`: every section
/// is copied as is, except the export section, which gets the new entries
/// appended. `None` if the module has no export section (it could not be a
/// program: programs export their entry and memory).
fn with_exported_globals(code: &[u8], globals: &[u32]) -> Option<Vec<u8>> {
    const EXPORT_SECTION: u8 = 7;
    let mut out = Vec::with_capacity(code.len() + globals.len() * 32);
    out.extend_from_slice(code.get(..8)?);
    let mut at = 8;
    let mut rewrote = false;
    while at < code.len() {
        let id = code[at];
        let (size, size_len) = read_leb_u32(&code[at + 1..])?;
        let content_start = at + 1 + size_len;
        let content = code.get(content_start..content_start.checked_add(size as usize)?)?;
        if id == EXPORT_SECTION {
            let (count, count_len) = read_leb_u32(content)?;
            let mut section = Vec::with_capacity(content.len() + globals.len() * 32);
            write_leb_u32(&mut section, count.checked_add(globals.len() as u32)?);
            section.extend_from_slice(&content[count_len..]);
            for index in globals {
                let name = format!("{GLOBAL_EXPORT_PREFIX}{index}");
                write_leb_u32(&mut section, name.len() as u32);
                section.extend_from_slice(name.as_bytes());
                section.push(0x03); // export kind: global
                write_leb_u32(&mut section, *index);
            }
            out.push(id);
            write_leb_u32(&mut out, u32::try_from(section.len()).ok()?);
            out.extend_from_slice(&section);
            rewrote = true;
        } else {
            out.extend_from_slice(&code[at..content_start + content.len()]);
        }
        at = content_start + content.len();
    }
    rewrote.then_some(out)
}

fn read_leb_u32(bytes: &[u8]) -> Option<(u32, usize)> {
    let mut value: u64 = 0;
    for (i, byte) in bytes.iter().take(5).enumerate() {
        value |= u64::from(byte & 0x7f) << (7 * i);
        if byte & 0x80 == 0 {
            return Some((u32::try_from(value).ok()?, i + 1));
        }
    }
    None
}

fn write_leb_u32(out: &mut Vec<u8>, mut value: u32) {
    loop {
        let byte = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(wat: &str) -> Option<(Vec<u8>, ResetPlan)> {
        ResetPlan::for_module(&wat::parse_str(wat).unwrap())
    }

    #[test]
    fn mutable_globals_are_exported_and_the_module_stays_valid() {
        let (code, plan) = plan(
            r#"(module (memory (export "memory") 1)
                (global $sp (mut i32) (i32.const 1024)) (global i32 (i32.const 7)) (global (mut i64) (i64.const 3))
                (data (i32.const 16) "abc") (data (i32.const 100) "z")
                (func (export "entrypoint") (result i64) i64.const 0))"#,
        )
        .unwrap();
        assert_eq!(plan.global_exports, ["__lanes_reset_global_0", "__lanes_reset_global_2"]);
        assert_eq!(plan.initial_memory_bytes, WASM_PAGE);
        assert_eq!(plan.image_start, 16);
        assert_eq!(&plan.image[..3], b"abc");
        assert_eq!(plan.image.len(), 85);
        let engine = wasmtime::Engine::default();
        let module = wasmtime::Module::new(&engine, &code).unwrap();
        let exports: Vec<_> = module.exports().map(|e| e.name().to_owned()).collect();
        assert_eq!(exports, ["memory", "entrypoint", "__lanes_reset_global_0", "__lanes_reset_global_2"]);
    }

    #[test]
    fn modules_that_could_change_more_than_memory_and_globals_get_no_plan() {
        let body = |ops: &str| {
            format!(
                r#"(module (memory (export "memory") 1) (table 2 funcref) (elem declare func $f)
                    (data $d "x") (func $f)
                    (func (export "entrypoint") (result i64) {ops} i64.const 0))"#
            )
        };
        // Passive data alone already disqualifies; the operators do on their own too.
        assert!(plan(&body("")).is_none());
        for ops in ["i32.const 0 ref.func $f table.set 0", "ref.null func i32.const 1 table.grow 0 drop", "elem.drop 0"]
        {
            let wat = format!(
                r#"(module (memory (export "memory") 1) (table 2 funcref) (elem declare func $f) (func $f)
                    (func (export "entrypoint") (result i64) {ops} i64.const 0))"#
            );
            assert!(plan(&wat).is_none(), "{ops}");
        }
        assert!(plan(r#"(module (memory (export "memory") 1) (func $s) (start $s))"#).is_none());
        assert!(plan(r#"(module (import "env" "m" (memory 1)) (export "memory" (memory 0)))"#).is_none());
        assert!(plan(r#"(module (memory (export "memory") 1) (global (export "__lanes_reset_global_0") (mut i32) (i32.const 0)))"#).is_none());
        assert!(ResetPlan::for_module(b"\0asm\x01\0\0\0\x07\xff").is_none());
    }

    #[test]
    fn restore_rewrites_the_image_and_zeroes_the_rest() {
        let (_, plan) = plan(
            r#"(module (memory (export "memory") 1) (data (i32.const 8) "hello")
                (func (export "entrypoint") (result i64) i64.const 0))"#,
        )
        .unwrap();
        let mut memory = vec![0xAA; WASM_PAGE];
        plan.restore(&mut memory, 0..4096);
        assert_eq!(&memory[..8], &[0; 8]);
        assert_eq!(&memory[8..13], b"hello");
        assert!(memory[13..4096].iter().all(|b| *b == 0));
        assert!(memory[4096..].iter().all(|b| *b == 0xAA));
        let mut memory = vec![0xAA; WASM_PAGE];
        plan.restore(&mut memory, 10..20);
        assert_eq!(&memory[8..13], &[0xAA, 0xAA, b'l', b'l', b'o']);
        assert!(memory[13..20].iter().all(|b| *b == 0));
    }

    /// A private anonymous mapping of `pages` pages for the scan tests.
    fn test_mapping(pages: usize) -> crate::vm::sys::Mapping {
        crate::vm::sys::Mapping::new(pages * 4096).unwrap()
    }

    #[test]
    fn the_scan_finds_written_pages_and_not_untouched_or_read_ones() {
        let mut mapping = test_mapping(16);
        let memory = mapping.bytes();
        assert!(std::hint::black_box(memory[5 * 4096]) == 0); // read only: the zero page
        memory[2 * 4096 + 7] = 1;
        memory[3 * 4096] = 1;
        memory[9 * 4096 + 4095] = 1;
        if !available() {
            eprintln!("this kernel has no PAGEMAP_SCAN (Linux 6.7+): instances are never reused here");
            return;
        }
        let base = mapping.span().start;
        let mut regions = Vec::new();
        assert!(
            for_each_written_region(mapping.span(), |r| regions.push((r.start - base) / 4096..(r.end - base) / 4096))
        );
        assert_eq!(regions, [2..4, 9..10]);
    }

    #[test]
    fn a_scan_with_more_regions_than_one_call_returns_goes_on_where_it_stopped() {
        if !available() {
            return;
        }
        let pages = 3 * super::super::sys::MAX_REGIONS;
        let mut mapping = test_mapping(pages);
        for page in (0..pages).step_by(2) {
            mapping.bytes()[page * 4096] = 1;
        }
        let base = mapping.span().start;
        let mut regions = Vec::new();
        assert!(for_each_written_region(mapping.span(), |r| regions.push(r)));
        let expected: Vec<_> = (0..pages).step_by(2).map(|p| base + p * 4096..base + (p + 1) * 4096).collect();
        assert_eq!(regions, expected);
    }
}
