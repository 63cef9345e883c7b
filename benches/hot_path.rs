//! The hot path, on a generated plan held in memory: the fast scanner (slice and stream) against
//! the serde paths it replaced. `cargo bench --bench hot_path`; whole-binary numbers come from
//! scripts/bench.sh.

use serde::de::IgnoredAny;
use std::io::Cursor;
use tracegate::plan::scan::{self, StreamInput};
use tracegate::plan::{self, Document};
use tracegate::resolve::{self, Options};

mod harness;

#[path = "../examples/gen_plan.rs"]
#[allow(dead_code)]
mod gen_plan;

fn main() {
    let mut plan = Vec::new();
    let counts = gen_plan::generate(3_000, 1, 1, &mut plan).unwrap();
    let group = harness::Group::new("plan", plan.len() as u64);

    group.bench("scan slice + judge", || {
        plan::with_bytes(&plan, plan::ReadOptions::default(), |parsed| {
            let (kind, _) = plan::classify(&parsed.document).unwrap();
            let findings = resolve::judge(
                &parsed.document,
                kind,
                resolve::PlanText {
                    bytes: parsed.text,
                    counts: Some(&parsed.counts),
                    line_offset: 0,
                },
                "plan.json",
                Options::default(),
                None,
            );
            // Options::default() runs every rule, the opt-in ones too: one finding per rule.
            assert_eq!(
                findings.findings.len(),
                counts.functions * tracegate::rule::ALL.len()
            );
        })
        .unwrap()
    });
    group.bench("scan stream", || {
        let mut input = StreamInput::new(Cursor::new(&plan), 0);
        scan::document(&mut input, false)
            .unwrap()
            .resource_changes
            .unwrap()
            .0
            .len()
    });
    group.bench("serde typed (previous path)", || {
        serde_json::from_slice::<Document>(&plan)
            .unwrap()
            .resource_changes
            .unwrap()
            .0
            .len()
    });
    group.bench("serde IgnoredAny (parse floor)", || {
        serde_json::from_slice::<IgnoredAny>(&plan).unwrap()
    });
}
