//! The tracing rule as data: its documentation for `tracegate rules` and every report,
//! and where the judged attribute lives for each resource type.

use jsonpath_rust::parser::model::{JpQuery, Segment, Selector};
use jsonpath_rust::parser::parse_json_path;
use std::sync::OnceLock;

/// One rule record. Reports draw their help text from here and nowhere else.
#[derive(Debug, serde::Serialize)]
pub struct Rule {
    pub id: &'static str,
    pub title: &'static str,
    pub category: &'static str,
    pub entity: &'static str,
    /// CloudGuard's risk level.
    pub risk: &'static str,
    /// GitHub's security-severity scale (0.1–3.9 is "low").
    pub security_severity: &'static str,
    pub description: &'static str,
    pub rationale: &'static str,
    pub remediation: &'static [&'static str],
    pub permissions_note: &'static str,
    pub compliance: &'static [&'static str],
    pub references: &'static [&'static str],
    /// The only value that passes.
    pub passing_value: &'static str,
    /// What AWS applies when nothing is set.
    pub default_value: &'static str,
    pub targets: &'static [Target],
}

/// A resource type the rule judges, and where its tracing mode lives in one resource's `after` object.
#[derive(Debug, serde::Serialize)]
pub struct Target {
    pub resource_type: &'static str,
    pub provider: &'static str,
    /// JSONPath into the resource's attribute object.
    pub mode_path: &'static str,
    /// How to write the passing setting in Terraform.
    pub snippet: &'static str,
}

pub static TRACING: Rule = Rule {
    id: "D9.AWS.OPE.07",
    title: "Lambda functions must use Active X-Ray tracing",
    category: "Compute",
    entity: "AWS Lambda",
    risk: "Low",
    security_severity: "3.0",
    description: "Lambda should not have tracingConfig.mode='PassThrough'. Only Active tracing passes; a function \
        that sets no tracing at all fails too, because AWS then applies PassThrough.",
    rationale: "X-Ray shows what a request did inside the function and across services, which cuts investigation \
        and debugging time. With PassThrough, Lambda traces only requests that arrive with a sampled tracing \
        header; with Active, it also asks X-Ray for a sampling decision when no header arrives.",
    remediation: &[
        "Terraform: add `tracing_config { mode = \"Active\" }` to the aws_lambda_function (or set the module input \
         or variable that feeds it to \"Active\").",
        "Console: the function's Configuration → Monitoring and operations tools → Active tracing.",
        "CLI: `aws lambda update-function-configuration --function-name NAME --tracing-config Mode=Active`.",
    ],
    permissions_note: "Active tracing needs the execution role to allow xray:PutTraceSegments and \
        xray:PutTelemetryRecords (AWS managed policy AWSXRayDaemonWriteAccess).",
    compliance: &[
        "CloudGuard Best Practices",
        "SOC 2 (AICPA TSC 2017)",
        "AWS Well-Architected",
        "HITRUST v11.0.0",
        "ISO 27001:2022",
        "MAS TRM",
        "MITRE ATT&CK v11.3",
        "NIST 800-53 Rev 5",
    ],
    references: &[
        "https://docs.aws.amazon.com/lambda/latest/dg/services-xray.html",
        "https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/lambda_function#tracing_config",
        "https://docs.aws.amazon.com/cli/latest/reference/lambda/update-function-configuration.html",
    ],
    passing_value: "Active",
    default_value: "PassThrough",
    targets: &[
        Target {
            resource_type: "aws_lambda_function",
            provider: "hashicorp/aws",
            mode_path: "$.tracing_config[0].mode",
            snippet: "tracing_config {\n  mode = \"Active\"\n}",
        },
        Target {
            resource_type: "awscc_lambda_function",
            provider: "hashicorp/awscc",
            mode_path: "$.tracing_config.mode",
            snippet: "tracing_config = {\n  mode = \"Active\"\n}",
        },
    ],
};

impl Rule {
    /// Whether a mode value from the plan is the passing one.
    pub fn passes(&self, value: &serde_json::Value) -> bool {
        value.as_str() == Some(self.passing_value)
    }

    pub fn target(&self, resource_type: &str) -> Option<&Target> {
        self.targets
            .iter()
            .find(|t| t.resource_type == resource_type)
    }

    pub fn judges(&self, resource_type: &str) -> bool {
        self.target(resource_type).is_some()
    }

