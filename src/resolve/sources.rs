//! Layer 3: the `.tf` sources. They locate every step, tell an omitted block from a `dynamic` one,
//! evaluate `for_each`, `content` and locals where they depend only on known values, and give the
//! one place to edit (always inside the repository, never under `.terraform/`).

use super::eval::{closing_line, Evaluator, Origin, OriginKind, Scope, Val};
use super::plan_facts::ModeFact;
use super::{add_block_description, conclusion_for, Decision, AFTER_APPLY, OMITTED};
use crate::finding::{Edit, Evidence, Fix, Location, Verdict};
use crate::plan::address::module_path;
use crate::plan::model::PlanVariable;
use crate::rule::{CompiledPath, Step, Target};
use crate::source::module::Found;
use crate::source::SourceTree;
use hcl_edit::expr::Expression;
use hcl_edit::structure::Block;
use hcl_edit::Span;
use std::collections::BTreeMap;

/// The function being judged, as layer 3 needs it.
pub struct Subject<'s> {
    pub modules: &'s [String],
    pub resource_type: &'s str,
    pub name: &'s str,
    pub config_address: &'s str,
    pub target: &'static Target,
    pub path: &'static CompiledPath,
    pub fact: &'s ModeFact,
    pub creating: bool,
}

/// What the sources say about the tracing block.
enum SourceMode {
    /// `mode` is set (statically, or in a dynamic block's content).
    Set {
        value: Val,
        text: String,
        location: Location,
        object_form: bool,
    },
    /// A block without `mode`.
    NoMode { location: Location },
    /// A `dynamic` block whose `for_each` is empty.
    DynamicEmpty {
        text: String,
        location: Location,
        object_form: bool,
    },
    /// A `dynamic` block whose `for_each` is not known before apply.
    DynamicUnknown {
        text: String,
        reason: String,
        location: Location,
    },
    /// A `dynamic` block whose `for_each` tracegate cannot evaluate: the plan decides.
    DynamicUndecided {
        text: String,
        reason: String,
        location: Location,
    },
    /// No block at all.
    Omitted,
}

fn attribute_names(path: &CompiledPath) -> (&str, &str) {
    let keys: Vec<&str> = path
        .steps
        .iter()
        .filter_map(|s| match s {
            Step::Key(k) => Some(k.as_str()),
            Step::Index(_) => None,
        })
        .collect();
    (keys[0], keys[keys.len() - 1])
}

/// Whether a mode expression reads `mode` out of an object (`x.value.mode`, `var.cfg.mode`), so
/// that the value to set upstream is `{ mode = "Active" }` rather than `"Active"`.
fn reads_object(expr: &Expression) -> bool {
    matches!(expr, Expression::Traversal(t) if t.operators.len() >= 2)
}

