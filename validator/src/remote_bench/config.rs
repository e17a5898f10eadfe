//! `lanes-bench remote`'s flags and what it reports: [`RemoteConfig`]
//! (parsed by clap, checked before anything is sent), [`RemoteReport`]
//! and the report's text form.
//!
//! Never: talk to the node — this is the run's description, not the run.

use super::Error;
use serde::Serialize;

/// What `lanes-bench remote` sends: the in-process workloads, the same
/// transactions (`transfer`, `token`, `swap`, `lend`, `mixed`).
pub type RemoteWorkload = crate::bench::WorkloadKind;

/// How transactions reach the node.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Via {
    /// The UDP transaction port: one wire transaction a datagram.
    Udp,
    /// JSON-RPC batches of `sendTransaction` (base64, skipPreflight).
    Rpc,
}

/// `lanes-bench remote`'s flags, parsed by clap.
#[derive(Debug, Clone, clap::Args)]
pub struct RemoteConfig {
    /// The node's JSON-RPC URL.
    #[arg(long, short = 'u', default_value = "http://127.0.0.1:8899")]
    pub url: String,
    #[arg(long, value_enum, default_value = "transfer")]
    pub workload: RemoteWorkload,
    /// Payers the load is spread over (and token accounts, one each, for
    /// `token`; users, with their token accounts, for `swap`, `lend` and
    /// each part of `mixed`).
    #[arg(long, default_value_t = 1_000)]
    pub accounts: usize,
    /// `transfer` and `token`: every transaction pays into one of this
    /// many shared accounts (1: all of them conflict).
    #[arg(long)]
    pub hot_accounts: Option<usize>,
    /// `swap`: the pools the users trade in (1: one hot pool).
    #[arg(long, default_value_t = 100)]
    pub pools: usize,
    /// A Solana JSON keypair file whose lamports fund the setup (default: a
    /// fresh wallet funded by `requestAirdrop`).
    #[arg(long)]
    pub keypair: Option<std::path::PathBuf>,
    /// Seconds of sending (the timed window).
    #[arg(long, default_value_t = 20.0)]
    pub duration: f64,
    /// Send this many transactions a second (default: as fast as the node
    /// takes them, see --max-in-flight).
    #[arg(long)]
    pub tps: Option<u64>,
    #[arg(long, value_enum, default_value = "udp")]
    pub via: Via,
    /// The UDP transaction port, HOST:PORT (default: `tpu` from getClusterNodes).
    #[arg(long)]
    pub tpu: Option<String>,
    /// Sender threads: UDP sockets or JSON-RPC connections (default 1 for
    /// udp, 2 for rpc).
    #[arg(long)]
    pub senders: Option<usize>,
    /// sendTransaction requests in one JSON-RPC batch (--via rpc).
    #[arg(long, default_value_t = 200)]
    pub batch: usize,
    /// Transactions to pre-sign (default: --tps × --duration, or 30,000 a
    /// second of --duration unpaced). The window ends early when they run out.
    #[arg(long)]
    pub transactions: Option<usize>,
    /// Unpaced: at most this many transactions sent that the node has
    /// neither committed nor dropped (0: no limit).
    #[arg(long, default_value_t = 50_000)]
    pub max_in_flight: u64,
    /// Unpaced: no rate control and no in-flight cap, every transaction as
    /// fast as the socket or connection takes it (over UDP, what the node's
    /// socket buffer cannot hold is lost).
    #[arg(long, conflicts_with = "tps")]
    pub flood: bool,
    /// Follow every Nth transaction's signature (default: every 100th, or
    /// fewer so that about 2,000 are followed).
    #[arg(long)]
    pub sample_every: Option<usize>,
    /// RPC readers beside the write load, each on its own connection:
    /// `getAccountInfo` of the accounts being written, and now and then a
    /// filtered `getProgramAccounts` (see `lanes_validator::read_load`).
    #[arg(long, default_value_t = 0)]
    pub readers: usize,
    /// The readers' total rate (default: as fast as they are answered).
    #[arg(long, requires = "readers")]
    pub reads_per_second: Option<u64>,
    /// The node's WebSocket PubSub URL (default: the RPC URL's port + 1,
    /// as web3.js computes it).
    #[arg(long)]
    pub ws: Option<String>,
    /// Follow the sample by polling `getSignatureStatuses` rather than by
    /// `signatureSubscribe`.
    #[arg(long)]
    pub poll: bool,
    /// Also write a self-contained HTML page (TPS over time, the latency
    /// distribution, the node's CPU by stage, the JSON) to this file.
    #[arg(long, value_name = "FILE.html")]
    pub report: Option<std::path::PathBuf>,
    /// No progress line on stderr.
    #[arg(long)]
    pub quiet: bool,
}

