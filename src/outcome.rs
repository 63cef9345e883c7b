//! What a run decided: the judged inputs, the inputs that could not be read, the summary and the
//! gate under the unknown policy. Every report reads only this (and findings and rules).

use crate::finding::{Baseline, Finding, Location, Verdict};
use serde::Serialize;

/// How unknown verdicts count toward the gate.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum UnknownPolicy {
    /// Unknown fails the gate.
    Fail,
    /// Unknown is reported as a warning and does not fail the gate.
    #[default]
    Warn,
    /// Unknown is reported as a note and does not fail the gate.
    Pass,
}

/// What kind of document an input was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum InputKind {
    Plan,
    State,
}

/// The findings of one input.
#[derive(Debug)]
pub struct PlanResult {
    /// The input as reports name it: relative to its repository when it is in one.
    pub path: String,
    pub kind: InputKind,
    pub format_version: Option<String>,
    pub terraform_version: Option<String>,
    pub warnings: Vec<String>,
    /// Sorted once by `finding::sort`.
    pub findings: Vec<Finding>,
    /// What the plan covers of what the apply leaves.
    pub scope: PlanScope,
}

/// What a plan covers: whether Terraform says it is complete or errored, whether it only
/// refreshes, and how many functions were judged from outside `resource_changes`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct PlanScope {
    /// `complete` as the plan writes it; `null` when it does not (Terraform before 1.8, OpenTofu).
    pub complete: Option<bool>,
    /// A partial plan saved after an error: the gate is not decided.
    pub errored: bool,
    /// A `-refresh-only` plan: every function is judged from the refreshed state.
    pub refresh_only: bool,
    /// Functions of `prior_state` that the plan does not touch, judged as they are.
    pub from_prior_state: usize,
    /// Functions whose change Terraform deferred to a later plan: unknown.
    pub deferred: usize,
}

/// An input that could not be judged.
#[derive(Debug, Serialize)]
pub struct InputFailure {
    pub path: String,
    pub message: String,
}

/// Why a gate could not be decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Undecided {
    /// An input could not be read.
    InputUnreadable,
    /// A plan errored: Terraform saved it partial, so functions may be missing from it.
    PlanErrored,
}

/// The gate: passes, fails, or could not be decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Gate {
    Pass,
    Fail,
    Error,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Functions judged: every rule judges a subset of them, the tracing rule all.
    pub functions: usize,
    pub pass: usize,
    pub fail: usize,
    pub unknown: usize,
    /// Passes with a hazard (`warn`): reported as warnings.
    pub warn: usize,
    pub skipped: usize,
}

impl Summary {
    /// Counts findings by verdict (a function has one finding per rule that applies to it).
    pub fn of<'f>(findings: impl IntoIterator<Item = &'f Finding>) -> Summary {
        let mut summary = Summary::default();
        let mut per_rule = [0usize; crate::rule::ALL.len()];
        for finding in findings {
            per_rule[crate::rule::index_of(finding.rule)] += 1;
            match finding.verdict {
                Verdict::Pass => summary.pass += 1,
                Verdict::Fail => summary.fail += 1,
                Verdict::Unknown => summary.unknown += 1,
                Verdict::Warn => summary.warn += 1,
                Verdict::Skipped => summary.skipped += 1,
            }
        }
        summary.functions = per_rule.into_iter().max().unwrap_or(0);
        summary
    }
}

/// What a report says a finding is, after the unknown policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    /// Fails the gate.
    Error,
    /// Reported, does not fail the gate (unknown under `--unknown warn`).
    Warning,
    /// Reported quietly (unknown under `--unknown pass`).
    Note,
}

/// `--fail-on`: which failing findings fail the gate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FailOn {
    /// Every failing finding (and unknown under `--unknown fail`).
    #[default]
    All,
    /// Only findings this plan makes new; those already deployed so are warnings.
    New,
}

/// Where a setting's value came from: tracegate's default, `.tracegate.toml [check]` (which
/// comes with the pull request being judged) or the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    Default,
    File(Location),
    Flag,
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Origin::Default => f.write_str("default"),
            Origin::File(at) => write!(f, "{}:{}", at.file, at.line),
            Origin::Flag => f.write_str("flag"),
        }
    }
}

/// One effective setting of the run, for reports: its `.tracegate.toml` key, its value, where
/// it came from, and whether it weakens the gate against the built-in default.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setting {
    pub key: &'static str,
    pub value: serde_json::Value,
    pub origin: Origin,
    pub weakens: bool,
}

impl Setting {
    /// A setting the pull request's file chose: reports name these.
    pub fn from_file(&self) -> bool {
        matches!(self.origin, Origin::File(_))
    }

