//! Reports: one file per format. Each reads the judged plans (their `&[Finding]`) and writes bytes.

pub mod json;
pub mod text;

use crate::finding::{Finding, Verdict};
use crate::plan::DocumentKind;
use serde::Serialize;
use std::io::{self, Write};

/// The output formats. Each is a leaf under `src/report/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// For people: failures with their evidence and fix, one summary line.
    Text,
    /// The stable, versioned machine contract (see README "JSON report").
    Json,
}

/// How unknown verdicts count toward the gate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum UnknownPolicy {
    /// Unknown fails the gate.
    Fail,
    /// Unknown is reported as a warning and does not fail the gate.
    Warn,
    /// Unknown is reported as a note and does not fail the gate.
    Pass,
}

/// The findings of one input.
#[derive(Debug)]
pub struct PlanReport {
    pub path: String,
    pub kind: DocumentKind,
    pub format_version: Option<String>,
    pub terraform_version: Option<String>,
    pub warnings: Vec<String>,
    /// Sorted once by `finding::sort`.
    pub findings: Vec<Finding>,
}

/// An input that could not be judged.
#[derive(Debug, Serialize)]
pub struct InputFailure {
    pub path: String,
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Gate {
    Pass,
    Fail,
    Error,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub functions: usize,
    pub pass: usize,
    pub fail: usize,
    pub unknown: usize,
    pub skipped: usize,
}

impl Summary {
    pub fn of<'f>(findings: impl IntoIterator<Item = &'f Finding>) -> Summary {
        let mut summary = Summary::default();
        for finding in findings {
            summary.functions += 1;
            match finding.verdict {
                Verdict::Pass => summary.pass += 1,
                Verdict::Fail => summary.fail += 1,
                Verdict::Unknown => summary.unknown += 1,
                Verdict::Skipped => summary.skipped += 1,
            }
        }
        summary
    }
}

/// Everything one run judged: what every report reads.
#[derive(Debug)]
pub struct Run {
    pub plans: Vec<PlanReport>,
    pub errors: Vec<InputFailure>,
    pub unknown_policy: UnknownPolicy,
}

impl Run {
    pub fn findings(&self) -> impl Iterator<Item = &Finding> {
        self.plans.iter().flat_map(|p| p.findings.iter())
    }

    pub fn summary(&self) -> Summary {
        Summary::of(self.findings())
    }

    /// Whether a verdict fails the gate under the run's unknown policy.
    pub fn fails_gate(&self, verdict: Verdict) -> bool {
        verdict == Verdict::Fail
            || (verdict == Verdict::Unknown && self.unknown_policy == UnknownPolicy::Fail)
    }

    pub fn gate(&self) -> Gate {
        if !self.errors.is_empty() {
            Gate::Error
        } else if self.findings().any(|f| self.fails_gate(f.verdict)) {
            Gate::Fail
        } else {
            Gate::Pass
        }
    }
}

/// Text output styling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style {
    pub color: bool,
    /// Show passing and skipped functions too.
    pub verbose: bool,
}

pub fn write(format: Format, run: &Run, style: Style, out: &mut dyn Write) -> io::Result<()> {
    match format {
        Format::Text => text::write(run, style, out),
        Format::Json => json::write(run, out),
    }
}
