//! [`ExecuteTimings`]: where execution time went, for benchmarks.

/// Where time went while executing (for benchmarks), in nanoseconds.
#[derive(Debug, Default, Clone, Copy)]
pub struct ExecuteTimings {
    /// Creating a store and instantiating the module.
    pub instantiate_ns: u64,
    /// Running WASM (including host calls and nested invocations).
    pub execute_ns: u64,
    /// Writing the input buffer and reading results back.
    pub serialize_ns: u64,
    /// Loading accounts from the store.
    pub load_ns: u64,
    /// Committing accounts to the store and recording status.
    pub commit_ns: u64,
    /// Verifying signatures.
    pub sigverify_ns: u64,
    /// Whole transactions, end to end.
    pub total_ns: u64,
    /// Wasm program invocations.
    pub wasm_invocations: u64,
    /// Invocations that needed a new instance (the others ran on a reset one).
    pub fresh_instances: u64,
    /// Page scans that reset used instances (one covers a batch of them).
    pub reset_scans: u64,
}

impl ExecuteTimings {
    pub fn accumulate(&mut self, other: &ExecuteTimings) {
        self.instantiate_ns += other.instantiate_ns;
        self.execute_ns += other.execute_ns;
        self.serialize_ns += other.serialize_ns;
        self.load_ns += other.load_ns;
        self.commit_ns += other.commit_ns;
        self.sigverify_ns += other.sigverify_ns;
        self.total_ns += other.total_ns;
        self.wasm_invocations += other.wasm_invocations;
        self.fresh_instances += other.fresh_instances;
        self.reset_scans += other.reset_scans;
    }
}
