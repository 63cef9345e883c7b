//! JUnit XML: one test suite per plan, one test case per judged function. GitLab's and Jenkins'
//! test panels read it. Written with quick-xml, which escapes markup; characters XML cannot hold
//! are escaped before that.

use super::escape::{terminal, xml};
use super::{headline, Settings};
use crate::finding::{Finding, Verdict};
use crate::outcome::{Outcome, PlanResult, Severity};
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use quick_xml::Writer;
use std::io::{self, Write};

/// Attribute values: one line (control characters become visible escapes), valid XML.
fn attribute(text: &str) -> String {
    xml(&terminal(text))
}

fn evidence_text(finding: &Finding) -> String {
    let mut lines: Vec<String> = finding
        .evidence
        .iter()
        .map(|step| match &step.location {
            Some(location) => format!(
                "- {} ({})",
                terminal(&step.message),
                terminal(&location.to_string())
            ),
            None => format!("- {}", terminal(&step.message)),
        })
        .collect();
    // Each line starts with what tracegate writes: a value's newline cannot start a line (a
    // workflow command, when a consumer echoes the text).
    if let Some(fix) = &finding.fix {
        lines.push(format!("fix: {}", terminal(&fix.description)));
        if let Some(location) = &fix.location {
            lines.push(format!("at: {}", terminal(&location.to_string())));
        }
    }
    xml(&lines.join("\n"))
}

fn counts(run: &Outcome, findings: &[Finding]) -> (usize, usize, usize) {
    let failures = findings
        .iter()
        .filter(|f| run.severity(f) == Some(Severity::Error) && f.suppression.is_none())
        .count();
    let skipped = findings
        .iter()
        .filter(|f| f.verdict == Verdict::Skipped)
        .count();
    (findings.len(), failures, skipped)
}

/// A test case's class name: the rule; with several plans in the run, the plan's path and the
/// rule, so that GitLab's test panel (which keys cases by class name and name) keeps two roots
/// with the same address apart.
fn classname(run: &Outcome, plan: &PlanResult, finding: &Finding) -> String {
    if super::several_plans(run) {
        attribute(&format!("{}:{}", plan.path, finding.rule))
    } else {
        attribute(finding.rule)
    }
}

fn testcase(
    run: &Outcome,
    plan: &PlanResult,
    finding: &Finding,
    w: &mut Writer<&mut dyn Write>,
) -> io::Result<()> {
    // Attribute values: control characters (newlines too) become visible escapes.
    let name = attribute(&finding.display_name());
    let file = finding.primary_location().map(|l| attribute(&l.file));
    let class = classname(run, plan, finding);
    let mut start = BytesStart::new("testcase");
    start.push_attribute(("name", name.as_str()));
    start.push_attribute(("classname", class.as_str()));
    if let Some(file) = &file {
        start.push_attribute(("file", file.as_str()));
    }
    w.write_event(Event::Start(start))?;
    let message = attribute(&headline(finding));
    let body = evidence_text(finding);
    match (finding.verdict, run.severity(finding)) {
        (Verdict::Skipped, _) => {
            let reason = finding
                .suppression
                .as_ref()
                .map(|s| format!("suppressed: {}", s.justification))
                .or_else(|| finding.evidence.first().map(|e| e.message.to_string()))
                .unwrap_or_default();
            let mut skipped = BytesStart::new("skipped");
            let reason = attribute(&reason);
            skipped.push_attribute(("message", reason.as_str()));
            w.write_event(Event::Empty(skipped))?;
        }
        (_, Some(Severity::Error)) => {
            let mut failure = BytesStart::new("failure");
            failure.push_attribute(("message", message.as_str()));
            failure.push_attribute(("type", finding.verdict.as_str()));
            w.write_event(Event::Start(failure))?;
            w.write_event(Event::Text(BytesText::new(&body)))?;
            w.write_event(Event::End(BytesEnd::new("failure")))?;
        }
        _ => {
            // Passing (and unknown that does not fail the gate): the evidence, for the record.
            w.write_event(Event::Start(BytesStart::new("system-out")))?;
            w.write_event(Event::Text(BytesText::new(&format!("{message}\n{body}"))))?;
            w.write_event(Event::End(BytesEnd::new("system-out")))?;
        }
    }
    w.write_event(Event::End(BytesEnd::new("testcase")))
}

