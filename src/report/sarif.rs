//! SARIF 2.1.0 for GitHub code scanning, through serde-sarif's types. GitHub rejects a whole upload
//! when one result lacks a location, so every result has a repository-relative physical location
//! with `startLine >= 1`.

use super::{escape, headline, Settings};
use crate::finding::{Baseline, Finding, Location, SuppressionKind};
use crate::outcome::{Outcome, Severity};
use crate::rule::{self, Rule};
use crate::support::hex;
use rayon::prelude::*;
use serde_sarif::sarif;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::io::{self, Write};

pub const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

fn physical(location: &Location) -> sarif::PhysicalLocation {
    let mut region = sarif::Region::builder()
        .start_line(i64::from(location.line.max(1)))
        .build();
    region.start_column = location.column.map(|c| i64::from(c.max(1)));
    sarif::PhysicalLocation::builder()
        .artifact_location(
            sarif::ArtifactLocation::builder()
                .uri(uri(&location.file))
                .build(),
        )
        .region(region)
        .build()
}

/// A relative URI reference: path segments percent-encoded where URIs require it.
fn uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        match byte {
            b'A'..=b'Z'
            | b'a'..=b'z'
            | b'0'..=b'9'
            | b'-'
            | b'.'
            | b'_'
            | b'~'
            | b'/'
            | b'@'
            | b'+'
            | b'=' => out.push(byte as char),
            other => out.push_str(&format!("%{other:02X}")),
        }
    }
    out
}

fn rule(rule: &Rule) -> sarif::ReportingDescriptor {
    let help_text = format!(
        "{}\n\nWhy: {}\n\nHow to fix:\n{}\n\n{}\n\nReferences:\n{}",
        rule.description,
        rule.rationale,
        rule.remediation
            .iter()
            .map(|r| format!("- {r}"))
            .collect::<Vec<_>>()
            .join("\n"),
        rule.permissions_note,
        rule.references
            .iter()
            .map(|r| format!("- {r}"))
            .collect::<Vec<_>>()
            .join("\n"),
    );
    let help_markdown = format!(
        "**{}**\n\n{}\n\n**Why.** {}\n\n**How to fix.**\n\n{}\n\n```hcl\nresource \"aws_lambda_function\" \"example\" {{\n  # ...\n  tracing_config {{\n    mode = \"Active\"\n  }}\n}}\n```\n\n{}\n\n**References.** CloudGuard rule {} ({}); {}",
        rule.title,
        rule.description,
        rule.rationale,
        rule.remediation.iter().map(|r| format!("- {r}")).collect::<Vec<_>>().join("\n"),
        rule.permissions_note,
        rule.id,
        rule.compliance.join(", "),
        rule.references.iter().map(|r| format!("<{r}>")).collect::<Vec<_>>().join(", "),
    );
    let mut tags: Vec<String> = vec![
        "security".into(),
        "observability".into(),
        "aws-lambda".into(),
        "terraform".into(),
    ];
    tags.extend(rule.compliance.iter().map(|c| c.to_string()));
    let properties = sarif::PropertyBag::builder()
        .tags(tags)
        .additional_properties(BTreeMap::from([
            ("precision".to_owned(), serde_json::json!("very-high")),
            (
                "security-severity".to_owned(),
                serde_json::json!(rule.security_severity),
            ),
            ("problem.severity".to_owned(), serde_json::json!("error")),
        ]))
        .build();
    sarif::ReportingDescriptor::builder()
        .id(rule.id)
        .name("LambdaActiveXRayTracing")
        .short_description(
            sarif::MultiformatMessageString::builder()
                .text(rule.title)
                .build(),
        )
        .full_description(
            sarif::MultiformatMessageString::builder()
                .text(rule.description)
                .build(),
        )
        .help(
            sarif::MultiformatMessageString::builder()
                .text(help_text)
                .markdown(help_markdown)
                .build(),
        )
        .help_uri(rule.references[0])
        .default_configuration(
            sarif::ReportingConfiguration::builder()
                .level(serde_json::json!("error"))
                .build(),
        )
        .properties(properties)
        .build()
}

fn fixes(finding: &Finding) -> Option<Vec<sarif::Fix>> {
    let fix = finding.fix.as_ref()?;
    let edit = fix.edit.as_ref()?;
    let mut deleted = sarif::Region::builder()
        .start_line(i64::from(edit.start.line))
        .build();
    deleted.start_column = edit.start.column.map(i64::from);
    deleted.end_line = Some(i64::from(edit.end.line));
    deleted.end_column = edit.end.column.map(i64::from);
    let replacement = sarif::Replacement::builder()
        .deleted_region(deleted)
        .inserted_content(
            sarif::ArtifactContent::builder()
                .text(edit.text.clone())
                .build(),
        )
        .build();
    let change = sarif::ArtifactChange::builder()
        .artifact_location(
            sarif::ArtifactLocation::builder()
                .uri(uri(&edit.start.file))
                .build(),
        )
        .replacements(vec![replacement])
        .build();
    Some(vec![sarif::Fix::builder()
        .description(
            sarif::Message::builder()
                .text(fix.description.clone())
                .build(),
        )
        .artifact_changes(vec![change])
        .build()])
}

