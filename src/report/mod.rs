//! Reports: one file per format. Each is `write(&Outcome, &Settings, &mut dyn Write)`: it reads
//! only the outcome, findings and rules, and writes bytes.

pub mod escape;
pub mod github;
pub mod gitlab;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod rdjson;
pub mod rules;
pub mod sarif;
pub mod text;

use crate::finding::Finding;
use crate::outcome::{Outcome, PlanScope, Summary, Undecided};
use crate::rule::Rule;
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
    /// reviewdog's Diagnostic Format, with the fixes as suggestions.
    Rdjson,
}

impl Format {
    /// Every format, in the order `--format` lists them.
    pub const ALL: [Format; 8] = [
        Format::Text,
        Format::Json,
        Format::Sarif,
        Format::Gitlab,
        Format::Junit,
        Format::Github,
        Format::Markdown,
        Format::Rdjson,
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
            Format::Rdjson => "rdjson",
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
        Format::Rdjson => rdjson::write,
    };
    write(outcome, settings, out)
}

/// The counts every summary line gives: "2 fail, 0 unknown, 1 pass, 0 skipped in 1 input", for
/// the first rule with findings, then each other rule's non-zero counts
/// ("; TG.LAMBDA.XRAY.PERMISSION: 1 fail, 2 unknown"), and in words what came from outside the
/// plan's changes.
pub fn counts_line(outcome: &Outcome) -> String {
    let inputs = outcome.inputs();
    let mut rules = rule_summaries(outcome).into_iter();
    let first = rules.next().map(|(_, summary)| summary).unwrap_or_default();
    let mut line = format!(
        "{} fail, {} unknown, {} pass, {} skipped in {inputs} input{}",
        first.fail,
        first.unknown,
        first.pass,
        first.skipped,
        if inputs == 1 { "" } else { "s" }
    );
    for (rule, summary) in rules {
        let parts: Vec<String> = [
            (summary.fail, "fail"),
            (summary.unknown, "unknown"),
            (summary.warn, "warn"),
            (summary.pass, "pass"),
            (summary.skipped, "skipped"),
        ]
        .into_iter()
        .filter(|(count, _)| *count > 0)
        .map(|(count, word)| format!("{count} {word}"))
        .collect();
        line.push_str(&format!("; {}: {}", rule.id, parts.join(", ")));
    }
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

/// Each rule that has findings, in registry order, with its counts.
fn rule_summaries(outcome: &Outcome) -> Vec<(&'static Rule, Summary)> {
    crate::rule::ALL
        .iter()
        .filter_map(|rule| {
            let mut findings = outcome.findings().filter(|f| f.rule == rule.id).peekable();
            findings.peek()?;
            Some((*rule, Summary::of(findings)))
        })
        .collect()
}

/// The rule a summary line is about: the first with findings (the tracing rule unless only
/// others ran).
pub fn primary_rule(outcome: &Outcome) -> &'static Rule {
    rule_summaries(outcome)
        .first()
        .map_or(crate::rule::ALL[0], |(rule, _)| *rule)
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

/// One line saying what a finding is, for titles and messages: its rule words it.
pub fn headline(finding: &Finding) -> String {
    let rule = crate::rule::ALL[crate::rule::index_of(finding.rule)];
    let what = (rule.headline)(finding.effective_verdict(), finding.mode.as_deref());
    format!("{}: {what}", finding.display_name())
}
