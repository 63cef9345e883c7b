//! The structural skipper alone, on a generated plan held in memory (about 22 MB, 10 % Lambda):
//! each backend, the byte-at-a-time reference it replaced, and the floors beside it (memchr over
//! the same bytes, simdutf8's check). `cargo bench --bench skipper`.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use tracegate::plan::skip::{reference, Backend, Fed, Skipper};

#[path = "../examples/gen_plan.rs"]
#[allow(dead_code)]
mod gen_plan;

fn skipper(c: &mut Criterion) {
    let mut plan = Vec::new();
    gen_plan::generate(3_000, 1, 10, &mut plan).unwrap();
    let end = plan.len() - 1; // the newline after the document
    let mut group = c.benchmark_group("skipper");
    group.throughput(Throughput::Bytes(plan.len() as u64));
    group.sample_size(20);
    for (name, backend) in [
        ("detected", Backend::Detected),
        ("sse2", Backend::Sse2),
        ("portable", Backend::Portable),
    ] {
        group.bench_function(name, |b| {
            b.iter(|| assert_eq!(Skipper::new().feed_on(backend, &plan), Fed::Done(end)))
        });
    }
    group.bench_function("byte-at-a-time reference", |b| {
        b.iter(|| assert_eq!(reference::feed(&mut Skipper::new(), &plan), Fed::Done(end)))
    });
    group.bench_function("floor: memchr", |b| {
        b.iter(|| memchr::memchr_iter(b'\n', &plan).count())
    });
    group.bench_function("floor: simdutf8", |b| {
        b.iter(|| simdutf8::basic::from_utf8(&plan).is_ok())
    });
    group.finish();
}

criterion_group!(benches, skipper);
criterion_main!(benches);
