//! reviewdog's Diagnostic Format (rdjson, `proto/rdf/reviewdog.proto`): one diagnostic per
//! finding that is not passing and not suppressed, with its rule code, and the fix's edit as a
//! `suggestion`, so `reviewdog -f=rdjson -reporter=github-pr-review` posts a one-click change
//! on the pull request. Columns are written in UTF-8 bytes, as reviewdog counts them (see
//! `position`).

use super::Settings;
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

fn diagnostic(finding: &Finding) -> Option<Diagnostic<'_>> {
    if finding.suppression.is_some() {
        return None;
    }
    let severity = match finding.verdict {
        Verdict::Fail => "ERROR",
        Verdict::Unknown | Verdict::Warn => "WARNING",
        Verdict::Pass | Verdict::Skipped => return None,
    };
    let location = finding.primary_location()?;
    let conclusion = finding
        .evidence
        .last()
        .map(|step| step.message.as_ref())
        .unwrap_or_default();
    let mut message = format!(
        "{} ({}): {}",
        finding.display_name(),
        finding.verdict,
        conclusion
    );
    if let Some(fix) = &finding.fix {
        message.push_str(&format!("\nFix: {}", fix.description));
    }
    let suggestions = finding
        .fix
        .as_ref()
        .and_then(|fix| fix.edit.as_ref())
        // reviewdog applies a suggestion to the diagnostic's file only.
        .filter(|edit| edit.start.file == location.file && edit.end.file == location.file)
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
        location: Place {
            path: &location.file,
            range: Some(Range {
                start: position(location),
                end: None,
            }),
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
            .flat_map(|plan| &plan.findings)
            .filter_map(diagnostic)
            .collect(),
    };
    serde_json::to_writer_pretty(&mut *out, &report)?;
    writeln!(out)
}
