//! The hot path, on a generated plan held in memory: the fast scanner (slice and stream) against
//! the serde paths it replaced. `cargo bench`; whole-binary numbers come from scripts/bench.sh.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use serde::de::IgnoredAny;
use std::io::Cursor;
use tracegate::plan::scan::{self, StreamInput};
use tracegate::plan::{self, Document};
use tracegate::resolve::{self, Options};

#[path = "../examples/gen_plan.rs"]
#[allow(dead_code)]
mod gen_plan;

fn hot_path(c: &mut Criterion) {
    let mut plan = Vec::new();
    let counts = gen_plan::generate(3_000, 1, 1, &mut plan).unwrap();
    let mut group = c.benchmark_group("plan");
    group.throughput(Throughput::Bytes(plan.len() as u64));
    group.sample_size(20);

    group.bench_function("scan slice + judge", |b| {
        b.iter(|| {
            plan::with_bytes(&plan, plan::ReadOptions::default(), |parsed| {
                let (kind, _) = plan::classify(&parsed.document).unwrap();
                let findings = resolve::judge(
                    &parsed.document,
                    kind,
                    parsed.text,
                    0,
                    "plan.json",
                    Options::default(),
                    None,
                );
                assert_eq!(findings.findings.len(), counts.functions);
            })
            .unwrap()
        })
    });
    group.bench_function("scan stream", |b| {
        b.iter(|| {
            let mut input = StreamInput::new(Cursor::new(&plan), 0);
            scan::document(&mut input, false)
                .unwrap()
                .resource_changes
                .unwrap()
                .0
                .len()
        })
    });
    group.bench_function("serde typed (previous path)", |b| {
        b.iter(|| {
            serde_json::from_slice::<Document>(&plan)
                .unwrap()
                .resource_changes
                .unwrap()
                .0
                .len()
        })
    });
    group.bench_function("serde IgnoredAny (parse floor)", |b| {
        b.iter(|| serde_json::from_slice::<IgnoredAny>(&plan).unwrap())
    });
    group.finish();
}

criterion_group!(benches, hot_path);
criterion_main!(benches);