    /// `key = value` as TOML.
    pub fn assignment(&self) -> String {
        format!(
            "{} = {}",
            self.key,
            crate::support::toml_text::toml_value(&self.value)
        )
    }
}

/// Everything one run judged.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Inputs judged, in the order given.
    pub plans: Vec<PlanResult>,
    /// Inputs that could not be read, in the order given.
    pub errors: Vec<InputFailure>,
    pub unknown_policy: UnknownPolicy,
    /// `--fail-on`: every finding, or only those this plan makes new.
    pub fail_on: FailOn,
    /// The source root read for layer 3 (relative to the repository), if any.
    pub source_root: Option<String>,
    /// What to tell the person running it, in the order it happened (the terminal's stderr).
    pub diagnostics: Vec<Diagnostic>,
    /// The effective settings with their origin (empty when the caller gave none).
    pub settings: Vec<Setting>,
}

/// A warning or error for the terminal, about one input or the run as a whole.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub level: Level,
    /// The input as given on the command line; `None` for the run as a whole.
    pub input: Option<String>,
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Warning,
    Error,
    /// What `.tracegate.toml` chose when it weakens the gate: shown even under `--quiet`.
    Weakened,
}

impl Outcome {
    /// The settings `.tracegate.toml` chose, in key order.
    pub fn settings_from_file(&self) -> impl Iterator<Item = &Setting> {
        self.settings.iter().filter(|s| s.from_file())
    }

    pub fn findings(&self) -> impl Iterator<Item = &Finding> {
        self.plans.iter().flat_map(|p| p.findings.iter())
    }

    pub fn summary(&self) -> Summary {
        Summary::of(self.findings())
    }

    /// Inputs given, read or not.
    pub fn inputs(&self) -> usize {
        self.plans.len() + self.errors.len()
    }

    /// Whether a finding fails the gate under the unknown policy and `--fail-on`.
    pub fn fails_gate(&self, finding: &Finding) -> bool {
        let verdict = finding.verdict;
        let failing = verdict == Verdict::Fail
            || (verdict == Verdict::Unknown && self.unknown_policy == UnknownPolicy::Fail);
        failing && !self.ratcheted(finding)
    }

    /// Whether `--fail-on new` keeps this finding from failing: it was deployed so before.
    pub fn ratcheted(&self, finding: &Finding) -> bool {
        self.fail_on == FailOn::New && finding.baseline == Some(Baseline::Existing)
    }

    /// Why the gate is not decided, if it is not.
    pub fn undecided(&self) -> Option<Undecided> {
        if !self.errors.is_empty() {
            Some(Undecided::InputUnreadable)
        } else if self.plans.iter().any(|p| p.scope.errored) {
            Some(Undecided::PlanErrored)
        } else {
            None
        }
    }

    pub fn gate(&self) -> Gate {
        if self.undecided().is_some() {
            Gate::Error
        } else if self.findings().any(|f| self.fails_gate(f)) {
            Gate::Fail
        } else {
            Gate::Pass
        }
    }

    /// The severity of a finding that reports list, or `None` for pass and skipped (a suppressed
    /// finding keeps the severity of its own verdict; reports mark it suppressed).
    pub fn severity(&self, finding: &Finding) -> Option<Severity> {
        match (finding.effective_verdict(), self.unknown_policy) {
            (Verdict::Fail, _) | (Verdict::Unknown, UnknownPolicy::Fail)
                if self.ratcheted(finding) =>
            {
                Some(Severity::Warning)
            }
            (Verdict::Fail, _) | (Verdict::Unknown, UnknownPolicy::Fail) => Some(Severity::Error),
            (Verdict::Unknown, UnknownPolicy::Warn) => Some(Severity::Warning),
            (Verdict::Unknown, UnknownPolicy::Pass) => Some(Severity::Note),
            (Verdict::Warn, _) => Some(Severity::Warning),
            _ => None,
        }
    }

    /// Each reported finding with its plan, in the one sorted order.
    pub fn reported(&self) -> impl Iterator<Item = (&PlanResult, &Finding, Severity)> {
        self.plans.iter().flat_map(move |plan| {
            plan.findings
                .iter()
                .filter_map(move |f| self.severity(f).map(|s| (plan, f, s)))
        })
    }
}

impl PlanResult {
    /// Where a finding is anchored: its primary location, else line 1 of the plan file.
    pub fn anchor(&self, finding: &Finding) -> Location {
        finding
            .primary_location()
            .cloned()
            .unwrap_or_else(|| Location {
                file: if self.path == "<stdin>" {
                    "stdin".into()
                } else {
                    self.path.as_str().into()
                },
                line: 1,
                column: None,
                byte_column: None,
            })
    }
}
