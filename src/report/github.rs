//! GitHub workflow commands: an annotation per failing or unknown function, on the line to fix.
//! Every value is escaped by GitHub's rules, so nothing from the plan can end the command, start a
//! new line or inject another command.
//!
//! GitHub shows at most 10 error and 10 warning annotations per step and drops the rest silently,
//! so the most important come first (unreadable inputs, then findings on a `.tf` line, then those
//! anchored in the plan), at most `ANNOTATIONS_PER_LEVEL` of each level are written, and one
//! notice says how many more there are and where they are (the job summary and SARIF). The log
//! still lists the ones left out, as plain lines.

use super::escape::{terminal, workflow_data, workflow_property};
use super::{counts_line, headline, Settings, ANNOTATIONS_PER_LEVEL};
use crate::outcome::{Outcome, Severity};
use std::io::{self, Write};

struct Annotation {
    level: Severity,
    /// 0: an input that could not be read; 1: a finding on a source line; 2: one on the plan.
    rank: u8,
    properties: String,
    message: String,
    /// For the plain log line when the annotation is left out.
    plain: String,
}

fn annotations(run: &Outcome) -> Vec<Annotation> {
    let mut all = Vec::new();
    for error in &run.errors {
        all.push(Annotation {
            level: Severity::Error,
            rank: 0,
            properties: format!(
                "title={}",
                workflow_property(&format!("tracegate could not read {}", error.path))
            ),
            message: workflow_data(&error.message),
            plain: format!(
                "{}: could not read: {}",
                terminal(&error.path),
                terminal(&error.message)
            ),
        });
    }
    for (plan, finding, severity) in run.reported() {
        if finding.suppression.is_some() {
            continue;
        }
        let anchor = plan.anchor(finding);
        let mut message = finding
            .evidence
            .iter()
            .map(|step| match &step.location {
                Some(location) => format!("{} ({location})", step.message),
                None => step.message.to_string(),
            })
            .collect::<Vec<_>>()
            .join("\n");
        if let Some(fix) = &finding.fix {
            message.push_str(&format!("\nfix: {}", fix.description));
        }
        let mut properties = format!(
            "file={},line={}",
            workflow_property(&anchor.file),
            anchor.line.max(1)
        );
        if let Some(column) = anchor.column {
            properties.push_str(&format!(",col={column}"));
        }
        let title = format!("{} {}", finding.rule, headline(finding));
        properties.push_str(&format!(",title={}", workflow_property(&title)));
        let on_plan = *anchor.file == *plan.path || &*anchor.file == "stdin";
        all.push(Annotation {
            level: severity,
            rank: if on_plan { 2 } else { 1 },
            properties,
            message: workflow_data(&message),
            plain: format!("{}: {}", terminal(&anchor.to_string()), terminal(&title)),
        });
    }
    // Stable: within a rank, the one sorted order of findings.
    all.sort_by_key(|a| a.rank);
    all
}

pub fn write(run: &Outcome, _settings: &Settings, out: &mut dyn Write) -> io::Result<()> {
    let all = annotations(run);
    let mut shown = [0usize; 3];
    let mut left_out = Vec::new();
    for annotation in &all {
        let (slot, command) = match annotation.level {
            Severity::Error => (0, "error"),
            Severity::Warning => (1, "warning"),
            Severity::Note => (2, "notice"),
        };
        // Notices keep one place for the notice about what was left out.
        let cap = if slot == 2 {
            ANNOTATIONS_PER_LEVEL - 1
        } else {
            ANNOTATIONS_PER_LEVEL
        };
        if shown[slot] < cap {
            shown[slot] += 1;
            writeln!(
                out,
                "::{command} {}::{}",
                annotation.properties, annotation.message
            )?;
        } else {
            left_out.push(annotation);
        }
    }
    if !left_out.is_empty() {
        let n = left_out.len();
        writeln!(
            out,
            "::notice title={}::{}",
            workflow_property(&format!(
                "tracegate: {n} more finding{} not annotated",
                if n == 1 { " is" } else { "s are" }
            )),
            workflow_data(&format!(
                "GitHub shows at most {ANNOTATIONS_PER_LEVEL} error and {ANNOTATIONS_PER_LEVEL} warning annotations per step; \
                 the job summary and the SARIF report (code scanning) list every finding, and this log lists the {n} below."
            ))
        )?;
        for annotation in left_out {
            writeln!(out, "tracegate: not annotated: {}", annotation.plain)?;
        }
    }
    writeln!(out, "tracegate: {}", counts_line(run))
}
