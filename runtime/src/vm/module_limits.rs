//! What deploy accepts before anything is compiled, and what compiling it
//! costs ([`check_and_price`]): one linear pass over the module with
//! `wasmparser`, so that no module makes Cranelift work longer than its
//! price pays for.
//!
//! Cranelift's time grows with the module's bytes and functions, and, in
//! its SSA construction, with a function's locals times its control blocks
//! (every merge point or loop header may need a block parameter for every
//! live local: a 53 KB function of 5,000 locals under 1,000 nested loops
//! compiled for 52 s). So deploy bounds each of these, as NEAR and
//! CosmWasm bound theirs, and the price has a term for each; the
//! measurements behind the numbers are in docs/decisions.md ("Deploy
//! limits and the price of compiling").
//!
//! This module must never compile, and never accept a module it could not
//! read to the end.

use super::costs::{COMPILE_COST_PER_BYTE, COMPILE_COST_PER_FUNCTION, COMPILE_LOCALS_TIMES_BLOCKS_PER_UNIT};
use super::deploy::ProgramLoadError;
use lanes_sdk::loader::MAX_PROGRAM_LEN;
use wasmparser::{Operator, Parser, Payload};

/// Most functions a module may define (NEAR's limit).
pub const MAX_FUNCTIONS: usize = 10_000;
/// Largest function body, in bytes (the bundled programs' largest is ~10 KB).
pub const MAX_FUNCTION_BODY_LEN: usize = 128 * 1024;
/// Most locals one function may declare (the bundled programs use ≤ 25).
pub const MAX_LOCALS_PER_FUNCTION: u64 = 1_024;
/// Deepest nesting of `block`, `loop` and `if` in a function (the bundled
/// programs reach 38; a `match` of n arms nests about n blocks).
pub const MAX_CONTROL_DEPTH: usize = 256;

