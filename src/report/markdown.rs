//! A Markdown summary: a headline and one table row per failing or unknown function. Every cell
//! is escaped (no HTML, no links, no pipes or line breaks from plan values).

use super::escape::markdown as cell;
use super::{counts_line, primary_rule, Settings};
use crate::finding::{Finding, Verdict};
use crate::outcome::{Gate, Outcome, PlanResult, Severity, Undecided};
use std::io::{self, Write};

pub fn write(run: &Outcome, settings: &Settings, out: &mut dyn Write) -> io::Result<()> {
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
    let rule = primary_rule(run);
    let header = format!(
        "### tracegate: {gate}\n\n{} · rule {}: {}\n\n",
        counts_line(run),
        rule.id,
        rule.title,
    );
    // What `.tracegate.toml` (from the pull request) chose is said where reviewers read.
    let from_file: Vec<String> = run
        .settings_from_file()
        .map(|s| {
            let text = cell(&format!("{} ({})", s.assignment(), s.origin));
            if s.weakens {
                format!("{text} **weakens the gate**")
            } else {
                text
            }
        })
        .collect();
    let header = if from_file.is_empty() {
        header
    } else {
        format!(
            "{header}Settings from `.tracegate.toml`: {}\n\n",
            from_file.join(" · ")
        )
    };
    let budget = settings.markdown_budget.unwrap_or(usize::MAX);
    // Room kept for the line that says what was left out.
    const RESERVE: usize = 512;
    let mut written = header.len();
    out.write_all(header.as_bytes())?;
    let rows: Vec<_> = run.reported().collect();
    let mut rows_left_out = 0;
    if !rows.is_empty() {
        let table_head = "| | Function | Mode | Where | Fix |\n|---|---|---|---|---|\n";
        written += table_head.len();
        out.write_all(table_head.as_bytes())?;
        for (plan, finding, severity) in rows {
            let row = row(plan, finding, severity);
            if rows_left_out > 0 || written + row.len() + RESERVE > budget {
                rows_left_out += 1;
                continue;
            }
            written += row.len();
            out.write_all(row.as_bytes())?;
        }
        writeln!(out)?;
        written += 1;
    }
    let mut errors_left_out = 0;
    for error in &run.errors {
        let line = format!("- ⚠️ {}: {}\n", cell(&error.path), cell(&error.message));
        if errors_left_out > 0 || written + line.len() + RESERVE > budget {
            errors_left_out += 1;
            continue;
        }
        written += line.len();
        out.write_all(line.as_bytes())?;
    }
    if rows_left_out + errors_left_out > 0 {
        let mut parts = Vec::new();
        if rows_left_out > 0 {
            parts.push(format!(
                "{rows_left_out} more finding{}",
                if rows_left_out == 1 { "" } else { "s" }
            ));
        }
        if errors_left_out > 0 {
            parts.push(format!(
                "{errors_left_out} more unreadable input{}",
                if errors_left_out == 1 { "" } else { "s" }
            ));
        }
        writeln!(
            out,
            "\n_{} left out: the summary stays under GitHub's 1 MiB step limit. The SARIF and JSON reports and the log list everything._",
            parts.join(" and ")
        )?;
    }
    Ok(())
}

fn row(plan: &PlanResult, finding: &Finding, severity: Severity) -> String {
    let verdict = match (severity, finding.suppression.is_some()) {
        (_, true) => "🔕 suppressed",
        (Severity::Error, _) => "❌ fail",
        _ if finding.verdict == Verdict::Warn => "⚠️ warn",
        (Severity::Warning | Severity::Note, _) => "❔ unknown",
    };
    // A finding of another rule than the tracing one names its rule in the mode column.
    let mode = if finding.rule != crate::rule::ALL[0].id {
        finding.rule
    } else {
        finding
            .mode
            .as_deref()
            .unwrap_or(match finding.effective_verdict() {
                Verdict::Unknown => "after apply",
                _ => "not set",
            })
    };
    let fix = finding
        .suppression
        .as_ref()
        .map(|s| s.justification.clone())
        .or_else(|| finding.fix.as_ref().map(|f| f.description.clone()))
        .unwrap_or_default();
    format!(
        "| {verdict} | {} | {} | {} | {} |\n",
        cell(&finding.display_name()),
        cell(mode),
        cell(&plan.anchor(finding).to_string()),
        cell(&fix)
    )
}