/// The result's identity in code scanning. One plan: SHA-256 of rule and address (and deposed key),
/// as it always was, so existing alerts keep matching. Several plans in one run: that digest and
/// the plan's path, hashed again, so two roots with the same address stay two alerts.
fn fingerprint(plan: &crate::outcome::PlanResult, finding: &Finding, several: bool) -> String {
    if !several {
        return finding.fingerprint.hex();
    }
    let mut hasher = Sha256::new();
    hasher.update(finding.fingerprint.hex().as_bytes());
    hasher.update([0]);
    hasher.update(plan.path.as_bytes());
    hex::lower(&hasher.finalize())
}

fn result(
    plan: &crate::outcome::PlanResult,
    finding: &Finding,
    severity: Severity,
    several: bool,
) -> sarif::Result {
    let level = match severity {
        Severity::Error => sarif::ResultLevel::Error,
        Severity::Warning => sarif::ResultLevel::Warning,
        Severity::Note => sarif::ResultLevel::Note,
    };
    let mut message = headline(finding);
    if let Some(fix) = &finding.fix {
        message.push_str(&format!(". Fix: {}", fix.description));
    }
    let logical = sarif::LogicalLocation::builder()
        .fully_qualified_name(finding.address.clone())
        .name(finding.display_name())
        .kind("resource")
        .build();
    let location = sarif::Location::builder()
        .physical_location(physical(&plan.anchor(finding)))
        .logical_locations(vec![logical])
        .build();
    let related: Vec<sarif::Location> = finding
        .evidence
        .iter()
        .filter_map(|step| step.location.as_ref().map(|l| (step, l)))
        .enumerate()
        .map(|(i, (step, l))| {
            sarif::Location::builder()
                .id(i as i64)
                .physical_location(physical(l))
                .message(
                    sarif::Message::builder()
                        .text(escape::sarif_message(&step.message))
                        .build(),
                )
                .build()
        })
        .collect();
    let evidence = finding
        .evidence
        .iter()
        .map(|e| e.message.clone())
        .collect::<Vec<_>>();
    let mut properties = BTreeMap::from([
        (
            "verdict".to_owned(),
            serde_json::json!(finding.effective_verdict()),
        ),
        ("mode".to_owned(), serde_json::json!(finding.mode)),
        ("actions".to_owned(), serde_json::json!(finding.actions)),
        ("plan".to_owned(), serde_json::json!(plan.path)),
        ("evidence".to_owned(), serde_json::json!(evidence)),
    ]);
    if let Some(key) = &finding.deposed {
        properties.insert("deposed".to_owned(), serde_json::json!(key));
    }
    let properties = sarif::PropertyBag::builder()
        .additional_properties(properties)
        .build();
    let mut result = sarif::Result::builder()
        .rule_id(finding.rule)
        .rule_index(rule::index_of(finding.rule) as i64)
        .level(level)
        .message(
            sarif::Message::builder()
                .text(escape::sarif_message(&message))
                .build(),
        )
        .locations(vec![location])
        .partial_fingerprints(BTreeMap::from([(
            "tracegateFingerprint/v1".to_owned(),
            fingerprint(plan, finding, several),
        )]))
        .properties(properties)
        .build();
    if !related.is_empty() {
        result.related_locations = Some(related);
    }
    // The plan's `before` says whether the finding is new with it (SARIF 2.1.0 §3.27.24).
    result.baseline_state = finding.baseline.map(|b| {
        serde_json::json!(match b {
            Baseline::New => "new",
            Baseline::Existing => "unchanged",
        })
    });
    result.fixes = fixes(finding);
    if let Some(suppression) = &finding.suppression {
        let kind = match suppression.kind {
            SuppressionKind::InSource => "inSource",
            SuppressionKind::External => "external",
        };
        let mut entry = sarif::Suppression::builder()
            .kind(serde_json::json!(kind))
            .justification(suppression.justification.clone())
            .build();
        // Another tool's skip comment: which tool, and the comment as written.
        if let (Some(tool), Some(comment)) = (suppression.tool, &suppression.comment) {
            let mut properties = sarif::PropertyBag::builder().build();
            properties
                .additional_properties
                .insert("tool".to_owned(), serde_json::json!(tool.name()));
            properties
                .additional_properties
                .insert("comment".to_owned(), serde_json::json!(comment));
            entry.properties = Some(properties);
        }
        entry.location = suppression.location.as_ref().map(|l| {
            sarif::Location::builder()
                .physical_location(physical(l))
                .build()
        });
        result.suppressions = Some(vec![entry]);
    }
    result
}

