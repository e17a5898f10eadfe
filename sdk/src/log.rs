//! Logging from contracts: [`msg!`], [`log`] and [`log_pubkey`]. Each
//! message becomes a `Program log: …` line in the transaction's logs. On the host (unit tests
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

/// Log a key as `Program log: <base58>`, rendered by the host: about 100
/// compute units, where `msg!("{}", key)` formats base58 inside the program
/// (~27,000). Also [`crate::Pubkey::log`].
pub fn log_pubkey(key: &crate::Pubkey) {
    #[cfg(target_arch = "wasm32")]
    crate::syscalls::log_pubkey(key);
    #[cfg(all(not(target_arch = "wasm32"), feature = "std"))]
    std::println!("Program log: {key}");
    #[cfg(all(not(target_arch = "wasm32"), not(feature = "std")))]
    let _ = key;
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