/// What `lanes-bench remote` measured.
#[derive(Debug, Clone, Serialize)]
pub struct RemoteReport {
    pub workload: RemoteWorkload,
    pub via: Via,
    pub accounts: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hot_accounts: Option<usize>,
    /// `swap`: the pools.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pools: Option<usize>,
    /// `--tps`, if the senders were paced.
    pub target_tps: Option<u64>,
    /// How the senders were paced: `fixed` (`--tps`), `adaptive` (unpaced
    /// UDP: the rate rises while the node's port receives everything sent
    /// and the in-flight cap is not reached, and falls when datagrams are
    /// lost), `closed` (unpaced JSON-RPC: each connection waits for its
    /// answer, under the in-flight cap) or `flood`.
    pub pace: &'static str,
    /// Adaptive: the rate at the end of the window.
    pub final_rate: Option<f64>,
    /// Transactions handed to the network (datagrams sent, or requests posted).
    pub sent: u64,
    /// The node's transaction count from the window's start to the drained
    /// end (failed transactions that paid their fee included).
    pub landed: u64,
    /// Landed but failed, estimated from the sample:
    /// `landed × sample_failed / sample_landed`.
    pub failed: u64,
    /// Sent and never landed: `sent − landed` (exact if nothing else sends
    /// to the node meanwhile). Where they went, as far as the node counts:
    /// `queue_dropped`, `tpu_garbage`, `deduplicated`, `udp_not_received`.
    pub dropped: u64,
    /// From the first send to the last growth of the node's transaction count.
    pub seconds: f64,
    /// `landed / seconds`.
    pub tps: f64,
    /// Confirmation latency of the landed sample (send → notified, or
    /// first seen, confirmed: see `latency_from`); `null` if none landed.
    pub p50_ms: Option<f64>,
    pub p90_ms: Option<f64>,
    pub p99_ms: Option<f64>,
    pub max_ms: Option<f64>,
    /// How the sample was followed: `signatureSubscribe` or
    /// `getSignatureStatuses` (polled every 20 ms, or every twentieth of a
    /// transaction's age once that is longer).
    pub latency_from: &'static str,
    /// How long the senders sent, and at what rate.
    pub send_seconds: f64,
    pub send_tps: f64,
    /// Whether the count stopped growing before the drain's bound.
    pub drained: bool,
    /// Every `sample_every`th transaction followed; of those sent, how many
    /// landed (ok or failed), failed, or never landed.
    pub sample_every: usize,
    pub sampled: u64,
    pub sample_landed: u64,
    pub sample_failed: u64,
    pub sample_dropped: u64,
    /// The node's own counters over the run (`lanesGetNodeStats`).
    pub queue_dropped: u64,
    pub tpu_garbage: u64,
    pub deduplicated: u64,
    /// UDP: datagrams sent that the node's port never received (lost in a
    /// socket buffer).
    pub udp_not_received: Option<u64>,
    /// RPC: sendTransaction answered with an error (queue full: -32005).
    pub rpc_rejected: u64,
    /// Sends that failed locally (socket or connection errors).
    pub send_errors: u64,
    /// Slots the node advanced during the window, and their mean length.
    pub slots: u64,
    pub slot_ms: f64,
    pub setup_seconds: f64,
    pub presigned: usize,
    pub presign_seconds: f64,
    pub blockhashes: usize,
    /// The oldest blockhash a sent transaction carried, in slots.
    pub max_blockhash_age_slots: u64,
    /// Where the transactions went: the TPU address or the RPC address.
    pub target: String,
    pub senders: usize,
    /// What `--readers` did, if any ran.
    pub reads: Option<crate::read_load::ReadReport>,
    /// The node's CPU by stage from just before the window to the drained
    /// end (`lanesGetStageCpu`; a Lanes node only).
    pub node_cpu: Option<CpuReport>,
    /// This bench's own CPU over the same span (on the node's machine, it
    /// is CPU the node did not get).
    pub bench_cpu_seconds: Option<f64>,
    /// Landed and sent TPS every 250 ms, window and drain.
    pub timeline: Vec<TimelinePoint>,
    /// The node's own view after the run: its newest performance samples
    /// (`getRecentPerformanceSamples`, a minute each), newest first.
    pub node_samples: Vec<NodeSample>,
    /// The landed sample's latencies, sorted (for `--report`).
    #[serde(skip)]
    pub latencies_ms: Vec<f64>,
    /// The accounts that serialized the run's slots (`lanesGetContention`;
    /// a Lanes node only).
    pub contention: Option<RemoteContention>,
}

