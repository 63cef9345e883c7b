//! Reports: one file per format. Each is `write(&Outcome, &Settings, &mut dyn Write)`: it reads
//! only the outcome, findings and rules, and writes bytes.

pub mod escape;
pub mod github;
pub mod gitlab;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod rules;
pub mod sarif;
pub mod text;

use crate::finding::{Finding, Verdict};
use crate::outcome::Outcome;
use std::io::{self, Write};

/// The output formats. Each is a leaf under `src/report/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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

/// Writes `outcome` in `format`.
pub fn write(
    format: Format,
    outcome: &Outcome,
    settings: &Settings,
    out: &mut dyn Write,
) -> io::Result<()> {
    let write = match format {
        Format::Text => text::write,
        Format::Json => json::write,
        Format::Sarif => sarif::write,
        Format::Gitlab => gitlab::write,
        Format::Junit => junit::write,
        Format::Github => github::write,
        Format::Markdown => markdown::write,
    };
    write(outcome, settings, out)
}

/// The counts every summary line gives: "2 fail, 0 unknown, 1 pass, 0 skipped in 1 input".
pub fn counts_line(outcome: &Outcome) -> String {
    let summary = outcome.summary();
    let inputs = outcome.inputs();
    format!(
        "{} fail, {} unknown, {} pass, {} skipped in {inputs} input{}",
        summary.fail,
        summary.unknown,
        summary.pass,
        summary.skipped,
        if inputs == 1 { "" } else { "s" }
    )
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
