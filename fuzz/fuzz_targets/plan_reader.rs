//! Any bytes through the plan reader and the judge: an error or findings, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tracegate::plan::{self, DocumentKind};
use tracegate::resolve::{self, Options};

fuzz_target!(|data: &[u8]| {
    let _ = plan::with_bytes(data, plan::ReadOptions::default(), |parsed| {
        if let Ok((kind, _)) = plan::classify(&parsed.document) {
            let findings = resolve::judge(
                &parsed.document,
                kind,
                resolve::PlanText {
                    bytes: parsed.text,
                    counts: Some(&parsed.counts),
                    line_offset: parsed.line_offset,
                },
                "fuzz.json",
                Options::default(),
                None,
            );
            assert!(kind == DocumentKind::State || findings.findings.len() <= data.len());
        }
    });
});
