//! SARIF 2.1.0 for GitHub code scanning, through serde-sarif's types. GitHub rejects a whole upload
//! when one result lacks a location, so every result has a repository-relative physical location
//! with `startLine >= 1`.

use super::{escape, headline, Settings};
use crate::finding::{Baseline, Finding, Location, SuppressionKind};
use crate::outcome::{Outcome, PlanResult, Severity};
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
fn uri(path: &str) -> std::borrow::Cow<'_, str> {
    fn unreserved(byte: u8) -> bool {
        matches!(byte, b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' | b'@' | b'+' | b'=')
    }
    if path.bytes().all(unreserved) {
        return path.into();
    }
    let mut out = String::with_capacity(path.len() * 3);
    for byte in path.bytes() {
        if unreserved(byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out.into()
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

/// One result through serde-sarif's builders: the reference that [`write_result`] is tested
/// against byte for byte.
#[cfg(test)]
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
    result.suppressions = suppression(finding).map(|entry| vec![entry]);
    result
}

/// A result's suppression as serde-sarif writes it (rare: built with its builders).
fn suppression(finding: &Finding) -> Option<sarif::Suppression> {
    let suppression = finding.suppression.as_ref()?;
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
    Some(entry)
}

/// A JSON string as every report writes it (escaped, invisible characters as `\\u` escapes).
fn string(out: &mut Vec<u8>, text: &str) -> io::Result<()> {
    escape::write_json_str(out, text)
}

/// A `physicalLocation` value, as serde-sarif writes [`physical`]'s.
fn write_physical(out: &mut Vec<u8>, location: &Location) -> io::Result<()> {
    out.extend_from_slice(b"{\"artifactLocation\":{\"uri\":");
    string(out, &uri(&location.file))?;
    out.extend_from_slice(b"},\"region\":{");
    if let Some(column) = location.column {
        write!(out, "\"startColumn\":{},", column.max(1))?;
    }
    write!(out, "\"startLine\":{}}}}}", location.line.max(1))
}

/// One result, written as serde-sarif writes the same `Result` compact (its fields in
/// alphabetical order, absent ones left out) without building it: the builders and their maps
/// cost several microseconds a result on a plan of many functions. The rare parts (fixes,
/// suppressions) still go through serde-sarif's types.
fn write_result(
    out: &mut Vec<u8>,
    plan: &crate::outcome::PlanResult,
    finding: &Finding,
    severity: Severity,
    several: bool,
) -> io::Result<()> {
    out.push(b'{');
    if let Some(baseline) = finding.baseline {
        // The plan's `before` says whether the finding is new with it (SARIF 2.1.0 §3.27.24).
        out.extend_from_slice(match baseline {
            Baseline::New => b"\"baselineState\":\"new\",",
            Baseline::Existing => b"\"baselineState\":\"unchanged\",",
        });
    }
    if let Some(fixes) = fixes(finding) {
        out.extend_from_slice(b"\"fixes\":");
        escape::write_json_piece(out, &fixes)?;
        out.push(b',');
    }
    out.extend_from_slice(match severity {
        Severity::Error => b"\"level\":\"error\"",
        Severity::Warning => b"\"level\":\"warning\"",
        Severity::Note => b"\"level\":\"note\"",
    });
    out.extend_from_slice(b",\"locations\":[{\"logicalLocations\":[{\"fullyQualifiedName\":");
    string(out, &finding.address)?;
    out.extend_from_slice(b",\"kind\":\"resource\",\"name\":");
    string(out, &finding.display_name())?;
    out.extend_from_slice(b"}],\"physicalLocation\":");
    write_physical(out, &plan.anchor(finding))?;
    let mut message = headline(finding);
    if let Some(fix) = &finding.fix {
        message.push_str(". Fix: ");
        message.push_str(&fix.description);
    }
    out.extend_from_slice(b"}],\"message\":{\"text\":");
    string(out, &escape::sarif_message(&message))?;
    out.extend_from_slice(b"},\"partialFingerprints\":{\"tracegateFingerprint/v1\":");
    string(out, &fingerprint(plan, finding, several))?;
    // The property bag is a sorted map: actions, deposed, evidence, mode, plan, verdict.
    out.extend_from_slice(b"},\"properties\":{\"actions\":");
    escape::write_json_piece(out, &finding.actions)?;
    if let Some(key) = &finding.deposed {
        out.extend_from_slice(b",\"deposed\":");
        string(out, key)?;
    }
    out.extend_from_slice(b",\"evidence\":[");
    for (i, step) in finding.evidence.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        string(out, &step.message)?;
    }
    out.extend_from_slice(b"],\"mode\":");
    escape::write_json_piece(out, &finding.mode)?;
    out.extend_from_slice(b",\"plan\":");
    string(out, &plan.path)?;
    out.extend_from_slice(b",\"verdict\":");
    escape::write_json_piece(out, &finding.effective_verdict())?;
    out.push(b'}');
    let mut related = finding
        .evidence
        .iter()
        .filter_map(|step| step.location.as_ref().map(|l| (step, l)))
        .peekable();
    if related.peek().is_some() {
        out.extend_from_slice(b",\"relatedLocations\":[");
        for (i, (step, location)) in related.enumerate() {
            if i > 0 {
                out.push(b',');
            }
            write!(out, "{{\"id\":{i},\"message\":{{\"text\":")?;
            string(out, &escape::sarif_message(&step.message))?;
            out.extend_from_slice(b"},\"physicalLocation\":");
            write_physical(out, location)?;
            out.push(b'}');
        }
        out.push(b']');
    }
    out.extend_from_slice(b",\"ruleId\":");
    string(out, finding.rule)?;
    write!(out, ",\"ruleIndex\":{}", rule::index_of(finding.rule))?;
    if let Some(suppression) = suppression(finding) {
        out.extend_from_slice(b",\"suppressions\":[");
        escape::write_json_piece(out, &suppression)?;
        out.push(b']');
    }
    out.push(b'}');
    Ok(())
}

/// Results are built and serialised in parallel, this many at a time, and written in order: a
/// SARIF of a million functions is never held whole (at most two batches are: the one being
/// written and the one being serialised).
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
    // Each batch is serialised on the pool while this thread writes the one before it.
    let serialise = |slice: &[(&PlanResult, &Finding, Severity)], pieces: &mut Vec<_>| {
        slice
            .par_iter()
            .map(|&(plan, finding, severity)| {
                let mut piece = Vec::with_capacity(1024);
                write_result(&mut piece, plan, finding, severity, several).map(|()| piece)
            })
            .collect_into_vec(pieces)
    };
    let mut first = true;
    let mut write_pieces = |out: &mut dyn Write, pieces: &mut Vec<io::Result<Vec<u8>>>| {
        for piece in pieces.drain(..) {
            if !std::mem::take(&mut first) {
                out.write_all(b",")?;
            }
            out.write_all(&piece?)?;
        }
        io::Result::Ok(())
    };
    let mut ready = Vec::new();
    for slice in reported.chunks(RESULTS_AT_ONCE) {
        let mut next = Vec::with_capacity(slice.len());
        rayon::in_place_scope(|scope| {
            scope.spawn(|_| serialise(slice, &mut next));
            write_pieces(out, &mut ready)
        })?;
        ready = next;
    }
    write_pieces(out, &mut ready)?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::run::{run, RunOptions};

    /// [`write_result`] writes every result byte for byte as serde-sarif writes the `Result` its
    /// builders make ([`result`]): fixes with edits (sources), suppressions of both kinds and of
    /// other tools, deposed objects, hostile names, unknowns and both rules, one plan and several.
    #[test]
    fn results_are_written_as_serde_sarif_writes_them() {
        let real: Vec<String> = std::fs::read_dir("testdata/real")
            .unwrap()
            .map(|e| e.unwrap().path().join("plan.json"))
            .filter(|p| p.is_file())
            .map(|p| p.display().to_string())
            .collect();
        assert!(real.len() > 20);
        let runs = [
            (
                vec!["testdata/sources/plan.json".to_owned()],
                Some("testdata/sources"),
                false,
            ),
            (
                vec!["testdata/foreign-ignores/plan.json".to_owned()],
                Some("testdata/foreign-ignores"),
                true,
            ),
            (
                vec![
                    "testdata/deposed/plan.json".to_owned(),
                    "testdata/hostile-names/plan.json".to_owned(),
                ],
                None,
                false,
            ),
            (real, None, false),
        ];
        let mut compared = 0;
        let mut seen = (false, false, false);
        for (inputs, root, foreign_ignores) in runs {
            let options = RunOptions {
                inputs,
                source_root: root.map(Into::into),
                foreign_ignores,
                config: Some(Default::default()),
                ..RunOptions::default()
            };
            let outcome = run(&options).unwrap();
            let several = super::super::several_plans(&outcome);
            for plan in &outcome.plans {
                for finding in &plan.findings {
                    for severity in [Severity::Error, Severity::Warning, Severity::Note] {
                        let mut direct = Vec::new();
                        write_result(&mut direct, plan, finding, severity, several).unwrap();
                        let mut built = Vec::new();
                        escape::write_json_piece(
                            &mut built,
                            &result(plan, finding, severity, several),
                        )
                        .unwrap();
                        assert_eq!(
                            String::from_utf8_lossy(&direct),
                            String::from_utf8_lossy(&built)
                        );
                        compared += 1;
                    }
                    seen.0 |= finding.fix.as_ref().is_some_and(|f| f.edit.is_some());
                    seen.1 |= finding.suppression.is_some();
                    seen.2 |= finding.deposed.is_some();
                }
            }
        }
        assert!(compared > 300, "{compared}");
        assert_eq!(seen, (true, true, true), "fixes, suppressions, deposed");
    }

    /// Results written in batches (each serialised while the one before it is written) are every
    /// reported result once, in order, comma-separated, across every batch boundary.
    #[test]
    fn batched_results_keep_their_order_across_batches() {
        let options = RunOptions {
            inputs: vec!["testdata/deposed/plan.json".to_owned()],
            config: Some(Default::default()),
            ..RunOptions::default()
        };
        let mut outcome = run(&options).unwrap();
        let one: Vec<Finding> = outcome.plans[0]
            .findings
            .iter()
            .filter(|finding| outcome.severity(finding).is_some())
            .cloned()
            .collect();
        assert!(!one.is_empty());
        let mut findings = Vec::new();
        // Each copy told apart by its address, so that an order mixed up shows.
        while findings.len() <= 2 * RESULTS_AT_ONCE + 1 {
            let copy = findings.len() / one.len();
            findings.extend(one.iter().cloned().map(|mut finding| {
                finding.address = format!("{}.copy{copy}", finding.address);
                finding
            }));
        }
        for results in [
            2 * RESULTS_AT_ONCE + 1,
            RESULTS_AT_ONCE + 1,
            RESULTS_AT_ONCE,
            1,
            0,
        ] {
            outcome.plans[0].findings = findings[..results].to_vec();
            let mut written = Vec::new();
            write_results(&outcome, false, true, &mut written).unwrap();
            let mut expected = vec![b'['];
            for (i, (plan, finding, severity)) in outcome.reported().enumerate() {
                if i > 0 {
                    expected.push(b',');
                }
                write_result(&mut expected, plan, finding, severity, false).unwrap();
            }
            expected.push(b']');
            assert_eq!(outcome.reported().count(), results);
            assert!(written == expected, "{results} results differ");
        }
        // A writer that fails part way (a closed pipe) stops the writing with its own error,
        // wherever it falls, the batch in flight or not.
        outcome.plans[0].findings = findings;
        struct FailsAfter(usize);
        impl Write for FailsAfter {
            fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
                if self.0 < bytes.len() {
                    return Err(io::ErrorKind::BrokenPipe.into());
                }
                self.0 -= bytes.len();
                Ok(bytes.len())
            }
            fn flush(&mut self) -> io::Result<()> {
                Ok(())
            }
        }
        let mut whole = Vec::new();
        write_results(&outcome, false, true, &mut whole).unwrap();
        for room in [0, 1, 1000, whole.len() / 2, whole.len() - 1] {
            let error = write_results(&outcome, false, true, &mut FailsAfter(room)).unwrap_err();
            assert_eq!(
                error.kind(),
                io::ErrorKind::BrokenPipe,
                "after {room} bytes"
            );
        }
        write_results(&outcome, false, true, &mut FailsAfter(whole.len())).unwrap();
    }
}