fn read_mode(evaluator: &mut Evaluator, resource: Found<Block>, subject: &Subject) -> SourceMode {
    let (block_name, mode_key) = attribute_names(subject.path);
    let scope = Scope {
        module: subject.modules,
        iterator: None,
    };
    // An attribute (awscc's object, or `tracing_config = {…}`).
    if let Some(attribute) = resource.attribute(block_name) {
        let inner = attribute
            .expr()
            .as_object()
            .and_then(|o| {
                o.iter()
                    .find(|(k, _)| k.as_ident().is_some_and(|i| i.as_str() == mode_key))
            })
            .map(|(_, v)| v.expr());
        let (expr, value) = match inner {
            Some(expr) => (expr, evaluator.eval(expr, scope)),
            None => {
                let value = match evaluator.eval(attribute.expr(), scope) {
                    Val::Map(map) => map.get(mode_key).cloned().unwrap_or(Val::Null),
                    other => other,
                };
                (attribute.expr(), value)
            }
        };
        if expr.as_str().is_some() {
            evaluator.literal(attribute.file, expr, &value, subject.modules.len());
        }
        return SourceMode::Set {
            text: attribute.file.snippet(expr.span()),
            location: attribute.file.location(expr.span()),
            object_form: inner.is_none(),
            value,
        };
    }
    if let Some(block) = resource.blocks(block_name).next() {
        return match block.attribute(mode_key) {
            Some(mode) => {
                let value = evaluator.eval(mode.expr(), scope);
                if mode.expr().as_str().is_some() {
                    evaluator.literal(mode.file, mode.expr(), &value, subject.modules.len());
                }
                SourceMode::Set {
                    text: mode.value_text(),
                    location: mode.value_location(),
                    object_form: false,
                    value,
                }
            }
            None => SourceMode::NoMode {
                location: block.header(),
            },
        };
    }
    let dynamic = resource.blocks("dynamic").find(|b| {
        b.item
            .labels
            .first()
            .is_some_and(|l| l.as_str() == block_name)
    });
    let Some(dynamic) = dynamic else {
        return SourceMode::Omitted;
    };
    let content_mode = dynamic
        .blocks("content")
        .next()
        .and_then(|content| content.attribute(mode_key));
    let object_form = content_mode.is_some_and(|m| reads_object(m.expr()));
    let Some(for_each) = dynamic.attribute("for_each") else {
        return SourceMode::DynamicUnknown {
            text: String::new(),
            reason: "the dynamic block has no for_each".to_owned(),
            location: dynamic.header(),
        };
    };
    let text = for_each.value_text();
    let location = for_each.value_location();
    let items: Vec<(Val, Val)> = match evaluator.eval(for_each.expr(), scope) {
        Val::List(items) => items
            .into_iter()
            .enumerate()
            .map(|(i, v)| (Val::Number(i as f64), v))
            .collect(),
        Val::Map(map) => map.into_iter().map(|(k, v)| (Val::String(k), v)).collect(),
        Val::Unknown(reason) => {
            return SourceMode::DynamicUnknown {
                text,
                reason,
                location,
            }
        }
        Val::NotEvaluated(reason) | Val::Error(reason) => {
            return SourceMode::DynamicUndecided {
                text,
                reason,
                location,
            }
        }
        other => {
            return SourceMode::DynamicUndecided {
                text,
                reason: format!("for_each is {other}, not a collection"),
                location,
            }
        }
    };
    let Some((key, value)) = items.into_iter().next() else {
        return SourceMode::DynamicEmpty {
            text,
            location,
            object_form,
        };
    };
    let iterator = dynamic
        .attribute("iterator")
        .and_then(|a| a.expr().as_variable().map(|v| v.as_str().to_owned()))
        .unwrap_or_else(|| block_name.to_owned());
    let element = Val::Map(BTreeMap::from([
        ("key".to_owned(), key),
        ("value".to_owned(), value),
    ]));
    match content_mode {
        Some(mode) => {
            let value = evaluator.eval(
                mode.expr(),
                Scope {
                    module: subject.modules,
                    iterator: Some((&iterator, &element)),
                },
            );
            SourceMode::Set {
                text: mode.value_text(),
                location: mode.value_location(),
                object_form,
                value,
            }
        }
        None => SourceMode::NoMode {
            location: dynamic.header(),
        },
    }
}

/// Where the value to set goes, and as what: `"Active"` or `{ mode = "Active" }`.
fn active_text(origin_value: &Val, object_form: bool) -> String {
    match origin_value {
        Val::Map(map) => {
            let fields: Vec<String> = map
                .iter()
                .map(|(k, v)| {
                    if k == "mode" {
                        "mode = \"Active\"".to_owned()
                    } else {
                        format!("{k} = {v}")
                    }
                })
                .chain((!map.contains_key("mode")).then(|| "mode = \"Active\"".to_owned()))
                .collect();
            format!("{{ {} }}", fields.join(", "))
        }
        _ if object_form => "{ mode = \"Active\" }".to_owned(),
        _ => "\"Active\"".to_owned(),
    }
}

/// Lines inserted at the start of `at`'s line (before a block's closing brace).
fn insert_at(at: &Location, text: String) -> Edit {
    Edit {
        start: at.clone(),
        end: at.clone(),
        text,
    }
}

fn fix_from_origin(
    origin: &Origin,
    object_form: bool,
    config_address: &str,
    mode_key: &str,
) -> Fix {
    let value = active_text(&origin.value, object_form);
    let indent = " ".repeat(origin.location.column.unwrap_or(1).saturating_sub(1) as usize + 2);
    let (description, edit) = match &origin.kind {
        OriginKind::Literal => (format!("set {mode_key} = {value} in {config_address}"), None),
        OriginKind::Argument { call, name } => (format!("set {name} = {value} in {call}'s module block"), None),
        OriginKind::MissingArgument { call, name, closing } => (
            format!("add {name} = {value} to the module block of {call}"),
            Some(insert_at(closing, format!("{indent}{name} = {value}\n"))),
        ),
        OriginKind::Default { name } => (format!("change the default of var.{name} to {value}"), None),
        OriginKind::Tfvars { name } => (format!("set {name} = {value} in {}", origin.location.file), None),
        OriginKind::Outside { name } => (
            format!("set var.{name} to {value} where the plan is made (-var, -var-file or TF_VAR_{name}), or give it that default"),
            None,
        ),
    };
    let edit = edit.or_else(|| {
        origin.replace.as_ref().map(|end| Edit {
            start: origin.location.clone(),
            end: end.clone(),
            text: value.clone(),
        })
    });
    Fix {
        description,
        location: Some(origin.location.clone()),
        edit,
    }
}

