//! GitLab Code Quality JSON (a subset of Code Climate's issue format), shown in merge requests on
//! every GitLab tier. Lists failing and unknown functions; suppressed ones are left out.

use super::{headline, Settings};
use crate::outcome::{Outcome, Severity};
use crate::support::hex;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::io::{self, Write};

#[derive(Serialize)]
struct Issue {
    #[serde(rename = "type")]
    kind: &'static str,
    description: String,
    check_name: &'static str,
    fingerprint: String,
    severity: &'static str,
    categories: [&'static str; 1],
    location: IssueLocation,
}

#[derive(Serialize)]
struct IssueLocation {
    path: String,
    lines: Lines,
}

#[derive(Serialize)]
struct Lines {
    begin: u32,
}

pub fn write(run: &Outcome, _settings: &Settings, out: &mut dyn Write) -> io::Result<()> {
    let issues: Vec<Issue> = run
        .reported()
        .filter(|(_, finding, _)| finding.suppression.is_none())
        .map(|(plan, finding, severity)| {
            let anchor = plan.anchor(finding);
            // GitLab keys issues by fingerprint: keep the rule+address identity, made unique per
            // plan so that two plans with the same address do not merge.
            let mut hasher = Sha256::new();
            hasher.update(finding.fingerprint.hex().as_bytes());
            hasher.update([0]);
            hasher.update(plan.path.as_bytes());
            let digest = hasher.finalize();
            let mut description = headline(finding);
            if let Some(fix) = &finding.fix {
                description.push_str(&format!(". Fix: {}", fix.description));
            }
            Issue {
                kind: "issue",
                description: super::escape::visible(&description).into_owned(),
                check_name: finding.rule,
                fingerprint: hex::lower(&digest[..16]),
                severity: match severity {
                    // CloudGuard rates the rule Low: a failing function is a minor issue.
                    Severity::Error => "minor",
                    Severity::Warning | Severity::Note => "info",
                },
                categories: ["Security"],
                location: IssueLocation {
                    path: anchor.file.to_string(),
                    lines: Lines {
                        begin: anchor.line.max(1),
                    },
                },
            }
        })
        .collect();
    super::escape::write_json(out, &issues, super::escape::Layout::Pretty)
}
