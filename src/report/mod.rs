//! Reports: one file per format. Each reads the judged plans (their `&[Finding]`) and writes bytes.

pub mod escape;
pub mod github;
pub mod gitlab;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod sarif;
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
    /// SARIF 2.1.0 for GitHub code scanning (and any SARIF viewer).
    Sarif,
    /// GitLab Code Quality JSON, shown in merge requests.
    Gitlab,
    /// JUnit XML: one test case per function, for GitLab and Jenkins test panels.
    Junit,
    /// GitHub workflow commands: annotations on the pull request's diff.
    Github,
    /// A Markdown summary table, for merge-request comments and job summaries.
    Markdown,
}

impl std::str::FromStr for Format {
    type Err = String;
    fn from_str(name: &str) -> Result<Format, String> {
        <Format as clap::ValueEnum>::from_str(name, true)
    }
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
    /// The source root read for layer 3 (relative to the repository), if any.
    pub source_root: Option<String>,
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

/// How reports are written.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// Colour in text output.
    pub color: bool,
    /// Show passing and skipped functions too (text).
    pub verbose: bool,
    /// SARIF `automationDetails.id`: several uploads in one workflow stay separate.
    pub category: Option<String>,
}

pub fn write(
    format: Format,
    run: &Run,
    settings: &Settings,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        Format::Text => text::write(run, settings, out),
        Format::Json => json::write(run, out),
        Format::Sarif => sarif::write(run, settings, out),
        Format::Gitlab => gitlab::write(run, out),
        Format::Junit => junit::write(run, out),
        Format::Github => github::write(run, out),
        Format::Markdown => markdown::write(run, out),
    }
}

/// What a report says a finding is, after the run's unknown policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    /// Fails the gate.
    Error,
    /// Reported, does not fail the gate (unknown under `--unknown warn`).
    Warning,
    /// Reported quietly (unknown under `--unknown pass`).
    Note,
}

impl Run {
    /// The severity of a finding that reports list, or `None` for pass and skipped (a suppressed
    /// finding keeps the severity of its own verdict; reports mark it suppressed).
    pub fn severity(&self, finding: &Finding) -> Option<Severity> {
        match (finding.effective_verdict(), self.unknown_policy) {
            (Verdict::Fail, _) | (Verdict::Unknown, UnknownPolicy::Fail) => Some(Severity::Error),
            (Verdict::Unknown, UnknownPolicy::Warn) => Some(Severity::Warning),
            (Verdict::Unknown, UnknownPolicy::Pass) => Some(Severity::Note),
            _ => None,
        }
    }

    /// Each reported finding with its plan, in the one sorted order.
    pub fn reported(&self) -> impl Iterator<Item = (&PlanReport, &Finding, Severity)> {
        self.plans.iter().flat_map(move |plan| {
            plan.findings
                .iter()
                .filter_map(move |f| self.severity(f).map(|s| (plan, f, s)))
        })
    }
}

impl PlanReport {
    /// Where a finding is anchored: its primary location, else line 1 of the plan file.
    pub fn anchor(&self, finding: &Finding) -> crate::finding::Location {
        finding
            .primary_location()
            .cloned()
            .unwrap_or_else(|| crate::finding::Location {
                file: if self.path == "<stdin>" {
                    "stdin".to_owned()
                } else {
                    self.path.clone()
                },
                line: 1,
                column: None,
            })
    }
}

/// One line saying what a finding is, for titles and messages.
pub fn headline(finding: &Finding) -> String {
    let what = match (finding.effective_verdict(), finding.mode.as_deref()) {
        (Verdict::Fail, Some(mode)) => format!("X-Ray tracing is {mode}, not Active"),
        (Verdict::Fail, None) => {
            "no X-Ray tracing mode is set, so AWS applies PassThrough".to_owned()
        }
        (Verdict::Unknown, _) => "the X-Ray tracing mode is known only after apply".to_owned(),
        (Verdict::Pass, _) => "X-Ray tracing is Active".to_owned(),
        (Verdict::Skipped, _) => "not judged".to_owned(),
    };
    format!("{}: {what}", finding.address)
}
