//! The JSON report: a stable, versioned contract (README "JSON report"). Field names and meanings
//! change only with `version`.

use super::Settings;
use crate::finding::Finding;
use crate::outcome::{
    Gate, InputFailure, InputKind, Origin, Outcome, PlanScope, Summary, UnknownPolicy,
};
use crate::rule;
use serde::Serialize;
use std::io::{self, Write};

pub const VERSION: u32 = 1;

#[derive(Serialize)]
struct Report<'r> {
    version: u32,
    tool: Tool,
    /// The source root read for exact lines (null when none was).
    source_root: Option<&'r str>,
    plans: Vec<Plan<'r>>,
    summary: Totals,
    errors: &'r [InputFailure],
    /// The effective settings and where each came from (`.tracegate.toml` comes with the pull
    /// request, so what it chose is named here).
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    settings: Vec<SettingOut<'r>>,
}

#[derive(Serialize)]
struct SettingOut<'r> {
    key: &'static str,
    value: &'r serde_json::Value,
    /// `default`, `file` or `flag`.
    origin: &'static str,
    /// Where in `.tracegate.toml`, for `file`.
    #[serde(skip_serializing_if = "Option::is_none")]
    location: Option<&'r crate::finding::Location>,
    weakens: bool,
}

/// The settings as the JSON report (and SARIF's invocation properties) write them.
pub(crate) fn settings(run: &Outcome) -> serde_json::Value {
    serde_json::to_value(settings_out(run)).unwrap_or_default()
}

fn settings_out(run: &Outcome) -> Vec<SettingOut<'_>> {
    run.settings
        .iter()
        .map(|s| SettingOut {
            key: s.key,
            value: &s.value,
            origin: match s.origin {
                Origin::Default => "default",
                Origin::File(_) => "file",
                Origin::Flag => "flag",
            },
            location: match &s.origin {
                Origin::File(at) => Some(at),
                _ => None,
            },
            weakens: s.weakens,
        })
        .collect()
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
    rules: &'static [&'static crate::rule::Rule],
}

#[derive(Serialize)]
struct Plan<'r> {
    path: &'r str,
    kind: InputKind,
    format_version: Option<&'r str>,
    terraform_version: Option<&'r str>,
    warnings: &'r [String],
    findings: &'r [Finding],
    summary: Summary,
    scope: PlanScope,
}

#[derive(Serialize)]
struct Totals {
    plans: usize,
    #[serde(flatten)]
    counts: Summary,
    unknown_policy: UnknownPolicy,
    gate: Gate,
}

pub fn write(run: &Outcome, _settings: &Settings, out: &mut dyn Write) -> io::Result<()> {
    let report = Report {
        version: VERSION,
        tool: Tool {
            name: env!("CARGO_PKG_NAME"),
            version: env!("CARGO_PKG_VERSION"),
            rules: &rule::ALL,
        },
        source_root: run.source_root.as_deref(),
        plans: run
            .plans
            .iter()
            .map(|plan| Plan {
                path: &plan.path,
                kind: plan.kind,
                format_version: plan.format_version.as_deref(),
                terraform_version: plan.terraform_version.as_deref(),
                warnings: &plan.warnings,
                findings: &plan.findings,
                summary: Summary::of(&plan.findings),
                scope: plan.scope,
            })
            .collect(),
        summary: Totals {
            plans: run.plans.len(),
            counts: run.summary(),
            unknown_policy: run.unknown_policy,
            gate: run.gate(),
        },
        errors: &run.errors,
        settings: settings_out(run),
    };
    super::escape::write_json(out, &report, super::escape::Layout::Pretty)
}