/// Before the closing brace of the resource block: where a missing block is added.
fn add_block_fix(resource: Found<Block>, subject: &Subject) -> Fix {
    let header = resource.header();
    let at = closing_line(resource.file, resource.item.span());
    let indent = " ".repeat(header.column.unwrap_or(1) as usize + 1);
    let text: String = subject
        .target
        .snippet
        .lines()
        .map(|l| format!("{indent}{l}\n"))
        .collect();
    Fix {
        description: add_block_description(subject.target, subject.config_address),
        location: Some(header),
        edit: Some(insert_at(&at, text)),
    }
}

/// The module block nearest the function, among those the repository holds: the fix site when
/// the function lives in a downloaded module.
fn nearest_editable_call(tree: &SourceTree, modules: &[String]) -> Option<(Location, String)> {
    if modules.len() > crate::source::MAX_MODULE_DEPTH {
        return None;
    }
    (1..=modules.len()).rev().find_map(|depth| {
        let parent = tree.module(&modules[..depth - 1]);
        let parent = parent.as_ref().as_ref().ok()?;
        let call = parent.module_call(&modules[depth - 1])?;
        (!call.file.downloaded).then(|| (call.header(), module_path(&modules[..depth])))
    })
}

/// Refines a decision with the sources. Verdicts the plan decided stay; the ones it only assumed
/// (a wholly unknown block at create) become exact.
pub fn refine(
    tree: &SourceTree,
    variables: &BTreeMap<String, PlanVariable>,
    subject: &Subject,
    decision: &mut Decision,
) {
    let module = tree.module(subject.modules);
    let module = match module.as_ref() {
        Ok(module) => module,
        Err(reason) => {
            decision.facts.push(Evidence::new(format!(
                "the module sources are not available ({reason}); the verdict rests on the plan"
            )));
            return;
        }
    };
    let Some(resource) = module.resource(subject.resource_type, subject.name) else {
        let mut note = format!(
            "no resource \"{}\" \"{}\" block in the sources of {}",
            subject.resource_type,
            subject.name,
            if subject.modules.is_empty() {
                "the root module".to_owned()
            } else {
                module_path(subject.modules)
            }
        );
        if let Some(problem) = module.problems.first() {
            note.push_str(&format!(" ({problem})"));
        }
        decision.facts.push(Evidence::new(note));
        return;
    };
    let mut evaluator = Evaluator::new(tree, variables);
    let mode = read_mode(&mut evaluator, resource, subject);
    let (_, mode_key) = attribute_names(subject.path);
    // Steps come cause first; the for_each and the content may resolve the same variable twice.
    let mut chain: Vec<Evidence> = Vec::new();
    for step in evaluator.steps.drain(..) {
        if !chain.contains(&step) {
            chain.push(step);
        }
    }
    let block_name = attribute_names(subject.path).0;
    let header = resource.header();
    let downloaded = resource.file.downloaded;
    decision.declared_at = if downloaded {
        nearest_editable_call(tree, subject.modules).map(|(location, _)| location)
    } else {
        Some(header.clone())
    };

    let omitted_fix = |object_form: bool, origins: &[Origin]| -> Fix {
        if let Some(origin) = Origin::fix_site(origins) {
            return fix_from_origin(origin, object_form, subject.config_address, mode_key);
        }
        if !downloaded {
            return add_block_fix(resource, subject);
        }
        match nearest_editable_call(tree, subject.modules) {
            Some((location, call)) => Fix {
                description: format!(
                    "{call} comes from a downloaded module that sets no tracing_config and has no input for it: use a module version or a fork that sets `tracing_config {{ mode = \"Active\" }}`"
                ),
                location: Some(location),
                edit: None,
            },
            None => Fix {
                description: add_block_description(subject.target, subject.config_address),
                location: None,
                edit: None,
            },
        }
    };

    match mode {
        SourceMode::Set {
            value,
            text,
            location,
            object_form,
        } => {
            let hide = evaluator.sensitive_seen
                || matches!(
                    subject.fact,
                    ModeFact::Known {
                        sensitive: true,
                        ..
                    }
                );
            let shown = if text == value.to_string() {
                String::new()
            } else {
                format!(", which is {}", value.shown(hide))
            };
            chain.push(Evidence::at(
                format!("{} sets {mode_key} = {text}{shown}", subject.config_address),
                Some(location),
            ));
            let stale = |decision: &mut Decision| {
                decision.facts.push(Evidence::new(
                    "the sources and the plan disagree: the plan may be older than the sources (run terraform plan again); the verdict follows the plan, which is what apply will do",
                ));
            };
            match (decision.assumed_omitted, &value) {
                (true, value) if value.is_known() => {
                    // A known block in the sources would be known in the plan too.
                    stale(decision);
                    decision.fix = Some(Fix {
                        description: "run terraform plan again and judge the new plan: the sources already set the mode".to_owned(),
                        location: None,
                        edit: None,
                    });
                }
                (true, Val::NotEvaluated(reason) | Val::Error(reason)) => {
                    decision.facts.push(Evidence::new(format!(
                        "the sources cannot be evaluated here ({reason}); the verdict rests on the plan"
                    )));
                }
                (true, _) => {
                    // The plan computes the whole block, and so do the sources.
                    decision.verdict = Verdict::Unknown;
                    decision.mode = None;
                    decision.facts.retain(|f| f.location.is_some());
                    decision.conclusion = Some(Evidence::new(AFTER_APPLY));
                    decision.fix = None;
                }
                (false, Val::String(mode)) if decision.mode.as_ref().is_some_and(|m| m != mode) => {
                    stale(decision);
                }
                (false, _) if decision.verdict == Verdict::Fail => {
                    if let Some(origin) = Origin::fix_site(&evaluator.origins) {
                        decision.fix = Some(fix_from_origin(
                            origin,
                            object_form,
                            subject.config_address,
                            mode_key,
                        ));
                    }
                }
                _ => {}
            }
            if let (Verdict::Unknown, false) = (decision.verdict, value.is_known()) {
                if let Val::Unknown(reason) = &value {
                    decision.conclusion = Some(Evidence::new(format!("{reason}: {AFTER_APPLY}")));
                }
            }
        }
        SourceMode::NoMode { location } => {
            chain.push(Evidence::at(
                format!("the {block_name} block sets no {mode_key}"),
                Some(location),
            ));
        }
        SourceMode::DynamicEmpty {
            text,
            location,
            object_form,
        } => {
            chain.push(Evidence::at(
                format!("dynamic \"{block_name}\" has for_each = {text}, which is empty"),
                Some(location),
            ));
            if decision.assumed_omitted || matches!(subject.fact, ModeFact::NotSet { .. }) {
                decision.verdict = Verdict::Fail;
                decision.facts.retain(|f| f.location.is_some());
                decision.conclusion = Some(Evidence::new(OMITTED));
                decision.fix = Some(omitted_fix(object_form, &evaluator.origins));
            }
        }
        SourceMode::DynamicUnknown {
            text,
            reason,
            location,
        } => {
            chain.push(Evidence::at(
                format!("dynamic \"{block_name}\" has for_each = {text}, not known before apply: {reason}"),
                Some(location),
            ));
            if decision.assumed_omitted {
                decision.verdict = Verdict::Unknown;
                decision.mode = None;
                decision.facts.retain(|f| f.location.is_some());
                decision.conclusion = Some(Evidence::new(
                    "whether the block is sent is known only after apply",
                ));
                decision.fix = None;
            }
        }
        SourceMode::DynamicUndecided {
            text,
            reason,
            location,
        } => {
            chain.push(Evidence::at(
                format!("dynamic \"{block_name}\" has for_each = {text}, which tracegate does not evaluate: {reason}"),
                Some(location),
            ));
            decision.facts.push(Evidence::new(
                "the verdict rests on the plan, which sends no tracing_config at create: AWS applies PassThrough",
            ));
        }
        SourceMode::Omitted => {
            chain.push(Evidence::at(
                format!("{} has no {block_name} block", subject.config_address),
                Some(header.clone()),
            ));
            if decision.assumed_omitted {
                decision.facts.retain(|f| f.location.is_some());
            }
            if decision.verdict == Verdict::Fail {
                decision.fix = Some(omitted_fix(false, &[]));
            }
        }
    }
    if decision.verdict == Verdict::Pass {
        decision.fix = None;
    }
    if let Some(conclusion) = &decision.conclusion {
        if decision.verdict == Verdict::Fail && conclusion.message == AFTER_APPLY {
            decision.conclusion = Some(conclusion_for(
                decision.verdict,
                decision.mode.as_deref(),
                "the mode",
            ));
        }
    }
    decision.chain = chain;
}