/// `lanesGetContention` over the run's slots.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
#[serde(rename_all(deserialize = "camelCase"))]
pub struct RemoteContention {
    pub start_slot: u64,
    pub end_slot: u64,
    /// Slots with transactions, and their transactions.
    pub slots: u64,
    pub transactions: u64,
    /// Busy worker time over wall time, across those slots.
    pub parallelism: f64,
    /// Accounts with a conflict, longest chain first.
    pub accounts: Vec<crate::bench::ContendedAccount>,
}

/// The node's CPU over a run.
#[derive(Debug, Clone, Serialize)]
pub struct CpuReport {
    pub wall_seconds: f64,
    /// CPU seconds by stage (divide by `wall_seconds` for cores).
    pub stages: crate::node::cpu::StageCpu,
}

/// One of the node's performance samples.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct NodeSample {
    pub slot: u64,
    pub transactions: u64,
    pub seconds: u64,
    pub tps: f64,
}

/// One point of the run's timeline.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct TimelinePoint {
    /// Seconds since the window opened.
    pub t: f64,
    pub landed_tps: f64,
    pub sent_tps: f64,
}

pub(super) fn check(config: &RemoteConfig) -> Result<(), Error> {
    if config.accounts < 2 || config.accounts > 1_000_000 {
        return Err("--accounts must be between 2 and 1,000,000".into());
    }
    if !(config.duration > 0.0 && config.duration <= 3_600.0) {
        return Err("--duration must be more than 0 and at most 3,600 seconds".into());
    }
    if config.tps == Some(0) {
        return Err("--tps must be at least 1".into());
    }
    if config.batch == 0 || config.batch > 10_000 {
        return Err("--batch must be between 1 and 10,000".into());
    }
    if config.senders.is_some_and(|s| s == 0 || s > 64) {
        return Err("--senders must be between 1 and 64".into());
    }
    if config.sample_every == Some(0) {
        return Err("--sample-every must be at least 1".into());
    }
    match config.hot_accounts {
        Some(0) => return Err("--hot-accounts must be at least 1".into()),
        Some(_) if !matches!(config.workload, RemoteWorkload::Transfer | RemoteWorkload::Token) => {
            return Err(
                "--hot-accounts applies to the transfer and token workloads; use --pools 1 for a hot pool".into()
            )
        }
        _ => {}
    }
    if config.workload == RemoteWorkload::Swap && (config.pools == 0 || config.pools > config.accounts) {
        return Err("--pools must be at least 1 and at most --accounts (each pool needs a user)".into());
    }
    Ok(())
}

