//! What a fresh WASM instance per transaction costs, against the
//! alternatives: wasmtime's on-demand allocator, the pooling allocator with
//! and without keeping memory resident, and — as the bound on what instance
//! reuse could save — calling into one live instance again (which is NOT
//! deterministic for Lanes: memory and globals carry over between calls).
//!
//! The module dirties `PAGES` 64 KiB pages per call, like a contract that
//! reads its input, allocates and writes its accounts back.
//!
//! Run: `cargo bench -p lanes-runtime --bench instantiate`

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use wasmtime::{Config, Enabled, Engine, InstanceAllocationStrategy, Linker, Module, PoolingAllocationConfig, Store};

const PAGES: u32 = 3;

fn module_text() -> String {
    // Initial memory 4 pages; each call writes one word per 4 KiB across PAGES pages.
    format!(
        r#"(module
            (memory (export "memory") 4)
            (global $calls (mut i64) (i64.const 0))
            (func (export "entrypoint") (result i64)
                (local $p i32)
                (local.set $p (i32.const 0))
                (block $done (loop $next
                    (br_if $done (i32.ge_u (local.get $p) (i32.const {limit})))
                    (i64.store (local.get $p) (global.get $calls))
                    (local.set $p (i32.add (local.get $p) (i32.const 4096)))
                    (br $next)))
                (global.set $calls (i64.add (global.get $calls) (i64.const 1)))
                (i64.const 0)))"#,
        limit = PAGES * 65536
    )
}

fn engine(pooling: Option<bool>) -> Engine {
    engine_with(pooling, true, true)
}

fn engine_with(pooling: Option<bool>, cow: bool, pagemap: bool) -> Engine {
    let mut config = Config::new();
    config.consume_fuel(true).cranelift_nan_canonicalization(true).memory_init_cow(cow);
    if let Some(keep_resident) = pooling {
        let mut pool = PoolingAllocationConfig::default();
        pool.total_memories(64).total_tables(64).total_core_instances(64).max_memory_size(4 << 20);
        if keep_resident {
            pool.linear_memory_keep_resident(4 << 20).table_keep_resident(64 << 10).pagemap_scan(if pagemap {
                Enabled::Auto
            } else {
                Enabled::No
            });
        }
        config.allocation_strategy(InstanceAllocationStrategy::Pooling(pool));
    }
    Engine::new(&config).expect("valid engine configuration")
}

fn fresh_instance_per_call(c: &mut Criterion) {
    let wasm = wat::parse_str(module_text()).unwrap();
    let mut group = c.benchmark_group("instance per call");
    for (name, engine) in [
        ("on-demand", engine(None)),
        ("pooling", engine(Some(false))),
        ("pooling+keep-resident", engine(Some(true))),
        ("pooling+keep-resident, no CoW", engine_with(Some(true), false, true)),
        ("pooling+keep-resident, no pagemap", engine_with(Some(true), true, false)),
        ("pooling+keep-resident, no CoW, no pagemap", engine_with(Some(true), false, false)),
    ] {
        let module = Module::new(&engine, &wasm).unwrap();
        let pre = Linker::<()>::new(&engine).instantiate_pre(&module).unwrap();
        group.bench_function(BenchmarkId::new("fresh store+instance+call", name), |b| {
            b.iter(|| {
                let mut store = Store::new(&engine, ());
                store.set_fuel(1_000_000).unwrap();
                let instance = pre.instantiate(&mut store).unwrap();
                let entry = instance.get_typed_func::<(), i64>(&mut store, "entrypoint").unwrap();
                entry.call(&mut store, ()).unwrap()
            })
        });
    }
    let engine = engine(Some(true));
    let module = Module::new(&engine, &wasm).unwrap();
    let pre = Linker::<()>::new(&engine).instantiate_pre(&module).unwrap();
    group.bench_function(
        BenchmarkId::new("fresh instance, store recycled every 16 calls", "pooling+keep-resident"),
        |b| {
            let mut store = Store::new(&engine, ());
            let mut uses = 0;
            b.iter(|| {
                if uses == 16 {
                    store = Store::new(&engine, ());
                    uses = 0;
                }
                uses += 1;
                store.set_fuel(1_000_000).unwrap();
                let instance = pre.instantiate(&mut store).unwrap();
                let entry = instance.get_typed_func::<(), i64>(&mut store, "entrypoint").unwrap();
                entry.call(&mut store, ()).unwrap()
            })
        },
    );
    let mut store = Store::new(&engine, ());
    store.set_fuel(u64::MAX / 2).unwrap();
    let instance = pre.instantiate(&mut store).unwrap();
    let entry = instance.get_typed_func::<(), i64>(&mut store, "entrypoint").unwrap();
    group.bench_function(
        BenchmarkId::new("reused live instance (bound, not deterministic)", "pooling+keep-resident"),
        |b| b.iter(|| entry.call(&mut store, ()).unwrap()),
    );
    group.finish();
}

/// The same fresh-instance loop on two threads sharing one engine (as two
/// workers do): per-call time should stay what it is on one thread if
/// nothing in the engine, the pool or the kernel's handling of one address
/// space is shared.
fn two_threads_one_engine(c: &mut Criterion) {
    let wasm = wat::parse_str(module_text()).unwrap();
    let mut group = c.benchmark_group("instance per call, 2 threads");
    for (name, engine) in [
        ("pooling+keep-resident", engine(Some(true))),
        ("pooling+keep-resident, no CoW", engine_with(Some(true), false, true)),
        ("pooling+keep-resident, no pagemap", engine_with(Some(true), true, false)),
        ("pooling+keep-resident, no CoW, no pagemap", engine_with(Some(true), false, false)),
    ] {
        let module = Module::new(&engine, &wasm).unwrap();
        let pre = Linker::<()>::new(&engine).instantiate_pre(&module).unwrap();
        group.bench_function(BenchmarkId::new("fresh store+instance+call, per thread", name), |b| {
            b.iter_custom(|iters| {
                let start = std::time::Instant::now();
                std::thread::scope(|scope| {
                    for _ in 0..2 {
                        scope.spawn(|| {
                            for _ in 0..iters {
                                let mut store = Store::new(&engine, ());
                                store.set_fuel(1_000_000).unwrap();
                                let instance = pre.instantiate(&mut store).unwrap();
                                let entry = instance.get_typed_func::<(), i64>(&mut store, "entrypoint").unwrap();
                                entry.call(&mut store, ()).unwrap();
                            }
                        });
                    }
                });
                start.elapsed()
            })
        });
    }
    group.finish();
}

criterion_group!(benches, fresh_instance_per_call, two_threads_one_engine);
criterion_main!(benches);