/// Results are built and serialised in parallel, this many at a time, then written in order: a
/// SARIF of a million functions is never held whole.
const RESULTS_AT_ONCE: usize = 2048;

/// `results`: every reported finding (suppressed ones only when asked: GitHub code scanning does
/// not read `suppressions`, so a suppressed result would be an open alert).
fn write_results(
    run: &Outcome,
    several: bool,
    suppressed: bool,
    out: &mut dyn Write,
) -> io::Result<()> {
    let reported: Vec<_> = run
        .reported()
        .filter(|(_, finding, _)| suppressed || finding.suppression.is_none())
        .collect();
    out.write_all(b"[")?;
    let mut pieces = Vec::with_capacity(RESULTS_AT_ONCE.min(reported.len()));
    for (chunk, slice) in reported.chunks(RESULTS_AT_ONCE).enumerate() {
        slice
            .par_iter()
            .map(|&(plan, finding, severity)| {
                let mut piece = Vec::with_capacity(1024);
                escape::write_json_piece(&mut piece, &result(plan, finding, severity, several))
                    .map(|()| piece)
            })
            .collect_into_vec(&mut pieces);
        for (i, piece) in pieces.drain(..).enumerate() {
            if chunk > 0 || i > 0 {
                out.write_all(b",")?;
            }
            out.write_all(&piece?)?;
        }
    }
    out.write_all(b"]")
}

pub fn write(run: &Outcome, settings: &Settings, out: &mut dyn Write) -> io::Result<()> {
    let several = super::several_plans(run);
    let driver = sarif::ToolComponent::builder()
        .name(env!("CARGO_PKG_NAME"))
        .version(env!("CARGO_PKG_VERSION"))
        .semantic_version(env!("CARGO_PKG_VERSION"))
        .information_uri(rule::ALL[0].references[0])
        .rules(rule::ALL.iter().map(|r| rule(r)).collect::<Vec<_>>())
        .build();
    let notifications: Vec<sarif::Notification> = run
        .errors
        .iter()
        .map(|e| {
            sarif::Notification::builder()
                .message(
                    sarif::Message::builder()
                        .text(format!("{}: {}", e.path, e.message))
                        .build(),
                )
                .level(serde_json::json!("error"))
                .build()
        })
        .collect();
    let mut invocation = sarif::Invocation::builder()
        .execution_successful(run.undecided().is_none())
        .build();
    if !notifications.is_empty() {
        invocation.tool_execution_notifications = Some(notifications);
    }
    if !run.settings.is_empty() {
        let mut properties = sarif::PropertyBag::builder().build();
        properties
            .additional_properties
            .insert("settings".to_owned(), super::json::settings(run));
        invocation.properties = Some(properties);
    }
    // What `.tracegate.toml` (from the pull request) chose, as configuration notifications.
    let configured: Vec<sarif::Notification> = run
        .settings_from_file()
        .map(|s| {
            let text = format!(
                "{} from {}{}",
                s.assignment(),
                s.origin,
                if s.weakens { ": weakens the gate" } else { "" }
            );
            sarif::Notification::builder()
                .message(
                    sarif::Message::builder()
                        .text(escape::visible(&text).into_owned())
                        .build(),
                )
                .level(serde_json::json!(if s.weakens {
                    "warning"
                } else {
                    "note"
                }))
                .build()
        })
        .collect();
    if !configured.is_empty() {
        invocation.tool_configuration_notifications = Some(configured);
    }
    let automation_details = settings.category.as_ref().map(|category| {
        // GitHub takes everything up to the last `/` as the category.
        let id = if category.ends_with('/') {
            category.clone()
        } else {
            format!("{category}/")
        };
        sarif::RunAutomationDetails::builder().id(id).build()
    });
    // The log as serde-sarif's `Sarif` writes it compact (fields in its alphabetical order),
    // written field by field so that the results stream.
    out.write_all(b"{\"$schema\":")?;
    escape::write_json_piece(out, &SCHEMA)?;
    out.write_all(b",\"runs\":[{")?;
    if let Some(details) = &automation_details {
        out.write_all(b"\"automationDetails\":")?;
        escape::write_json_piece(out, details)?;
        out.write_all(b",")?;
    }
    out.write_all(b"\"columnKind\":\"unicodeCodePoints\",\"invocations\":[")?;
    escape::write_json_piece(out, &invocation)?;
    out.write_all(b"],\"results\":")?;
    write_results(run, several, settings.sarif_suppressed, out)?;
    out.write_all(b",\"tool\":")?;
    escape::write_json_piece(out, &sarif::Tool::builder().driver(driver).build())?;
    out.write_all(b"}],\"version\":\"2.1.0\"}\n")
}
