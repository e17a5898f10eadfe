//! Program logs: [`LogLine`]s kept structured until read, and the
//! [`LogCollector`] that applies Solana's byte limit to their rendered text.

use lanes_sdk::Pubkey;

/// Logs beyond this many bytes are dropped, with one "Log truncated" line.
pub const LOG_BYTES_LIMIT: usize = 10_000;

/// One log line. The three lines every invocation writes (invoke,
/// consumed, success) stay structured until someone reads them, so the hot
/// path neither formats nor allocates them. `Display` renders Solana's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LogLine {
    /// `Program <id> invoke [<depth>]`
    Invoke { program: Pubkey, depth: usize },
    /// `Program <id> consumed <consumed> of <limit> compute units`
    Consumed { program: Pubkey, consumed: u64, limit: u64 },
    /// `Program <id> success`
    Success { program: Pubkey },
    /// Any other line, as written.
    Text(String),
}

impl LogLine {
    /// Bytes of the rendered line, without rendering it.
    fn rendered_len(&self) -> usize {
        let prefix = |program: &Pubkey| "Program ".len() + program_name(program).len();
        match self {
            LogLine::Invoke { program, depth } => prefix(program) + " invoke [".len() + digits(*depth as u64) + 1,
            LogLine::Consumed { program, consumed, limit } => {
                prefix(program)
                    + " consumed ".len()
                    + digits(*consumed)
                    + " of ".len()
                    + digits(*limit)
                    + " compute units".len()
            }
            LogLine::Success { program } => prefix(program) + " success".len(),
            LogLine::Text(text) => text.len(),
        }
    }
}

impl std::fmt::Display for LogLine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LogLine::Invoke { program, depth } => write!(f, "Program {program} invoke [{depth}]"),
            LogLine::Consumed { program, consumed, limit } => {
                write!(f, "Program {program} consumed {consumed} of {limit} compute units")
            }
            LogLine::Success { program } => write!(f, "Program {program} success"),
            LogLine::Text(text) => f.write_str(text),
        }
    }
}

/// Decimal digits of `n`.
fn digits(n: u64) -> usize {
    n.checked_ilog10().map_or(1, |d| d as usize + 1)
}

/// Log lines with Solana's byte limit (counted on the rendered text).
#[derive(Debug, Default, Clone)]
pub struct LogCollector {
    pub lines: Vec<LogLine>,
    bytes: usize,
    truncated: bool,
}

impl LogCollector {
    pub fn log(&mut self, line: String) {
        self.log_line(LogLine::Text(line));
    }

    /// Whether the byte limit was reached (later lines are dropped).
    pub fn is_truncated(&self) -> bool {
        self.truncated
    }

    pub fn log_line(&mut self, line: LogLine) {
        if self.truncated {
            return;
        }
        let len = line.rendered_len();
        if self.bytes + len > LOG_BYTES_LIMIT {
            self.truncated = true;
            self.lines.push(LogLine::Text("Log truncated".to_string()));
            return;
        }
        self.bytes += len;
        self.lines.push(line);
    }
}

/// A program id's base58 text, cached per thread: the log's byte limit
/// counts it in three lines per invocation, and base58 is quadratic.
fn program_name(program_id: &Pubkey) -> std::rc::Rc<str> {
    use std::cell::RefCell;
    use std::collections::HashMap;
    thread_local! {
        static NAMES: RefCell<HashMap<Pubkey, std::rc::Rc<str>>> = RefCell::new(HashMap::new());
    }
    NAMES.with(|names| {
        let mut names = names.borrow_mut();
        if names.len() > 4096 {
            names.clear();
        }
        names.entry(*program_id).or_insert_with(|| program_id.to_string().into()).clone()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rendered_lengths_match_the_text() {
        let program = Pubkey::new_unique_from_u64(7);
        let mut lines = vec![LogLine::Success { program }, LogLine::Text("Program log: hi".into())];
        for n in [0u64, 1, 9, 10, 99, 100, 4_645, 200_000, u64::MAX] {
            lines.push(LogLine::Invoke { program, depth: n as usize });
            lines.push(LogLine::Consumed { program, consumed: n, limit: u64::MAX - n });
        }
        for line in lines {
            assert_eq!(line.rendered_len(), line.to_string().len(), "{line}");
        }
        assert_eq!(LogLine::Invoke { program, depth: 2 }.to_string(), format!("Program {program} invoke [2]"));
    }
}
