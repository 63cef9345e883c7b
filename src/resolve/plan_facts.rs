//! Layer 1: what the plan itself says about the tracing mode (ARCHITECTURE.md, the verdict model). Reads `after` with
//! `after_unknown` and `after_sensitive` through the rule's JSONPath for the resource type.

use crate::rule::{step_names, CompiledPath, Step, TRACING};
use serde_json::Value;

/// The plan's fact about one function's tracing mode.
#[derive(Debug, Clone, PartialEq)]
pub enum ModeFact {
    /// The mode is known. `value` is the JSON value at the full path (normally a string).
    Known { value: Value, sensitive: bool },
    /// Nothing is set: the block is absent, empty or null. `shape` describes what the plan holds;
    /// `in_block` when a block (or object) is there without a mode.
    NotSet { shape: String, in_block: bool },
    /// The whole block is unknown until apply (omitted at create, or a dynamic block).
    BlockUnknown,
    /// The block is there but the mode is computed during apply. `at` names the unknown part.
    ModeUnknown { at: String },
    /// `after_unknown` is `true`: the provider could not plan any of the resource.
    ResourceUnknown,
    /// `after` holds a passing mode that `after_unknown` also marks unknown at `at`: Terraform
    /// never writes both, so the plan cannot be taken at its word.
    Contradicts { value: Value, at: String },
}

impl ModeFact {
    /// How a fact ranks when several blocks disagree: a failing one first, then an unknown one.
    fn rank(&self) -> u8 {
        match self {
            ModeFact::NotSet { .. } => 0,
            ModeFact::Known { value, .. } if !TRACING.passes(value) => 0,
            ModeFact::Known { .. } => 2,
            _ => 1,
        }
    }
}

/// The value at `steps` (a rule path is names and indexes only, so a walk selects exactly what
/// its JSONPath selects; `rule_paths_walk_as_jsonpath_selects` checks it).
fn walk<'v>(steps: &[Step], value: &'v Value) -> Option<&'v Value> {
    steps.iter().try_fold(value, |node, step| step.apply(node))
}

/// Whether any leaf of a sensitivity (or unknown) mark is `true`.
fn any_true(value: &Value) -> bool {
    match value {
        Value::Bool(b) => *b,
        Value::Array(items) => items.iter().any(any_true),
        Value::Object(map) => map.values().any(any_true),
        _ => false,
    }
}

/// Whether `after_sensitive` hides the mode or anything on its path (the whole object, the block,
/// the mode, or a part of it).
pub fn hides_mode(path: &CompiledPath, sensitive: &Value) -> bool {
    let Some(Step::Key(block)) = path.steps.first() else {
        return sensitive == &Value::Bool(true);
    };
    sensitive == &Value::Bool(true) || sensitive.get(block.as_str()).is_some_and(any_true)
}

/// Reads the fact from one resource's attribute objects.
pub fn read(path: &CompiledPath, after: &Value, unknown: &Value, sensitive: &Value) -> ModeFact {
    if unknown == &Value::Bool(true) {
        return ModeFact::ResourceUnknown;
    }
    // The schema allows one block; should a plan hold more, the worst of them decides.
    if let [Step::Key(block), Step::Index(0), rest @ ..] = path.steps.as_slice() {
        let length = |v: &Value| {
            v.get(block.as_str())
                .and_then(Value::as_array)
                .map_or(0, Vec::len)
        };
        let blocks = length(after).max(length(unknown));
        if blocks > 1 {
            return (0..blocks)
                .map(|i| {
                    let mut steps = vec![Step::Key(block.clone()), Step::Index(i)];
                    steps.extend(rest.iter().cloned());
                    read_at(&steps, &step_names(&steps), after, unknown, sensitive)
                })
                .min_by_key(ModeFact::rank)
                .expect("at least two blocks");
        }
    }
    read_at(&path.steps, &path.names, after, unknown, sensitive)
}