    /// The top-level attribute names the rule reads; the plan reader keeps only these.
    pub fn attributes(&self) -> &'static [&'static str] {
        static ATTRIBUTES: OnceLock<Vec<&'static str>> = OnceLock::new();
        ATTRIBUTES.get_or_init(|| {
            let mut names: Vec<&'static str> = self
                .targets
                .iter()
                .map(|t| attribute_of(t.mode_path))
                .collect();
            names.sort_unstable();
            names.dedup();
            names
        })
    }
}

/// The first name segment of a rule path (`$.tracing_config[0].mode` → `tracing_config`).
fn attribute_of(path: &'static str) -> &'static str {
    let rest = path.strip_prefix("$.").expect("rule paths start with $.");
    let end = rest.find(['.', '[']).unwrap_or(rest.len());
    &rest[..end]
}

/// One step of a rule path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Key(String),
    Index(usize),
}

impl Step {
    pub fn apply<'v>(&self, value: &'v serde_json::Value) -> Option<&'v serde_json::Value> {
        match self {
            Step::Key(key) => value.get(key.as_str()),
            Step::Index(index) => value.get(*index),
        }
    }
}

/// Human names of each prefix of `steps`: `tracing_config`, `tracing_config[0]`,
/// `tracing_config[0].mode`.
pub fn step_names(steps: &[Step]) -> Vec<String> {
    let mut name = String::new();
    steps
        .iter()
        .map(|step| {
            match step {
                Step::Key(key) => {
                    if !name.is_empty() {
                        name.push('.');
                    }
                    name.push_str(key);
                }
                Step::Index(index) => name.push_str(&format!("[{index}]")),
            }
            name.clone()
        })
        .collect()
}

/// A rule path parsed once, with every prefix, so the same path walks `after`, `after_unknown` and
/// `after_sensitive`.
pub struct CompiledPath {
    /// `prefixes[i]` selects the first `i + 1` segments; the last one is the whole path.
    pub prefixes: Vec<JpQuery>,
    /// The same segments as plain steps, for walking `configuration` expressions.
    pub steps: Vec<Step>,
    /// Human names of each prefix, e.g. `tracing_config`, `tracing_config[0]`, `tracing_config[0].mode`.
    pub names: Vec<String>,
}

impl CompiledPath {
    pub fn compile(path: &str) -> CompiledPath {
        let query = parse_json_path(path).expect("rule paths are valid JSONPath");
        let mut prefixes = Vec::with_capacity(query.segments.len());
        let mut steps = Vec::with_capacity(query.segments.len());
        for (i, segment) in query.segments.iter().enumerate() {
            match segment {
                Segment::Selector(Selector::Name(key)) => {
                    steps.push(Step::Key(key.trim_matches(['\'', '"']).to_owned()));
                }
                Segment::Selector(Selector::Index(index)) if *index >= 0 => {
                    steps.push(Step::Index(*index as usize));
                }
                other => panic!("rule paths use names and indexes only, found {other}"),
            }
            prefixes.push(JpQuery::new(query.segments[..=i].to_vec()));
        }
        let names = step_names(&steps);
        CompiledPath {
            prefixes,
            steps,
            names,
        }
    }

    /// The block and mode attribute names of the path (`tracing_config`, `mode`).
    pub fn block_and_mode(&self) -> (&str, &str) {
        let mut keys = self.steps.iter().filter_map(|s| match s {
            Step::Key(k) => Some(k.as_str()),
            Step::Index(_) => None,
        });
        let first = keys.next().expect("rule paths start with a name");
        (first, keys.next_back().unwrap_or(first))
    }

    /// The compiled path of each target, in `TRACING.targets` order.
    pub fn for_target(target: &Target) -> &'static CompiledPath {
        static PATHS: OnceLock<Vec<CompiledPath>> = OnceLock::new();
        let paths = PATHS.get_or_init(|| {
            TRACING
                .targets
                .iter()
                .map(|t| CompiledPath::compile(t.mode_path))
                .collect()
        });
        let index = TRACING
            .targets
            .iter()
            .position(|t| std::ptr::eq(t, target))
            .expect("targets come from TRACING");
        &paths[index]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attributes_are_derived_from_paths() {
        assert_eq!(TRACING.attributes(), &["tracing_config"]);
    }

    #[test]
    fn compiled_paths_name_every_prefix() {
        let path = CompiledPath::compile("$.tracing_config[0].mode");
        assert_eq!(
            path.names,
            [
                "tracing_config",
                "tracing_config[0]",
                "tracing_config[0].mode"
            ]
        );
        assert_eq!(path.prefixes.len(), 3);
    }
}
