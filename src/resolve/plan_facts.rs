//! Layer 1: what the plan itself says about the tracing mode (ARCHITECTURE.md, the verdict model). Reads `after` with
//! `after_unknown` and `after_sensitive` through the rule's JSONPath for the resource type.

use crate::rule::{CompiledPath, Step};
use jsonpath_rust::query::js_path_process;
use serde_json::Value;

/// The plan's fact about one function's tracing mode.
#[derive(Debug, Clone, PartialEq)]
pub enum ModeFact {
    /// The mode is known. `value` is the JSON value at the full path (normally a string).
    Known { value: Value, sensitive: bool },
    /// Nothing is set: the block is absent, empty or null. `shape` describes what the plan holds.
    NotSet { shape: String },
    /// The whole block is unknown until apply (omitted at create, or a dynamic block).
    BlockUnknown,
    /// The block is there but the mode is computed during apply. `at` names the unknown part.
    ModeUnknown { at: String },
}

fn select<'v>(path: &CompiledPath, depth: usize, value: &'v Value) -> Option<&'v Value> {
    js_path_process(&path.prefixes[depth], value)
        .ok()?
        .into_iter()
        .next()
        .map(|found| found.val())
}

/// Reads the fact from one resource's attribute objects.
pub fn read(path: &CompiledPath, after: &Value, unknown: &Value, sensitive: &Value) -> ModeFact {
    let depths = path.prefixes.len();
    // A `true` at any prefix of after_unknown means that whole subtree is computed.
    for depth in 0..depths {
        if select(path, depth, unknown) == Some(&Value::Bool(true)) {
            return if depth == 0 {
                ModeFact::BlockUnknown
            } else {
                ModeFact::ModeUnknown {
                    at: path.names[depth].clone(),
                }
            };
        }
    }
    // `true` for the whole object, or at any prefix of the path, hides the mode.
    let is_sensitive = sensitive == &Value::Bool(true)
        || (0..depths).any(|depth| select(path, depth, sensitive) == Some(&Value::Bool(true)));
    // The schema allows one block; should a plan hold more, any one that is not Active decides.
    if let [Step::Key(block), Step::Index(0), rest @ ..] = path.steps.as_slice() {
        if let Some(Value::Array(blocks)) = after.get(block.as_str()) {
            let others = blocks
                .iter()
                .skip(1)
                .filter_map(|b| rest.iter().try_fold(b, |node, step| step.apply(node)));
            if let Some(worst) = others
                .into_iter()
                .find(|mode| mode.as_str() != Some("Active"))
            {
                return ModeFact::Known {
                    value: worst.clone(),
                    sensitive: is_sensitive,
                };
            }
        }
    }
    match select(path, depths - 1, after) {
        Some(Value::Null) | None => {}
        Some(value) => {
            return ModeFact::Known {
                value: value.clone(),
                sensitive: is_sensitive,
            }
        }
    }
    // Describe the deepest part that exists, as "the plan has …".
    let shape = (0..depths)
        .rev()
        .find_map(|depth| {
            select(path, depth, after).map(|found| {
                let name = &path.names[depth];
                match found {
                    Value::Array(items) if items.is_empty() => format!("{name} = [] (no block)"),
                    Value::Object(map) if map.is_empty() => format!("{name} = {{}}"),
                    Value::Null => format!("{name} = null"),
                    _ => format!("{name} without a mode"),
                }
            })
        })
        .unwrap_or_else(|| format!("no {}", path.names[0]));
    ModeFact::NotSet { shape }
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
                shape: "tracing_config = [] (no block)".to_owned()
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
                shape: "no tracing_config".to_owned()
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