/// Why an errored plan's suite holds an error case.
const PLAN_ERRORED: &str = "the plan errored: Terraform saved a partial plan after an error, so functions it did not reach may be missing (the gate is not decided); fix the errors terraform plan printed and plan again";

/// One test case that errored: an input that could not be read, a plan that errored.
fn error_case(
    run: &Outcome,
    path: &str,
    name: &str,
    message: &str,
    w: &mut Writer<&mut dyn Write>,
) -> io::Result<()> {
    let mut case = BytesStart::new("testcase");
    case.push_attribute(("name", name));
    let class = if super::several_plans(run) {
        attribute(&format!("{}:{}", path, env!("CARGO_PKG_NAME")))
    } else {
        env!("CARGO_PKG_NAME").to_owned()
    };
    case.push_attribute(("classname", class.as_str()));
    w.write_event(Event::Start(case))?;
    let mut error = BytesStart::new("error");
    let message = attribute(message);
    error.push_attribute(("message", message.as_str()));
    w.write_event(Event::Empty(error))?;
    w.write_event(Event::End(BytesEnd::new("testcase")))
}

pub fn write(run: &Outcome, _settings: &Settings, out: &mut dyn Write) -> io::Result<()> {
    let mut w = Writer::new_with_indent(out, b' ', 2);
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    let all: Vec<Finding> = run.findings().cloned().collect();
    let (tests, failures, skipped) = counts(run, &all);
    let errors = run.errors.len() + run.plans.iter().filter(|p| p.scope.errored).count();
    let mut suites = BytesStart::new("testsuites");
    suites.push_attribute(("name", env!("CARGO_PKG_NAME")));
    for (key, value) in [
        ("tests", tests + errors),
        ("failures", failures),
        ("errors", errors),
        ("skipped", skipped),
    ] {
        suites.push_attribute((key, value.to_string().as_str()));
    }
    w.write_event(Event::Start(suites))?;
    for plan in &run.plans {
        let (tests, failures, skipped) = counts(run, &plan.findings);
        let errored = usize::from(plan.scope.errored);
        let name = attribute(&plan.path);
        let mut suite = BytesStart::new("testsuite");
        suite.push_attribute(("name", name.as_str()));
        for (key, value) in [
            ("tests", tests + errored),
            ("failures", failures),
            ("errors", errored),
            ("skipped", skipped),
        ] {
            suite.push_attribute((key, value.to_string().as_str()));
        }
        w.write_event(Event::Start(suite))?;
        // An errored plan's functions may all pass while those it did not reach are missing: an
        // error case keeps GitLab's test panel from showing the undecided gate green.
        if plan.scope.errored {
            error_case(
                run,
                &plan.path,
                "the plan is complete",
                PLAN_ERRORED,
                &mut w,
            )?;
        }
        for finding in &plan.findings {
            testcase(run, plan, finding, &mut w)?;
        }
        w.write_event(Event::End(BytesEnd::new("testsuite")))?;
    }
    for error in &run.errors {
        let name = attribute(&error.path);
        let mut suite = BytesStart::new("testsuite");
        suite.push_attribute(("name", name.as_str()));
        for (key, value) in [
            ("tests", "1"),
            ("failures", "0"),
            ("errors", "1"),
            ("skipped", "0"),
        ] {
            suite.push_attribute((key, value));
        }
        w.write_event(Event::Start(suite))?;
        error_case(run, &error.path, "read the plan", &error.message, &mut w)?;
        w.write_event(Event::End(BytesEnd::new("testsuite")))?;
    }
    w.write_event(Event::End(BytesEnd::new("testsuites")))?;
    w.into_inner().write_all(b"\n")
}
