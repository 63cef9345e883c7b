//! The rules as data: each rule is one record in its own file (its documentation for
//! `tracegate rules` and every report, the resource types it judges and the attributes it reads),
//! and [`ALL`] is the registry every other room reads. The judge of each rule lives in
//! `resolve/`, registered beside it there.

mod tracing;
mod xray_permission;

pub use tracing::TRACING;
pub use xray_permission::XRAY_PERMISSION;

/// Every rule, in the order reports list them (SARIF `ruleIndex` is the position here).
pub static ALL: [&Rule; 2] = [&TRACING, &XRAY_PERMISSION];

/// The rule with this id.
pub fn find(id: &str) -> Option<&'static Rule> {
    ALL.iter().copied().find(|r| r.id == id)
}

/// A rule's position in [`ALL`].
pub fn index_of(id: &str) -> usize {
    ALL.iter()
        .position(|r| r.id == id)
        .expect("findings carry registered rule ids")
}

/// Resource types some rule judges (the functions).
pub fn judges_any(resource_type: &str) -> bool {
    ALL.iter().any(|r| r.judges(resource_type))
}

/// Resource types a rule reads beside the ones it judges (the IAM resources that grant a
/// function's role its permissions): the plan reader keeps their entries.
pub fn reads_type(resource_type: &str) -> bool {
    ALL.iter().any(|r| r.also_reads.contains(&resource_type))
}

/// Resource types a rule reads from a state (`prior_state`): see [`Rule::also_reads_in_state`].
pub fn reads_state_type(resource_type: &str) -> bool {
    ALL.iter()
        .any(|r| r.also_reads_in_state.contains(&resource_type))
}

/// The top-level attribute names any rule reads from a judged resource; the plan reader keeps
/// only these.
pub fn kept_attributes() -> &'static [&'static str] {
    static ATTRIBUTES: OnceLock<Vec<&'static str>> = OnceLock::new();
    ATTRIBUTES.get_or_init(|| {
        let mut names: Vec<&'static str> = ALL
            .iter()
            .flat_map(|rule| {
                rule.targets
                    .iter()
                    .map(|t| attribute_of(t.mode_path))
                    .chain(rule.also_reads_attributes.iter().copied())
            })
            .collect();
        names.sort_unstable();
        names.dedup();
        names
    })
}

use crate::finding::Verdict;
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
    /// Whether the rule runs when no `--rule` names the rules to run.
    pub on_by_default: bool,
    /// Resource types read (not judged) to decide.
    pub also_reads: &'static [&'static str],
    /// The attributes read from those resources (the plan reader keeps only named attributes).
    pub also_reads_attributes: &'static [&'static str],
    /// Of those types, the ones read from a state (`prior_state`) too: the plan reader keeps no
    /// other read type of a state, whose entries would be parsed for nothing.
    #[serde(skip)]
    pub also_reads_in_state: &'static [&'static str],
    /// The rule whose fix this one checks (the permission rule checks what the tracing fix asks
    /// for): when that rule's finding of a function is suppressed, no fix is asked for, and this
    /// rule's finding of the function is dropped.
    pub follows: Option<&'static str>,
    /// What a finding says in one line after the function's name (titles, annotations,
    /// messages), from its effective verdict and the tracing mode after apply.
    #[serde(skip)]
    pub headline: fn(Verdict, Option<&str>) -> String,
}

/// A resource type the rule judges, and where the attribute it judges lives in one resource's
/// `after` object (the tracing mode; the execution role).
#[derive(Debug, serde::Serialize)]
pub struct Target {
    pub resource_type: &'static str,
    pub provider: &'static str,
    /// JSONPath into the resource's attribute object.
    pub mode_path: &'static str,
    /// How to write the passing setting in Terraform (empty where no one setting passes).
    pub snippet: &'static str,
}

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

    /// The compiled path of a registered rule's target, compiled once.
    pub fn for_target(target: &Target) -> &'static CompiledPath {
        static PATHS: OnceLock<Vec<(&'static Target, CompiledPath)>> = OnceLock::new();
        let paths = PATHS.get_or_init(|| {
            ALL.iter()
                .flat_map(|rule| rule.targets.iter())
                .map(|t| (t, CompiledPath::compile(t.mode_path)))
                .collect()
        });
        &paths
            .iter()
            .find(|(t, _)| std::ptr::eq(*t, target))
            .expect("targets come from registered rules")
            .1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attributes_are_derived_from_paths() {
        assert!(kept_attributes().contains(&"tracing_config"));
        assert!(kept_attributes().contains(&"role"));
        assert!(kept_attributes().windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn rule_ids_are_unique_and_indexed() {
        for (i, rule) in ALL.iter().enumerate() {
            assert_eq!(index_of(rule.id), i);
            assert!(std::ptr::eq(find(rule.id).unwrap(), *rule));
        }
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
