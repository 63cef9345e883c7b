//! The report for people: failures and unknowns with their evidence and fix, one summary line.
//! Every string from the plan goes through `escape::terminal` before it is written.

use super::escape::terminal as clean;
use super::{counts_line, scope_words, undecided_words, Settings};
use crate::finding::{Finding, Verdict};
use crate::outcome::{Gate, InputKind, Outcome, Undecided, UnknownPolicy};
use crate::rule::TRACING;
use std::borrow::Cow;
use std::io::{self, Write};

const RED: &str = "\x1b[1;31m";
const YELLOW: &str = "\x1b[1;33m";
const GREEN: &str = "\x1b[32m";
const CYAN: &str = "\x1b[36m";
const DIM: &str = "\x1b[2m";
const BOLD: &str = "\x1b[1m";
const RESET: &str = "\x1b[0m";

struct Painter {
    color: bool,
}

impl Painter {
    fn paint<'t>(&self, code: &str, text: &'t str) -> Cow<'t, str> {
        if self.color {
            Cow::Owned(format!("{code}{text}{RESET}"))
        } else {
            Cow::Borrowed(text)
        }
    }
}

fn label(verdict: Verdict, policy: UnknownPolicy) -> (&'static str, &'static str) {
    match verdict {
        Verdict::Fail => ("FAIL", RED),
        Verdict::Unknown if policy == UnknownPolicy::Fail => ("UNKNOWN", RED),
        Verdict::Unknown => ("UNKNOWN", YELLOW),
        Verdict::Pass => ("PASS", GREEN),
        Verdict::Skipped => ("SKIPPED", DIM),
    }
}

fn write_finding(
    finding: &Finding,
    run: &Outcome,
    painter: &Painter,
    out: &mut dyn Write,
) -> io::Result<()> {
    let (word, code) = label(finding.verdict, run.unknown_policy);
    let mode = match (&finding.mode, finding.verdict) {
        (Some(mode), _) => format!("mode {}", clean(mode)),
        (None, Verdict::Fail) => "no mode set".to_owned(),
        (None, Verdict::Unknown) => "mode known only after apply".to_owned(),
        (None, _) => String::new(),
    };
    writeln!(
        out,
        "{} {}  {}",
        painter.paint(code, &format!("{word:<7}")),
        painter.paint(BOLD, &clean(&finding.display_name())),
        painter.paint(DIM, &mode)
    )?;
    let last = finding.evidence.len().saturating_sub(1);
    for (i, step) in finding.evidence.iter().enumerate() {
        let branch = if i == last { "└─" } else { "├─" };
        let location = step
            .location
            .as_ref()
            .map(|l| format!("  ({})", clean(&l.to_string())))
            .unwrap_or_default();
        writeln!(
            out,
            "        {} {}{}",
            painter.paint(DIM, branch),
            clean(&step.message),
            painter.paint(DIM, &location)
        )?;
    }
    if let Some(fix) = &finding.fix {
        let location = fix
            .location
            .as_ref()
            .map(|l| format!(" ({})", clean(&l.to_string())))
            .unwrap_or_default();
        writeln!(
            out,
            "        {} {}{}",
            painter.paint(CYAN, "fix:"),
            clean(&fix.description),
            location
        )?;
        if let Some(edit) = &fix.edit {
            let (sign, verb) = if edit.start == edit.end {
                ("+", "insert at")
            } else {
                ("~", "replace at")
            };
            writeln!(
                out,
                "             {}",
                painter.paint(DIM, &format!("{verb} {}:", clean(&edit.start.to_string())))
            )?;
            for line in edit.text.trim_end_matches('\n').lines() {
                writeln!(
                    out,
                    "             {}",
                    painter.paint(GREEN, &format!("{sign} {}", clean(line)))
                )?;
            }
        }
    }
    Ok(())
}

pub fn write(run: &Outcome, style: &Settings, out: &mut dyn Write) -> io::Result<()> {
    let painter = Painter { color: style.color };
    for plan in &run.plans {
        let kind = match plan.kind {
            InputKind::Plan => "plan",
            InputKind::State => "state",
        };
        let mut about = vec![kind.to_owned()];
        if let Some(version) = &plan.format_version {
            about.push(format!("format {}", clean(version)));
        }
        if let Some(version) = &plan.terraform_version {
            about.push(format!("Terraform {}", clean(version)));
        }
        if let Some(root) = &run.source_root {
            about.push(format!("sources {}", clean(root)));
        }
        let count = plan.findings.len();
        let scope = scope_words(&plan.scope);
        writeln!(
            out,
            "{}: {count} Lambda function{} ({}){}",
            painter.paint(BOLD, &clean(&plan.path)),
            if count == 1 { "" } else { "s" },
            about.join(", "),
            if scope.is_empty() {
                String::new()
            } else {
                format!("; {}", scope.join("; "))
            }
        )?;
        // Findings are sorted by file: a header each time the file changes groups them.
        let mut current_file: Option<&str> = None;
        for finding in &plan.findings {
            let shown =
                style.verbose || matches!(finding.verdict, Verdict::Fail | Verdict::Unknown);
            if !shown {
                continue;
            }
            let file = finding.primary_location().map(|l| &*l.file);
            if file.is_some() && file != current_file && file != Some(plan.path.as_str()) {
                writeln!(
                    out,
                    "  {}",
                    painter.paint(DIM, &format!("── {}", clean(file.unwrap_or_default())))
                )?;
            }
            current_file = file;
            write_finding(finding, run, &painter, out)?;
        }
        writeln!(out)?;
    }
    let gate = match run.gate() {
        Gate::Pass => painter.paint(GREEN, "gate passed"),
        Gate::Fail => painter.paint(RED, "gate failed"),
        Gate::Error => painter.paint(
            RED,
            undecided_words(run.undecided().unwrap_or(Undecided::InputUnreadable)),
        ),
    };
    writeln!(
        out,
        "{}: {}: {gate} ({} {})",
        env!("CARGO_PKG_NAME"),
        counts_line(run),
        TRACING.id,
        TRACING.title,
    )
}
