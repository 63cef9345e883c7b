//! The floor beside a plan's time: passes over the same file that do (almost) nothing, in the same
//! run as the benchmark, so that a loaded or slow machine moves both.
//!
//!     cargo run --release --example floor -- PLAN [RUNS]
//!
//! Prints one line per pass, best of RUNS (default 5): `name seconds GB/s`:
//! - `mmap+memchr`: map the file and count `\n` with memchr (the page faults and one read);
//! - `read+memchr`: read it in 1 MB pieces and count `\n` (what a stream costs at least);
//! - `mmap+utf8`: map it and check UTF-8 with simdutf8, one thread;
//! - `mmap+skip`: map it and run the structural skipper over the whole top-level value, one thread;
//! - `scan`: tracegate's plan reader alone (map, UTF-8, scan, the kept entries parsed; both cores),
//!   without judging or writing a report.

use std::io::Read;
use std::time::Instant;
use tracegate::plan::skip::{Fed, Skipper};

fn best(runs: usize, mut pass: impl FnMut() -> usize) -> (f64, usize) {
    let mut best = f64::INFINITY;
    let mut result = 0;
    for _ in 0..runs {
        let start = Instant::now();
        result = std::hint::black_box(pass());
        best = best.min(start.elapsed().as_secs_f64());
    }
    (best, result)
}

fn map(path: &str) -> memmap2::Mmap {
    let file = std::fs::File::open(path).expect("open the plan");
    // SAFETY: the benchmark's plan is not changed while it is mapped (read-only, dropped at once).
    unsafe { memmap2::Mmap::map(&file) }.expect("map the plan")
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let path = args.get(1).expect("usage: floor PLAN [RUNS]").clone();
    let runs: usize = args.get(2).map_or(5, |r| r.parse().expect("RUNS"));
    let size = std::fs::metadata(&path).expect("stat the plan").len() as f64;
    let report = |name: &str, (seconds, _): (f64, usize)| {
        println!("{name} {seconds:.3} {:.2}", size / seconds / 1e9);
    };
    report(
        "mmap+memchr",
        best(runs, || memchr::memchr_iter(b'\n', &map(&path)).count()),
    );
    report(
        "read+memchr",
        best(runs, || {
            let mut file = std::fs::File::open(&path).expect("open the plan");
            let mut buffer = vec![0u8; 1 << 20];
            let mut lines = 0;
            loop {
                let n = file.read(&mut buffer).expect("read the plan");
                if n == 0 {
                    break lines;
                }
                lines += memchr::memchr_iter(b'\n', &buffer[..n]).count();
            }
        }),
    );
    report(
        "mmap+utf8",
        best(runs, || {
            usize::from(simdutf8::basic::from_utf8(&map(&path)).is_ok())
        }),
    );
    report(
        "scan",
        best(runs, || {
            tracegate::plan::with_bytes(&map(&path), Default::default(), |parsed| {
                parsed
                    .document
                    .resource_changes
                    .map_or(0, |changes| changes.0.len())
            })
            .expect("a plan")
        }),
    );
    report(
        "mmap+skip",
        best(runs, || match Skipper::new().feed(&map(&path)) {
            Fed::Done(n) => n,
            Fed::More | Fed::Unexpected(_) | Fed::TooDeep(_) => 0,
        }),
    );
}
