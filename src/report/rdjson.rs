//! reviewdog's Diagnostic Format (rdjson, `proto/rdf/reviewdog.proto`): one diagnostic per
//! finding that is not passing and not suppressed, with its rule code, and the fix's edit as a
//! `suggestion`, so `reviewdog -f=rdjson -reporter=github-pr-review` posts a one-click change
//! on the pull request. Columns are written in UTF-8 bytes, as reviewdog counts them (see
//! `position`).

use super::{escape, Settings};
use crate::finding::{Finding, Location, Verdict};
use crate::outcome::Outcome;
use crate::rule;
use serde::Serialize;
use std::io::{self, Write};

#[derive(Serialize)]
struct Result<'r> {
    source: Source,
    diagnostics: Vec<Diagnostic<'r>>,
}

#[derive(Serialize)]
struct Source {
    name: &'static str,
    url: &'static str,
}

#[derive(Serialize)]
struct Diagnostic<'r> {
    message: String,
    location: Place<'r>,
    severity: &'static str,
    source: Source,
    code: Code,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    suggestions: Vec<Suggestion<'r>>,
}

#[derive(Serialize)]
struct Place<'r> {
    path: &'r str,
    #[serde(skip_serializing_if = "Option::is_none")]
    range: Option<Range>,
}

#[derive(Serialize)]
struct Range {
    start: Position,
    #[serde(skip_serializing_if = "Option::is_none")]
    end: Option<Position>,
}

#[derive(Serialize)]
struct Position {
    line: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    column: Option<u32>,
}

#[derive(Serialize)]
struct Code {
    value: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<&'static str>,
}

#[derive(Serialize)]
struct Suggestion<'r> {
    range: Range,
    text: &'r str,
}

fn source() -> Source {
    Source {
        name: "tracegate",
        url: env!("CARGO_PKG_REPOSITORY"),
    }
}

/// reviewdog counts columns in UTF-8 bytes (`Position.column`, testdata/schemas/reviewdog-rdf/
/// Position.json: "byte count in UTF-8"); tracegate's `Location.column` counts characters, so
/// the byte column is what is written, and no column where it is not known.
fn position(location: &Location) -> Position {
    Position {
        line: location.line,
        column: location.column.and(location.byte_column),
    }
}

/// `plan` names the input: a finding with no place in the files (a plan read from stdin,
/// without sources) is reported against it, since a failure left out would let
/// `reviewdog -fail-level=error` pass.
fn diagnostic<'r>(finding: &'r Finding, plan: &'r str) -> Option<Diagnostic<'r>> {
    if finding.suppression.is_some() {
        return None;
    }
    let severity = match finding.verdict {
        Verdict::Fail => "ERROR",
        Verdict::Unknown | Verdict::Warn => "WARNING",
        Verdict::Pass | Verdict::Skipped => return None,
    };
    let location = finding.primary_location();
    let conclusion = finding
        .evidence
        .last()
        .map(|step| step.message.as_ref())
        .unwrap_or_default();
    // reviewdog posts the message as Markdown on the pull request: plan and source values in
    // it (addresses, modes, descriptions) are escaped so they cannot link, mention or format.
    let mut message = format!(
        "{} ({}): {}",
        escape::markdown(&finding.display_name()),
        finding.verdict,
        escape::markdown(conclusion)
    );
    if let Some(fix) = &finding.fix {
        message.push_str(&format!("\nFix: {}", escape::markdown(&fix.description)));
    }
    let suggestions = finding
        .fix
        .as_ref()
        .and_then(|fix| fix.edit.as_ref())
        // reviewdog applies a suggestion to the diagnostic's file only.
        .filter(|edit| {
            location.is_some_and(|l| edit.start.file == l.file && edit.end.file == l.file)
        })
        // Without byte columns the range would cover whole lines: no suggestion then.
        .filter(|edit| edit.start.byte_column.is_some() && edit.end.byte_column.is_some())
        .map(|edit| Suggestion {
            range: Range {
                start: position(&edit.start),
                end: Some(position(&edit.end)),
            },
            text: &edit.text,
        })
        .into_iter()
        .collect();
    Some(Diagnostic {
        message,
        location: match location {
            Some(location) => Place {
                path: &location.file,
                range: Some(Range {
                    start: position(location),
                    end: None,
                }),
            },
            None => Place {
                path: plan,
                range: None,
            },
        },
        severity,
        source: source(),
        code: Code {
            value: finding.rule,
            url: rule::find(finding.rule).and_then(|r| r.references.first().copied()),
        },
        suggestions,
    })
}

pub fn write(outcome: &Outcome, _settings: &Settings, out: &mut dyn Write) -> io::Result<()> {
    let report = Result {
        source: source(),
        diagnostics: outcome
            .plans
            .iter()
            .flat_map(|plan| plan.findings.iter().map(|f| (f, plan.path.as_str())))
            .filter_map(|(finding, plan)| diagnostic(finding, plan))
            .collect(),
    };
    serde_json::to_writer_pretty(&mut *out, &report)?;
    writeln!(out)
}
