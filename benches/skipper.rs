//! The structural skipper alone, on a generated plan held in memory (about 22 MB, 10 % Lambda):
//! each backend, the byte-at-a-time reference it replaced, and the floors beside it (memchr over
//! the same bytes, simdutf8's check). `cargo bench --bench skipper`.

use tracegate::plan::skip::{reference, Backend, Fed, Skipper};

mod harness;

#[path = "../examples/gen_plan.rs"]
#[allow(dead_code)]
mod gen_plan;

fn main() {
    let mut plan = Vec::new();
    gen_plan::generate(3_000, 1, 10, &mut plan).unwrap();
    let end = plan.len() - 1; // the newline after the document
    let group = harness::Group::new("skipper", plan.len() as u64);
    for (name, backend) in [
        ("detected", Backend::Detected),
        ("sse2", Backend::Sse2),
        ("portable", Backend::Portable),
    ] {
        group.bench(name, || {
            assert_eq!(Skipper::new().feed_on(backend, &plan), Fed::Done(end))
        });
    }
    group.bench("byte-at-a-time reference", || {
        assert_eq!(reference::feed(&mut Skipper::new(), &plan), Fed::Done(end))
    });
    group.bench("floor: memchr", || {
        memchr::memchr_iter(b'\n', &plan).count()
    });
    group.bench("floor: simdutf8", || {
        simdutf8::basic::from_utf8(&plan).is_ok()
    });
}