impl std::fmt::Display for RemoteReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let via = match self.via {
            Via::Udp => "UDP",
            Via::Rpc => "JSON-RPC batches",
        };
        let ms = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{v:.0} ms"));
        let workload = match self.workload {
            RemoteWorkload::Transfer => "transfer",
            RemoteWorkload::Token => "token",
            RemoteWorkload::Swap => "swap",
            RemoteWorkload::Lend => "lend",
            RemoteWorkload::Mixed => "mixed",
        };
        write!(f, "workload      {workload}, {} accounts", self.accounts)?;
        if let Some(hot) = self.hot_accounts {
            write!(f, ", into {hot} hot")?;
        }
        match self.pools {
            Some(pools) => writeln!(f, ", {pools} pools")?,
            None => writeln!(f)?,
        }
        let s = if self.senders == 1 { "" } else { "s" };
        writeln!(f, "via           {via} to {} ({} sender{s})", self.target, self.senders)?;
        match (self.target_tps, self.final_rate) {
            (Some(tps), _) => writeln!(f, "pace          {tps} TPS")?,
            (None, Some(rate)) => {
                writeln!(f, "pace          adaptive: as fast as the node's port receives (ended at {rate:.0}/s)")?
            }
            (None, None) => writeln!(f, "pace          {}", self.pace)?,
        }
        writeln!(f, "sent          {} in {:.2} s ({:.0}/s)", self.sent, self.send_seconds, self.send_tps)?;
        writeln!(
            f,
            "landed        {} in {:.2} s: {:.0} TPS{}",
            self.landed,
            self.seconds,
            self.tps,
            if self.drained { "" } else { " (the node had not drained at the bound)" }
        )?;
        writeln!(
            f,
            "failed        {} (estimated: {} of {} landed samples)",
            self.failed, self.sample_failed, self.sample_landed
        )?;
        let mut where_to = format!(
            "queue full {}, deduplicated {}, garbage {}",
            self.queue_dropped, self.deduplicated, self.tpu_garbage
        );
        if let Some(lost) = self.udp_not_received {
            where_to.push_str(&format!(", not received {lost}"));
        }
        if self.via == Via::Rpc {
            where_to.push_str(&format!(", rejected {}", self.rpc_rejected));
        }
        writeln!(f, "dropped       {} ({where_to}; send errors {})", self.dropped, self.send_errors)?;
        writeln!(
            f,
            "confirmation  p50 {}, p90 {}, p99 {}, max {} ({} followed by {}, every {}th; {} never landed)",
            ms(self.p50_ms),
            ms(self.p90_ms),
            ms(self.p99_ms),
            ms(self.max_ms),
            self.sampled,
            self.latency_from,
            self.sample_every,
            self.sample_dropped
        )?;
        writeln!(f, "slots         {} of {:.0} ms", self.slots, self.slot_ms)?;
        if !self.node_samples.is_empty() {
            let samples: Vec<String> = self
                .node_samples
                .iter()
                .map(|s| format!("{:.0} TPS over {} s to slot {}", s.tps, s.seconds, s.slot))
                .collect();
            writeln!(f, "node's view   {} (getRecentPerformanceSamples)", samples.join("; "))?;
        }
        if let Some(reads) = &self.reads {
            write!(f, "{reads}")?;
        }
        if let Some(cpu) = &self.node_cpu {
            let wall = cpu.wall_seconds.max(1e-9);
            let stages: Vec<String> = cpu
                .stages
                .stages()
                .iter()
                .filter(|(name, _)| *name != "total")
                .map(|(name, seconds)| format!("{name} {:.2}", seconds / wall))
                .collect();
            writeln!(f, "node CPU      {:.2} cores over {wall:.1} s: {}", cpu.stages.total / wall, stages.join(", "))?;
            if let Some(bench) = self.bench_cpu_seconds {
                writeln!(f, "bench CPU     {:.2} cores (this process)", bench / wall)?;
            }
        }
        if let Some(c) = &self.contention {
            writeln!(
                f,
                "parallelism   {:.2} over slots {}..={} ({} with transactions; lanesGetContention)",
                c.parallelism, c.start_slot, c.end_slot, c.slots
            )?;
            for a in c.accounts.iter().take(5) {
                writeln!(
                    f,
                    "  contended   {} lost {:.1} % ({} transactions, {} writes)",
                    a.account,
                    a.lost_parallelism * 100.0,
                    a.transactions,
                    a.write_locked
                )?;
            }
        }
        writeln!(
            f,
            "untimed       setup {:.1} s; {} pre-signed in {:.1} s under {} blockhashes (oldest sent: {} slots)",
            self.setup_seconds, self.presigned, self.presign_seconds, self.blockhashes, self.max_blockhash_age_slots
        )
    }
}
