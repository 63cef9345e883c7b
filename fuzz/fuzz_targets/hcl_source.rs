//! Any bytes as a root module's main.tf, judged against a plan whose function must be resolved
//! from the sources: the HCL reader, the evaluator and the source layer never panic or hang.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;
use tracegate::plan;
use tracegate::resolve::{self, Options};
use tracegate::source::SourceTree;

const PLAN: &[u8] = include_bytes!("../../testdata/omitted-unknown/plan.json");

fn dir() -> &'static std::path::Path {
    static DIR: OnceLock<std::path::PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("tracegate-fuzz-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    })
}

fuzz_target!(|data: &[u8]| {
    let dir = dir();
    std::fs::write(dir.join("main.tf"), data).unwrap();
    let Ok(Some(tree)) = SourceTree::open(dir) else { return };
    let _ = plan::with_bytes(PLAN, plan::ReadOptions::default(), |parsed| {
        let (kind, _) = plan::classify(&parsed.document).unwrap();
        resolve::judge(&parsed.document, kind, resolve::PlanText { bytes: parsed.text, counts: Some(&parsed.counts), line_offset: parsed.line_offset }, "plan.json", Options::default(), Some(&tree))
    });
});
