//! Logging from contracts: [`msg!`] and [`log`]. Each message becomes a
//! `Program log: …` line in the transaction's logs. On the host (unit tests
//! of contract code) messages go to stdout.

/// Log one message.
pub fn log(message: &str) {
    #[cfg(target_arch = "wasm32")]
    crate::syscalls::log(message);
    #[cfg(all(not(target_arch = "wasm32"), feature = "std"))]
    std::println!("Program log: {message}");
    #[cfg(all(not(target_arch = "wasm32"), not(feature = "std")))]
    let _ = message;
}

/// Log the compute units left.
pub fn log_compute_units() {
    #[cfg(target_arch = "wasm32")]
    crate::syscalls::log_compute_units();
}

/// Log a message: `msg!("text")` or `msg!("fmt {}", value)`.
#[macro_export]
macro_rules! msg {
    ($text:expr) => {
        $crate::log::log($text)
    };
    ($($arg:tt)*) => {
        $crate::log::log(&$crate::__private::format!($($arg)*))
    };
}