/// Check `code` against the deploy limits and return what compiling it
/// costs, in compute units. Deterministic: the same bytes always get the
/// same answer.
pub fn check_and_price(code: &[u8]) -> Result<u64, ProgramLoadError> {
    if code.len() > MAX_PROGRAM_LEN {
        return Err(ProgramLoadError::TooLarge { len: code.len() });
    }
    let invalid = |e: wasmparser::BinaryReaderError| ProgramLoadError::Invalid(e.to_string());
    let mut functions = 0usize;
    let mut locals_times_blocks = 0u64;
    for payload in Parser::new(0).parse_all(code) {
        let Payload::CodeSectionEntry(body) = payload.map_err(invalid)? else { continue };
        functions += 1;
        if functions > MAX_FUNCTIONS {
            return Err(ProgramLoadError::Limit(format!("more than {MAX_FUNCTIONS} functions")));
        }
        let body_len = body.range().len();
        if body_len > MAX_FUNCTION_BODY_LEN {
            return Err(ProgramLoadError::Limit(format!(
                "function {} is {body_len} bytes; the limit is {MAX_FUNCTION_BODY_LEN}",
                functions - 1
            )));
        }
        let mut locals = 0u64;
        for declaration in body.get_locals_reader().map_err(invalid)? {
            locals = locals.saturating_add(u64::from(declaration.map_err(invalid)?.0));
        }
        if locals > MAX_LOCALS_PER_FUNCTION {
            return Err(ProgramLoadError::Limit(format!(
                "function {} declares {locals} locals; the limit is {MAX_LOCALS_PER_FUNCTION}",
                functions - 1
            )));
        }
        let mut depth = 0usize;
        let mut blocks = 0u64;
        let mut operators = body.get_operators_reader().map_err(invalid)?;
        while !operators.eof() {
            match operators.read().map_err(invalid)? {
                Operator::Block { .. } | Operator::Loop { .. } | Operator::If { .. } => {
                    depth += 1;
                    blocks += 1;
                    if depth > MAX_CONTROL_DEPTH {
                        return Err(ProgramLoadError::Limit(format!(
                            "function {} nests blocks deeper than {MAX_CONTROL_DEPTH}",
                            functions - 1
                        )));
                    }
                }
                Operator::End => depth = depth.saturating_sub(1),
                _ => {}
            }
        }
        // Parameters are locals too, but are bounded by the type section.
        locals_times_blocks = locals_times_blocks.saturating_add(locals.saturating_mul(blocks));
    }
    Ok((code.len() as u64)
        .saturating_mul(COMPILE_COST_PER_BYTE)
        .saturating_add((functions as u64).saturating_mul(COMPILE_COST_PER_FUNCTION))
        .saturating_add(locals_times_blocks / COMPILE_LOCALS_TIMES_BLOCKS_PER_UNIT))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn module(functions: &str) -> Vec<u8> {
        wat::parse_str(format!(
            r#"(module (memory (export "memory") 1) (func (export "entrypoint") (result i64) i64.const 0) {functions})"#
        ))
        .unwrap()
    }

    #[test]
    fn the_price_grows_with_bytes_functions_and_locals_times_blocks() {
        let base = module("");
        let base_price = check_and_price(&base).unwrap();
        assert_eq!(base_price, base.len() as u64 * COMPILE_COST_PER_BYTE + COMPILE_COST_PER_FUNCTION);

        let more_functions = module(&"(func)".repeat(10));
        assert_eq!(
            check_and_price(&more_functions).unwrap(),
            more_functions.len() as u64 * COMPILE_COST_PER_BYTE + 11 * COMPILE_COST_PER_FUNCTION
        );

        // 100 locals under 20 blocks: 2,000 local-blocks.
        let body = "block ".repeat(20) + &"end ".repeat(20);
        let busy = module(&format!("(func (local {}) {body})", "i32 ".repeat(100)));
        assert_eq!(
            check_and_price(&busy).unwrap(),
            busy.len() as u64 * COMPILE_COST_PER_BYTE
                + 2 * COMPILE_COST_PER_FUNCTION
                + 2_000 / COMPILE_LOCALS_TIMES_BLOCKS_PER_UNIT
        );
    }

    #[test]
    fn modules_past_a_limit_are_refused_before_compiling() {
        let deep = module(&format!(
            "(func {}{})",
            "block ".repeat(MAX_CONTROL_DEPTH + 1),
            "end ".repeat(MAX_CONTROL_DEPTH + 1)
        ));
        assert!(matches!(check_and_price(&deep), Err(ProgramLoadError::Limit(e)) if e.contains("nests")));
        let just_deep_enough =
            module(&format!("(func {}{})", "block ".repeat(MAX_CONTROL_DEPTH), "end ".repeat(MAX_CONTROL_DEPTH)));
        assert!(check_and_price(&just_deep_enough).is_ok());

        let locals = module(&format!("(func (local {}))", "i32 ".repeat(MAX_LOCALS_PER_FUNCTION as usize + 1)));
        assert!(matches!(check_and_price(&locals), Err(ProgramLoadError::Limit(e)) if e.contains("locals")));

        let functions = module(&"(func)".repeat(MAX_FUNCTIONS));
        assert!(matches!(check_and_price(&functions), Err(ProgramLoadError::Limit(e)) if e.contains("functions")));

        let big_body = module(&format!("(func {})", "nop ".repeat(MAX_FUNCTION_BODY_LEN)));
        assert!(matches!(check_and_price(&big_body), Err(ProgramLoadError::Limit(e)) if e.contains("bytes")));

        assert!(matches!(check_and_price(b"\0asm\x01\0\0\0\x0a\xff"), Err(ProgramLoadError::Invalid(_))));
    }

    #[test]
    fn the_bundled_programs_are_within_every_limit() {
        for (name, code) in lanes_program_artifacts::ALL {
            let price = check_and_price(code).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(price < 200_000, "{name} costs {price} units to deploy");
        }
    }
}
