//! `tracegate rules`: the rule's documentation, as text for people or JSON.

use crate::rule::ALL;
use std::io::{self, Write};

/// The rules, as a JSON array.
pub fn write_json(out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &ALL)?;
    writeln!(out)
}

/// The rules, as text.
pub fn write_text(out: &mut dyn Write) -> io::Result<()> {
    for (i, rule) in ALL.iter().enumerate() {
        if i > 0 {
            writeln!(out)?;
        }
        write_rule(rule, out)?;
    }
    Ok(())
}

fn write_rule(rule: &crate::rule::Rule, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "{}  {}", rule.id, rule.title)?;
    writeln!(
        out,
        "  category: {} · entity: {} · risk: {} (security-severity {})",
        rule.category, rule.entity, rule.risk, rule.security_severity
    )?;
    writeln!(
        out,
        "  judges: {}",
        rule.targets
            .iter()
            .map(|t| format!("{} ({}, {})", t.resource_type, t.provider, t.mode_path))
            .collect::<Vec<_>>()
            .join(", ")
    )?;
    writeln!(out, "\n  {}\n", rule.description)?;
    writeln!(out, "  Why: {}\n", rule.rationale)?;
    writeln!(out, "  How to fix:")?;
    for way in rule.remediation {
        writeln!(out, "    - {way}")?;
    }
    writeln!(out, "    Note: {}\n", rule.permissions_note)?;
    writeln!(out, "  Compliance: {}", rule.compliance.join(", "))?;
    writeln!(out, "  References:")?;
    for reference in rule.references {
        writeln!(out, "    {reference}")?;
    }
    Ok(())
}
