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
use crate::outcome::{Outcome, PlanScope, Undecided};
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

impl Format {
    /// Every format, in the order `--format` lists them.
    pub const ALL: [Format; 7] = [
        Format::Text,
        Format::Json,
        Format::Sarif,
        Format::Gitlab,
        Format::Junit,
        Format::Github,
        Format::Markdown,
    ];

    /// The name `--format`, `--report FORMAT=PATH` and `.tracegate.toml` use.
    pub fn name(self) -> &'static str {
        match self {
            Format::Text => "text",
            Format::Json => "json",
            Format::Sarif => "sarif",
            Format::Gitlab => "gitlab",
            Format::Junit => "junit",
            Format::Github => "github",
            Format::Markdown => "markdown",
        }
    }

    pub fn from_name(name: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.name() == name)
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
    /// Keep suppressed findings in SARIF as results with `suppressions` (GitHub code scanning
    /// ignores that property and shows them as open alerts, so they are left out by default).
    pub sarif_suppressed: bool,
    /// Text: print only failing findings and the summary line (no plan headers, no unknowns).
    pub quiet: bool,
    /// Text: wrap evidence at this many columns (`None`: do not wrap).
    pub width: Option<usize>,
    /// Text: file locations as OSC 8 hyperlinks (only ever set for a terminal).
    pub hyperlinks: bool,
    /// Text: the `file://` URI of the directory that report paths are relative to (links are
    /// that and the path).
    pub link_base: Option<String>,
    /// Markdown: stop adding rows before the output reaches this many bytes, and say what was
    /// left out (the GitHub step summary takes at most 1 MiB per step).
    pub markdown_budget: Option<usize>,
}

/// What GitHub shows per step: 10 error and 10 warning annotations (GitHub REST docs, "Checks
/// runs": "GitHub Actions are limited to 10 warning annotations and 10 error annotations per
/// step"); notices are held to the same number.
pub const ANNOTATIONS_PER_LEVEL: usize = 10;

/// The step summary budget: GitHub refuses a step's whole summary above 1 MiB ("each step is
/// restricted to a maximum size of 1MiB", workflow commands docs); tracegate stays below it with
/// room for what other writers append.
pub const SUMMARY_BUDGET: usize = 1_000_000;

/// Several inputs were given in one run: identities that must be unique per plan (SARIF
/// fingerprints, JUnit class names) then carry the plan's path. Counted on the inputs given, not
/// those read, so an input that fails to read one day does not change the others' identities.
pub fn several_plans(outcome: &Outcome) -> bool {
    outcome.inputs() > 1
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

/// The counts every summary line gives: "2 fail, 0 unknown, 1 pass, 0 skipped in 1 input", and
/// in words what came from outside the plan's changes.
pub fn counts_line(outcome: &Outcome) -> String {
    let summary = outcome.summary();
    let inputs = outcome.inputs();
    let mut line = format!(
        "{} fail, {} unknown, {} pass, {} skipped in {inputs} input{}",
        summary.fail,
        summary.unknown,
        summary.pass,
        summary.skipped,
        if inputs == 1 { "" } else { "s" }
    );
    let total = outcome
        .plans
        .iter()
        .fold(PlanScope::default(), |mut total, plan| {
            total.from_prior_state += plan.scope.from_prior_state;
            total.deferred += plan.scope.deferred;
            total
        });
    let words = scope_words(&total);
    if !words.is_empty() {
        line.push_str(&format!(" ({})", words.join("; ")));
    }
    line
}

/// What a plan covers, in words: "3 functions not in this plan, judged from prior state".
pub fn scope_words(scope: &PlanScope) -> Vec<String> {
    let plural = |n: usize| if n == 1 { "function" } else { "functions" };
    let mut words = Vec::new();
    if scope.errored {
        words.push("the plan errored: partial".to_owned());
    }
    if scope.refresh_only {
        words.push(format!(
            "refresh-only: {} {} judged from the refreshed state",
            scope.from_prior_state,
            plural(scope.from_prior_state)
        ));
    } else if scope.from_prior_state > 0 {
        words.push(format!(
            "{} {} not in this plan, judged from prior state",
            scope.from_prior_state,
            plural(scope.from_prior_state)
        ));
    }
    if scope.deferred > 0 {
        words.push(format!(
            "{} {} deferred to a later plan",
            scope.deferred,
            plural(scope.deferred)
        ));
    }
    words
}

/// Why the gate is not decided, in words.
pub fn undecided_words(why: Undecided) -> &'static str {
    match why {
        Undecided::InputUnreadable => "gate not decided: an input could not be read",
        Undecided::PlanErrored => "gate not decided: a plan errored (Terraform saved it partial)",
    }
}

/// The rules a run reports on after the first (`; TG.LAMBDA.XRAY.PERMISSION`), those with findings.
pub fn other_rules(run: &Outcome) -> String {
    let mut line = String::new();
    for rule in crate::rule::ALL.iter().skip(1) {
        if run.findings().any(|f| f.rule == rule.id) {
            line.push_str(&format!("; {}", rule.id));
        }
    }
    line
}

/// One line saying what a finding is, for titles and messages.
pub fn headline(finding: &Finding) -> String {
    if finding.rule == crate::rule::XRAY_PERMISSION.id {
        let what = match finding.effective_verdict() {
            Verdict::Fail => "its execution role may not write to X-Ray, so the apply with Active tracing fails",
            Verdict::Unknown => "whether its execution role may write to X-Ray is known only after apply",
            Verdict::Warn => "its X-Ray grant is created in the same apply with no dependency, so it may arrive too late",
            Verdict::Pass => "its execution role may write to X-Ray",
            Verdict::Skipped => "not judged",
        };
        return format!("{}: {what}", finding.display_name());
    }
    let what = match (finding.effective_verdict(), finding.mode.as_deref()) {
        (Verdict::Fail, Some(mode)) => format!("X-Ray tracing is {mode}, not Active"),
        (Verdict::Fail, None) => {
            "no X-Ray tracing mode is set, so AWS applies PassThrough".to_owned()
        }
        (Verdict::Unknown, _) => "the X-Ray tracing mode is known only after apply".to_owned(),
        (Verdict::Pass | Verdict::Warn, _) => "X-Ray tracing is Active".to_owned(),
        (Verdict::Skipped, _) => "not judged".to_owned(),
    };
    format!("{}: {what}", finding.display_name())
}
