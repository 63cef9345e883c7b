//! GitHub workflow commands: an annotation per failing or unknown function, on the line to fix.
//! Every value is escaped by GitHub's rules, so nothing from the plan can end the command, start a
//! new line or inject another command.

use super::escape::{workflow_data, workflow_property};
use super::{counts_line, headline, Settings};
use crate::outcome::{Outcome, Severity};
use std::io::{self, Write};

pub fn write(run: &Outcome, _settings: &Settings, out: &mut dyn Write) -> io::Result<()> {
    for (plan, finding, severity) in run.reported() {
        if finding.suppression.is_some() {
            continue;
        }
        let command = match severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "notice",
        };
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
        properties.push_str(&format!(
            ",title={}",
            workflow_property(&format!(
                "{} {}",
                crate::rule::TRACING.id,
                headline(finding)
            ))
        ));
        writeln!(out, "::{command} {properties}::{}", workflow_data(&message))?;
    }
    for error in &run.errors {
        writeln!(
            out,
            "::error title={}::{}",
            workflow_property(&format!("tracegate could not read {}", error.path)),
            workflow_data(&error.message)
        )?;
    }
    writeln!(out, "tracegate: {}", counts_line(run))
}