fn read_at(
    steps: &[Step],
    names: &[String],
    after: &Value,
    unknown: &Value,
    sensitive: &Value,
) -> ModeFact {
    let known = walk(steps, after).filter(|v| !v.is_null());
    // `true` for the whole object, or at any prefix of the path, hides the mode.
    // `true` for the whole object, at any prefix of the path, or anywhere below it hides it.
    let is_sensitive = sensitive == &Value::Bool(true)
        || (1..=steps.len())
            .any(|depth| walk(&steps[..depth], sensitive) == Some(&Value::Bool(true)))
        || walk(steps, sensitive).is_some_and(any_true);
    // A `true` at any prefix of after_unknown means that whole subtree is computed.
    let unknown_at =
        (1..=steps.len()).find(|&depth| walk(&steps[..depth], unknown) == Some(&Value::Bool(true)));
    if let Some(depth) = unknown_at {
        let at = names[depth - 1].clone();
        return match known {
            // A known value that fails decides, whatever else the plan says.
            Some(value) if !TRACING.passes(value) => ModeFact::Known {
                value: value.clone(),
                sensitive: is_sensitive,
            },
            Some(value) => ModeFact::Contradicts {
                value: value.clone(),
                at,
            },
            None if depth == 1 => ModeFact::BlockUnknown,
            None => ModeFact::ModeUnknown { at },
        };
    }
    if let Some(value) = known {
        return ModeFact::Known {
            value: value.clone(),
            sensitive: is_sensitive,
        };
    }
    // Describe the deepest part that exists, as "the plan has …".
    let deepest = (1..=steps.len())
        .rev()
        .find_map(|depth| walk(&steps[..depth], after).map(|found| (depth, found)));
    let Some((depth, found)) = deepest else {
        return ModeFact::NotSet {
            shape: format!("no {}", names[0]),
            in_block: false,
        };
    };
    let name = &names[depth - 1];
    let shape = match found {
        Value::Array(items) if items.is_empty() => format!("{name} = [] (no block)"),
        Value::Object(map) if map.is_empty() => format!("{name} = {{}}"),
        Value::Null => format!("{name} = null"),
        _ => format!("{name} without a mode"),
    };
    // A block is there when anything below the top of the path exists and is not `[]` or null.
    let in_block = depth > 1 || matches!(found, Value::Object(_));
    ModeFact::NotSet { shape, in_block }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn aws(after: Value, unknown: Value) -> ModeFact {
        let path = CompiledPath::compile("$.tracing_config[0].mode");
        read(&path, &after, &unknown, &json!({}))
    }

    #[test]
    fn shapes_from_design() {
        assert_eq!(
            aws(json!({"tracing_config": [{"mode": "Active"}]}), json!({})),
            ModeFact::Known {
                value: json!("Active"),
                sensitive: false
            }
        );
        assert_eq!(
            aws(json!({"tracing_config": []}), json!({"tracing_config": []})),
            ModeFact::NotSet {
                shape: "tracing_config = [] (no block)".to_owned(),
                in_block: false
            }
        );
        assert_eq!(
            aws(json!({}), json!({"tracing_config": true})),
            ModeFact::BlockUnknown
        );
        assert_eq!(
            aws(
                json!({"tracing_config": [{}]}),
                json!({"tracing_config": [{"mode": true}]})
            ),
            ModeFact::ModeUnknown {
                at: "tracing_config[0].mode".to_owned()
            }
        );
        assert_eq!(
            aws(json!({}), json!({})),
            ModeFact::NotSet {
                shape: "no tracing_config".to_owned(),
                in_block: false
            }
        );
    }

    #[test]
    fn rule_paths_walk_as_jsonpath_selects() {
        use jsonpath_rust::query::js_path_process;
        let documents = [
            json!({"tracing_config": [{"mode": "Active"}, {"mode": "PassThrough"}]}),
            json!({"tracing_config": [{}]}),
            json!({"tracing_config": true}),
            json!({"tracing_config": {"mode": null}}),
            json!({}),
        ];
        for path in ["$.tracing_config[0].mode", "$.tracing_config.mode"] {
            let compiled = CompiledPath::compile(path);
            for document in &documents {
                for depth in 0..compiled.steps.len() {
                    let by_jsonpath = js_path_process(&compiled.prefixes[depth], document)
                        .unwrap()
                        .into_iter()
                        .next()
                        .map(|found| found.val());
                    assert_eq!(
                        walk(&compiled.steps[..=depth], document),
                        by_jsonpath,
                        "{path} at {depth} in {document}"
                    );
                }
            }
        }
    }

    #[test]
    fn the_worst_block_decides_and_unknown_wholes_stay_unknown() {
        let passthrough_second = aws(
            json!({"tracing_config": [{"mode": "Active"}, {"mode": "PassThrough"}]}),
            json!({}),
        );
        assert_eq!(
            passthrough_second,
            ModeFact::Known {
                value: json!("PassThrough"),
                sensitive: false
            }
        );
        assert_eq!(
            aws(
                json!({"tracing_config": [{"mode": "Active"}, {}]}),
                json!({})
            ),
            ModeFact::NotSet {
                shape: "tracing_config[1] = {}".to_owned(),
                in_block: true
            }
        );
        assert_eq!(
            aws(
                json!({"tracing_config": [{"mode": "Active"}, {}]}),
                json!({"tracing_config": [{}, {"mode": true}]})
            ),
            ModeFact::ModeUnknown {
                at: "tracing_config[1].mode".to_owned()
            }
        );
        let path = CompiledPath::compile("$.tracing_config[0].mode");
        assert_eq!(
            read(&path, &Value::Null, &json!(true), &json!(false)),
            ModeFact::ResourceUnknown
        );
    }

    #[test]
    fn a_known_mode_also_marked_unknown() {
        assert_eq!(
            aws(
                json!({"tracing_config": [{"mode": "PassThrough"}]}),
                json!({"tracing_config": [{"mode": true}]})
            ),
            ModeFact::Known {
                value: json!("PassThrough"),
                sensitive: false
            }
        );
        assert_eq!(
            aws(
                json!({"tracing_config": [{"mode": "Active"}]}),
                json!({"tracing_config": true})
            ),
            ModeFact::Contradicts {
                value: json!("Active"),
                at: "tracing_config".to_owned()
            }
        );
    }

    #[test]
    fn awscc_object_shape() {
        let path = CompiledPath::compile("$.tracing_config.mode");
        let fact = read(
            &path,
            &json!({"tracing_config": {"mode": "PassThrough"}}),
            &json!({}),
            &json!({"tracing_config": {"mode": true}}),
        );
        assert_eq!(
            fact,
            ModeFact::Known {
                value: json!("PassThrough"),
                sensitive: true
            }
        );
    }
}
