//! A plain timing harness for the benches (no criterion: its 15 crates were built by every
//! `cargo test`, for two benches). Each case runs a few warm-up times, then `SAMPLES` timed
//! runs; it prints the median and the fastest, with throughput over the input's bytes.
//! `cargo bench --bench NAME [FILTER]` times the cases whose name holds FILTER; without
//! `--bench` (`cargo test --benches`) each case runs once, as a test.

use std::hint::black_box;
use std::time::{Duration, Instant};

const WARM_UP: usize = 3;
const SAMPLES: usize = 20;

pub struct Group {
    name: &'static str,
    bytes: u64,
    timing: bool,
    filter: Option<String>,
}

impl Group {
    /// A group of cases over an input of `bytes` bytes, reading cargo's arguments.
    pub fn new(name: &'static str, bytes: u64) -> Self {
        let args: Vec<String> = std::env::args().skip(1).collect();
        Group {
            name,
            bytes,
            timing: args.iter().any(|a| a == "--bench"),
            filter: args.into_iter().find(|a| !a.starts_with('-')),
        }
    }

    pub fn bench<T>(&self, case: &str, mut run: impl FnMut() -> T) {
        let id = format!("{}/{case}", self.name);
        if self
            .filter
            .as_ref()
            .is_some_and(|f| !id.contains(f.as_str()))
        {
            return;
        }
        if !self.timing {
            black_box(run());
            println!("{id}: ok");
            return;
        }
        for _ in 0..WARM_UP {
            black_box(run());
        }
        let mut times: Vec<Duration> = (0..SAMPLES)
            .map(|_| {
                let start = Instant::now();
                black_box(run());
                start.elapsed()
            })
            .collect();
        times.sort();
        let median = times[SAMPLES / 2];
        let gib_per_s = |t: Duration| self.bytes as f64 / t.as_secs_f64() / f64::from(1u32 << 30);
        println!(
            "{id:<45} median {:>9.3} ms ({:>6.2} GiB/s), fastest {:>9.3} ms ({:>6.2} GiB/s), {SAMPLES} runs",
            median.as_secs_f64() * 1e3,
            gib_per_s(median),
            times[0].as_secs_f64() * 1e3,
            gib_per_s(times[0]),
        );
    }
}
