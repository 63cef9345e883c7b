//! A Markdown summary: a headline and one table row per failing or unknown function. Every cell
//! is escaped (no HTML, no links, no pipes or line breaks from plan values).

use super::escape::markdown as cell;
use super::{counts_line, Settings};
use crate::outcome::{Gate, Outcome, Severity, Undecided};
use crate::rule::TRACING;
use std::io::{self, Write};

pub fn write(run: &Outcome, _settings: &Settings, out: &mut dyn Write) -> io::Result<()> {
    let gate = match run.gate() {
        Gate::Pass => "✅ gate passed",
        Gate::Fail => "❌ gate failed",
        Gate::Error => match run.undecided() {
            Some(Undecided::PlanErrored) => {
                "⚠️ gate not decided: a plan errored (Terraform saved it partial)"
            }
            _ => "⚠️ gate not decided: an input could not be read",
        },
    };
    writeln!(
        out,
        "### tracegate: {gate}\n\n{} · rule {}: {}\n",
        counts_line(run),
        TRACING.id,
        TRACING.title
    )?;
    let rows: Vec<_> = run.reported().collect();
    if !rows.is_empty() {
        writeln!(out, "| | Function | Mode | Where | Fix |")?;
        writeln!(out, "|---|---|---|---|---|")?;
        for (plan, finding, severity) in rows {
            let verdict = match (severity, finding.suppression.is_some()) {
                (_, true) => "🔕 suppressed",
                (Severity::Error, _) => "❌ fail",
                (Severity::Warning | Severity::Note, _) => "❔ unknown",
            };
            let mode = finding
                .mode
                .as_deref()
                .unwrap_or(match finding.effective_verdict() {
                    crate::finding::Verdict::Unknown => "after apply",
                    _ => "not set",
                });
            let fix = finding
                .suppression
                .as_ref()
                .map(|s| s.justification.clone())
                .or_else(|| finding.fix.as_ref().map(|f| f.description.clone()))
                .unwrap_or_default();
            writeln!(
                out,
                "| {verdict} | {} | {} | {} | {} |",
                cell(&finding.display_name()),
                cell(mode),
                cell(&plan.anchor(finding).to_string()),
                cell(&fix)
            )?;
        }
        writeln!(out)?;
    }
    for error in &run.errors {
        writeln!(out, "- ⚠️ {}: {}", cell(&error.path), cell(&error.message))?;
    }
    Ok(())
}
