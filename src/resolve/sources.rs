//! Layer 3's facts: what the `.tf` sources say about one function. They locate every step, tell an
//! omitted block from a `dynamic` one, evaluate `for_each`, `content` and locals where they depend
//! only on known values, and give the one place to edit (always inside the repository, never under
//! `.terraform/`). Nothing here decides a verdict: `decide` does, from these facts.

use super::add_block_description;
use super::eval::{closing_line, Evaluator, Origin, OriginKind, PlanIndex, Scope, Val};
use crate::finding::{Edit, Evidence, Fix, Location};
use crate::plan::address::module_path;
use crate::plan::model::PlanVariable;
use crate::rule::{CompiledPath, Target};
use crate::source::module::Found;
use crate::source::SourceTree;
use hcl_edit::expr::Expression;
use hcl_edit::structure::Block;
use hcl_edit::Span;
use std::collections::BTreeMap;

/// The function being judged, as layer 3 needs it: its configuration, not one instance.
pub struct Subject<'s> {
    pub modules: &'s [String],
    pub resource_type: &'s str,
    pub name: &'s str,
    pub config_address: &'s str,
    pub target: &'static Target,
    pub path: &'static CompiledPath,
}

/// What the sources say about the tracing block.
#[derive(Debug, Clone)]
pub enum SourceMode {
    /// `mode` is set (statically, or in a dynamic block's content).
    Set {
        value: Val,
        text: String,
        /// The expression is a literal: its text is its value.
        literal: bool,
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

/// Everything the sources tell about one function's configuration (shared by its instances).
#[derive(Debug, Clone)]
pub struct SourceFacts {
    pub mode: SourceMode,
    /// Resolution steps, cause first, each once.
    pub chain: Vec<Evidence>,
    /// Where the resource block is (its header).
    pub header: Location,
    /// Where the function is declared in the repository (for a downloaded module, the nearest
    /// module block the repository holds).
    pub declared_at: Option<Location>,
    /// The edit that sets the mode where its value is written, when one is known.
    pub value_fix: Option<Fix>,
    /// The edit that adds the missing block (or, for a downloaded module, what to use instead).
    pub block_fix: Fix,
    /// `lifecycle { ignore_changes = [tracing_config] }` (or `all`): the value Terraform keeps.
    pub ignore_changes: Option<IgnoreChanges>,
    /// A sensitive value was read on the way: no value is shown.
    pub sensitive: bool,
}

/// Where `ignore_changes` holds the deployed tracing mode, and the edit that drops it.
#[derive(Debug, Clone)]
pub struct IgnoreChanges {
    pub location: Location,
    pub fix: Fix,
}

/// Why the sources tell nothing about a function.
#[derive(Debug, Clone)]
pub enum Unavailable {
    /// The module's sources cannot be read (the reason).
    Module(String),
    /// No `resource` block for it (and the first problem met reading the module, if any).
    NoBlock {
        resource_type: String,
        name: String,
        module: String,
        problem: Option<String>,
    },
}

/// Whether a mode expression reads `mode` out of an object (`x.value.mode`, `var.cfg.mode`), so
/// that the value to set upstream is `{ mode = "Active" }` rather than `"Active"`.
fn reads_object(expr: &Expression) -> bool {
    matches!(expr, Expression::Traversal(t) if t.operators.len() >= 2)
}

fn read_mode(evaluator: &mut Evaluator, resource: Found<Block>, subject: &Subject) -> SourceMode {
    let (block_name, _) = subject.path.block_and_mode();
    if let Some(mode) = attribute_mode(evaluator, resource, subject) {
        return mode;
    }
    if let Some(block) = resource.blocks(block_name).next() {
        return block_mode(evaluator, block, subject);
    }
    let dynamic = resource.blocks("dynamic").find(|b| {
        b.item
            .labels
            .first()
            .is_some_and(|l| l.as_str() == block_name)
    });
    match dynamic {
        Some(dynamic) => dynamic_mode(evaluator, dynamic, subject),
        None => SourceMode::Omitted,
    }
}

/// An attribute form: awscc's object, or `tracing_config = {…}`.
fn attribute_mode(
    evaluator: &mut Evaluator,
    resource: Found<Block>,
    subject: &Subject,
) -> Option<SourceMode> {
    let (block_name, mode_key) = subject.path.block_and_mode();
    let scope = Scope {
        module: subject.modules,
        iterator: None,
    };
    let attribute = resource.attribute(block_name)?;
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
    Some(SourceMode::Set {
        literal: super::eval::is_literal(expr),
        text: attribute.file.snippet(expr.span()),
        location: attribute.file.location(expr.span()),
        object_form: inner.is_none(),
        value,
    })
}

/// A static block: its `mode`, or none.
fn block_mode(evaluator: &mut Evaluator, block: Found<Block>, subject: &Subject) -> SourceMode {
    let (_, mode_key) = subject.path.block_and_mode();
    let scope = Scope {
        module: subject.modules,
        iterator: None,
    };
    match block.attribute(mode_key) {
        Some(mode) => {
            let value = evaluator.eval(mode.expr(), scope);
            if mode.expr().as_str().is_some() {
                evaluator.literal(mode.file, mode.expr(), &value, subject.modules.len());
            }
            SourceMode::Set {
                literal: super::eval::is_literal(mode.expr()),
                text: mode.value_text(),
                location: mode.value_location(),
                object_form: false,
                value,
            }
        }
        None => SourceMode::NoMode {
            location: block.header(),
        },
    }
}

/// A `dynamic` block: its `for_each`, and the content's `mode` for the first element.
fn dynamic_mode(evaluator: &mut Evaluator, dynamic: Found<Block>, subject: &Subject) -> SourceMode {
    let (block_name, mode_key) = subject.path.block_and_mode();
    let scope = Scope {
        module: subject.modules,
        iterator: None,
    };
    let content_mode = dynamic
        .blocks("content")
        .next()
        .and_then(|content| content.attribute(mode_key));
    let object_form = content_mode.is_some_and(|m| reads_object(m.expr()));
    let Some(for_each) = dynamic.attribute("for_each") else {
        return SourceMode::DynamicUndecided {
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
        Val::Unknown(reason) | Val::UnknownString(reason) => {
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
    let Some(mode) = content_mode else {
        return SourceMode::NoMode {
            location: dynamic.header(),
        };
    };
    let value = evaluator.eval(
        mode.expr(),
        Scope {
            module: subject.modules,
            iterator: Some((&iterator, &element)),
        },
    );
    if mode.expr().as_str().is_some() {
        evaluator.literal(mode.file, mode.expr(), &value, subject.modules.len());
    }
    SourceMode::Set {
        literal: super::eval::is_literal(mode.expr()),
        text: mode.value_text(),
        location: mode.value_location(),
        object_form,
        value,
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
                        // Keys and values from the configuration, written as HCL literals:
                        // a key cannot become code in the suggested edit.
                        format!("{} = {v}", super::eval::hcl_key(k))
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
        // The start of a line.
    }
}

fn fix_from_origin(
    origin: &Origin,
    object_form: bool,
    config_address: &str,
    mode_key: &str,
) -> Fix {
    let value = active_text(&origin.value, object_form);
    let mut closing_refused = None;
    let (description, edit) = match &origin.kind {
        OriginKind::Literal => (format!("set {mode_key} = {value} in {config_address}"), None),
        OriginKind::Argument { call, name } => (format!("set {name} = {value} in {call}'s module block"), None),
        OriginKind::MissingArgument { call, name, closing, closing_refusal, indent } => {
            closing_refused.clone_from(closing_refusal);
            (
                format!("add {name} = {value} to the module block of {call}"),
                Some(insert_at(closing, format!("{indent}{name} = {value}\n"))),
            )
        }
        OriginKind::Default { name } => (format!("change the default of var.{name} to {value}"), None),
        OriginKind::Tfvars { name } => (format!("set {name} = {value} in {}", origin.location.file), None),
        OriginKind::Outside { name } => (
            format!("set var.{name} to {value} where the plan is made (-var, -var-file or TF_VAR_{name}), or give it that default"),
            None,
        ),
    };
    let refusal = refusal(origin).or(closing_refused);
    let edit = edit.or_else(|| {
        origin.replace.as_ref().map(|end| Edit {
            start: origin.location.clone(),
            end: end.clone(),
            text: value.clone(),
        })
    });
    // In JSON syntax only a string literal is a valid replacement, and HCL lines are never
    // inserted: the description says what to change.
    let json_refusal = edit
        .as_ref()
        .filter(|e| origin.in_json && (e.start == e.end || !e.text.starts_with('"')))
        .map(|_| {
            "the file is JSON syntax, where tracegate replaces only a string value and inserts nothing"
                .to_owned()
        });
    let refusal = refusal.or(json_refusal);
    Fix {
        description,
        location: Some(origin.location.clone()),
        edit: if refusal.is_some() { None } else { edit },
        refusal,
        more_edits: Vec::new(),
    }
}

/// Why the place a value comes from cannot take the literal edit, when it cannot: a computed
/// expression (a conditional, a reference) would be replaced by a constant and lose what it
/// decides; a list, a number or a bool holds something other than the mode itself.
fn refusal(origin: &Origin) -> Option<String> {
    if let OriginKind::Outside { name } = &origin.kind {
        return Some(format!(
            "var.{name} is set outside the sources (-var, -var-file or TF_VAR_{name}): change it where the plan is made"
        ));
    }
    if !origin.holds_value {
        return Some(format!(
            "the value at {} is computed by an expression (a reference, a call or a conditional): tracegate does not replace an expression with a constant; change it by hand",
            origin.location
        ));
    }
    // An object is written back whole: every value in it must be one tracegate can write.
    fn writable(value: &Val) -> bool {
        match value {
            Val::String(_) | Val::Null | Val::Bool(_) => true,
            Val::Number(n) => n.is_finite(),
            Val::List(items) => items.iter().all(writable),
            Val::Map(map) => map.values().all(writable),
            _ => false,
        }
    }
    match &origin.value {
        Val::String(_) | Val::Null => None,
        Val::Map(map) if map.values().all(writable) => None,
        Val::Map(_) => Some(format!(
            "the object at {} holds values known only after apply or not evaluated: tracegate does not rewrite it; set its mode by hand",
            origin.location
        )),
        Val::List(_) => Some(format!(
            "the value at {} is a list that holds more than this function's mode (one element per instance): change the element by hand",
            origin.location
        )),
        other => Some(format!(
            "the value at {} is {other}, not a mode: tracegate does not replace it; change it by hand",
            origin.location
        )),
    }
}

/// Before the closing brace of the resource block: where a missing block is added, indented as
/// the block's body is.
fn add_block_fix(resource: Found<Block>, subject: &Subject) -> Fix {
    let header = resource.header();
    let at = closing_line(resource.file, resource.item.span());
    let (indent, unit) = super::eval::body_indent(resource.file, &header, at.line);
    let text: String = subject
        .target
        .snippet
        .lines()
        .map(|l| {
            // The snippet is indented by two spaces a level: use the file's unit instead.
            let trimmed = l.trim_start_matches(' ');
            let levels = (l.len() - trimmed.len()) / 2;
            format!("{indent}{}{trimmed}\n", unit.repeat(levels))
        })
        .collect();
    let (block_name, _) = subject.path.block_and_mode();
    let dynamic = resource.blocks("dynamic").any(|b| {
        b.item
            .labels
            .first()
            .is_some_and(|l| l.as_str() == block_name)
    });
    let refusal = if dynamic {
        // A static block beside the dynamic one makes two wherever the dynamic one writes its
        // block, which the schema (at most one) refuses.
        Some(format!(
            "a dynamic \"{block_name}\" block decides whether the block is sent: a static one beside it would make two; change its for_each or replace it with a static block by hand"
        ))
    } else if resource.file.is_json() {
        // An HCL block inserted into JSON syntax would break the file.
        Some("the resource is in a JSON-syntax file, where tracegate inserts nothing: add the block by hand".to_owned())
    } else {
        super::eval::closing_refusal(resource.file, resource.item.span())
    };
    Fix {
        description: add_block_description(subject.target, subject.config_address),
        location: Some(header),
        edit: refusal.is_none().then(|| insert_at(&at, text)),
        refusal,
        more_edits: Vec::new(),
    }
}

/// The edit that sets argument `name` of the module call `modules` (its last element, in the
/// caller) to the literal `value`: a literal there is replaced, a missing argument added before
/// the closing brace. `None` when the call is not in the repository's sources.
pub fn set_call_argument(
    tree: &SourceTree,
    modules: &[String],
    name: &str,
    value: &str,
) -> Option<Fix> {
    let (call, parent) = modules.split_last()?;
    let parent_sources = tree.module(parent);
    let parent_sources = parent_sources.as_ref().as_ref().ok()?;
    let block = parent_sources.module_call(call)?;
    if block.file.downloaded {
        return None;
    }
    let description = format!(
        "set {name} = {value} in the module block of {}",
        module_path(modules)
    );
    if let Some(argument) = block.attribute(name) {
        let literal = super::eval::is_literal(argument.expr());
        let json = block.file.is_json();
        let refusal = if !literal {
            Some(format!(
                "{name} at {} is computed by an expression: tracegate does not replace an expression with a constant; change it by hand",
                argument.value_location()
            ))
        } else if json {
            Some("the module block is in a JSON-syntax file: change it by hand".to_owned())
        } else {
            None
        };
        let span = argument.item.value.span();
        let edit = refusal.is_none().then(|| Edit {
            start: argument.value_location(),
            end: super::eval::end_location(argument.file, span.clone()),
            text: value.to_owned(),
        });
        return Some(Fix {
            description,
            location: Some(argument.value_location()),
            edit,
            refusal,
            more_edits: Vec::new(),
        });
    }
    let header = block.header();
    let closing = closing_line(block.file, block.item.span());
    let (indent, _) = super::eval::body_indent(block.file, &header, closing.line);
    let json = block.file.is_json();
    let refusal = if json {
        Some("the module block is in a JSON-syntax file, where tracegate inserts nothing: add the argument by hand".to_owned())
    } else {
        super::eval::closing_refusal(block.file, block.item.span())
    };
    Some(Fix {
        description,
        location: Some(header),
        edit: refusal
            .is_none()
            .then(|| insert_at(&closing, format!("{indent}{name} = {value}\n"))),
        refusal,
        more_edits: Vec::new(),
    })
}

/// The policy `fix` attaches: AWS's managed policy that allows exactly the two actions tracing
/// needs (and the sampling reads the X-Ray SDK makes).
const XRAY_POLICY: &str = "AWSXRayDaemonWriteAccess";
const ATTACHMENT: &str = "aws_iam_role_policy_attachment";

/// The permission fix for a function whose role is an `aws_iam_role` of the repository's
/// configuration: an `aws_iam_role_policy_attachment` of AWSXRayDaemonWriteAccess inserted after
/// the role's block (one per role: the same edit for every function that shares it), and the
/// function's `depends_on` naming it, so that CreateFunction waits for the grant. `Err` says why
/// not. An attachment already there (a second run on a stale plan) is reused, not added again.
pub fn attach_xray_policy(
    tree: &SourceTree,
    role: &super::xray_permission::FailingRole,
    function_modules: &[String],
    function_name: &str,
) -> Result<Fix, String> {
    // Names from the plan are written into HCL: only what Terraform accepts as a name.
    for name in [role.name.as_str(), function_name] {
        if !is_identifier(name) {
            return Err(format!(
                "{} is not a Terraform name: not written into a file",
                name.escape_debug()
            ));
        }
    }
    let role_address = format!("aws_iam_role.{}", role.name);
    if role.denied {
        return Err(format!(
            "an explicit Deny in the policies of {role_address} wins over any attachment: remove the Deny of xray:PutTraceSegments and xray:PutTelemetryRecords by hand"
        ));
    }
    if role.modules != function_modules {
        return Err(format!(
            "{role_address} is in another module than the function, whose depends_on cannot name an attachment beside it: add the grant by hand"
        ));
    }
    let module = tree.module(&role.modules);
    let module = module
        .as_ref()
        .as_ref()
        .map_err(|_| format!("the module of {role_address} is not in the sources read"))?;
    let role_block = module
        .resource("aws_iam_role", &role.name)
        .ok_or_else(|| format!("{role_address} is not in the sources read (pass --source-root at the configuration's root)"))?;
    let function_address = format!("aws_lambda_function.{function_name}");
    let function_block = module
        .resource("aws_lambda_function", function_name)
        .ok_or_else(|| format!("{function_address} is not in the sources read"))?;
    for (block, what) in [
        (&role_block, &role_address),
        (&function_block, &function_address),
    ] {
        if block.file.downloaded {
            return Err(format!(
                "{what} is in a downloaded module (.terraform/): tracegate never edits there; grant X-Ray in the module's inputs or its source"
            ));
        }
        if block.file.is_json() {
            return Err(format!(
                "{what} is in a JSON-syntax file, where tracegate inserts nothing: add the attachment by hand"
            ));
        }
    }
    if role.indexed
        || role_block.attribute("count").is_some()
        || role_block.attribute("for_each").is_some()
    {
        return Err(format!(
            "{role_address} has count or for_each: an attachment would need the same and an index per function, which tracegate does not guess; add it by hand"
        ));
    }
    let role_reference = format!("{role_address}.name");
    let exact = |block: &Found<Block>, key: &str| {
        block.attribute(key).and_then(|a| {
            a.file
                .text
                .get(a.item.value.span()?)
                .map(str::trim)
                .map(str::to_owned)
        })
    };
    // An attachment of the policy to this role already written (the plan predates it).
    let role_id = format!("{role_address}.id");
    let existing = module.blocks_of_type("resource", ATTACHMENT).find(|b| {
        exact(b, "role").is_some_and(|r| r == role_reference || r == role_id)
            && exact(b, "policy_arn")
                .is_some_and(|arn| arn.ends_with(&format!(":policy/{XRAY_POLICY}\"")))
    });
    let taken = |name: &str| module.resource(ATTACHMENT, name).is_some();
    let partition = module
        .blocks_of_type("data", "aws_partition")
        .find_map(|b| b.item.labels.get(1).map(|l| l.as_str().to_owned()))
        .filter(|label| is_identifier(label))
        // One counted is named with an index: the literal then.
        .filter(|label| {
            module.blocks_of_type("data", "aws_partition").any(|b| {
                b.item.labels.get(1).map(|l| l.as_str()) == Some(label.as_str())
                    && b.attribute("count").is_none()
                    && b.attribute("for_each").is_none()
            })
        });
    let (name, insert) = match existing {
        Some(block) => {
            let name = block
                .item
                .labels
                .get(1)
                .map_or("", |l| l.as_str())
                .to_owned();
            if !is_identifier(&name) {
                return Err(format!(
                    "the attachment {} is not named as Terraform names resources: fix it by hand",
                    name.escape_debug()
                ));
            }
            (name, insert_at(&block.header(), String::new()))
        }
        None => {
            let base = format!("{}_xray", role.name);
            let name = std::iter::once(base.clone())
                .chain((2..).map(|n| format!("{base}_{n}")))
                .find(|n| !taken(n))
                .expect("an unbounded sequence of names");
            let header = role_block.header();
            let closing = closing_line(role_block.file, role_block.item.span());
            let (inner, unit) = super::eval::body_indent(role_block.file, &header, closing.line);
            let outer = inner.strip_suffix(unit.as_str()).unwrap_or("");
            let arn = match &partition {
                Some(label) => format!(
                    "arn:${{data.aws_partition.{label}.partition}}:iam::aws:policy/{XRAY_POLICY}"
                ),
                None => format!("arn:aws:iam::aws:policy/{XRAY_POLICY}"),
            };
            let text = format!(
                "\n\n{outer}resource \"{ATTACHMENT}\" \"{name}\" {{\n{inner}role       = {role_reference}\n{inner}policy_arn = \"{arn}\"\n{outer}}}"
            );
            let after_block = super::eval::end_location(role_block.file, role_block.item.span());
            (name, insert_at(&after_block, text))
        }
    };
    let dependency = format!("{ATTACHMENT}.{name}");
    let depends_on = match function_block.attribute("depends_on") {
        Some(attribute) => {
            if attribute.file.downloaded || attribute.file.is_json() {
                return Err(format!(
                    "the depends_on of {function_address} is in a file tracegate does not edit ({}): add {dependency} to it by hand",
                    attribute.file.display
                ));
            }
            let Expression::Array(items) = attribute.expr() else {
                return Err(format!(
                    "the depends_on of {function_address} at {} is not a list: add {dependency} to it by hand",
                    attribute.value_location()
                ));
            };
            let text = |span: Option<std::ops::Range<usize>>| {
                span.and_then(|s| attribute.file.text.get(s)).map(str::trim)
            };
            if items
                .iter()
                .any(|item| text(item.span()) == Some(dependency.as_str()))
            {
                insert_at(&attribute.value_location(), String::new())
            } else {
                match items.iter().last().and_then(|item| item.span()) {
                    Some(last) => insert_at(
                        &super::eval::end_location(attribute.file, Some(last)),
                        format!(", {dependency}"),
                    ),
                    None => {
                        // `[]`: inside the brackets.
                        let span = attribute.item.value.span().ok_or_else(|| {
                            format!("the depends_on of {function_address} has no position")
                        })?;
                        let inside = span.end.saturating_sub(1);
                        insert_at(
                            &attribute.file.location(Some(inside..inside)),
                            dependency.clone(),
                        )
                    }
                }
            }
        }
        None => {
            let header = function_block.header();
            let closing = closing_line(function_block.file, function_block.item.span());
            if closing.line == header.line {
                // A line inserted before its brace would land before its header.
                return Err(format!(
                    "{function_address} is written on one line: add depends_on = [{dependency}] by hand"
                ));
            }
            let (inner, _) = super::eval::body_indent(function_block.file, &header, closing.line);
            insert_at(&closing, format!("{inner}depends_on = [{dependency}]\n"))
        }
    };
    let literal_partition = if partition.is_none() {
        " (its ARN names the partition aws: the module declares no data \"aws_partition\"; change it for GovCloud or China)"
    } else {
        ""
    };
    Ok(Fix {
        description: format!(
            "attach {XRAY_POLICY} to {role_address}: add resource \"{ATTACHMENT}\" \"{name}\" after it{literal_partition}, and depends_on = [{dependency}] to each function that runs as it"
        ),
        location: Some(role_block.header()),
        edit: Some(insert),
        refusal: None,
        more_edits: vec![(
            format!("add {dependency} to the depends_on of {function_address}, so that it is created after the grant"),
            depends_on,
        )],
    })
}

/// A name Terraform accepts for a resource or data source (`hclsyntax.ValidIdentifier`, ASCII
/// only here: a letter or `_`, then letters, digits, `_` and `-`).
fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        && name.len() <= 200
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

/// Reads what the sources say about a function's configuration.
pub fn read(
    tree: &SourceTree,
    variables: &BTreeMap<String, PlanVariable>,
    plan: &PlanIndex,
    subject: &Subject,
    hide: bool,
) -> Result<SourceFacts, Unavailable> {
    let module = tree.module(subject.modules);
    let module = module
        .as_ref()
        .as_ref()
        .map_err(|r| Unavailable::Module(r.clone()))?;
    let Some(resource) = module.resource(subject.resource_type, subject.name) else {
        return Err(Unavailable::NoBlock {
            resource_type: subject.resource_type.to_owned(),
            name: subject.name.to_owned(),
            module: if subject.modules.is_empty() {
                "the root module".to_owned()
            } else {
                module_path(subject.modules)
            },
            problem: module.problems.first().cloned(),
        });
    };
    let mut evaluator = Evaluator::new(tree, variables, plan);
    evaluator.sensitive_seen = hide;
    let mode = read_mode(&mut evaluator, resource, subject);
    let (_, mode_key) = subject.path.block_and_mode();
    // Steps come cause first; the for_each and the content may resolve the same variable twice.
    let mut chain: Vec<Evidence> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for step in evaluator.steps.drain(..) {
        if seen.insert((step.message.clone(), step.location.clone())) {
            chain.push(step);
        }
    }
    cap_chain(&mut chain);
    let downloaded = resource.file.downloaded;
    let object_form = match &mode {
        SourceMode::Set { object_form, .. } | SourceMode::DynamicEmpty { object_form, .. } => {
            *object_form
        }
        _ => false,
    };
    // Only a place whose value is the mode's (or an object holding it) can fix it: a variable
    // read on the way for another field (`local.cfg = { password = var.x, mode = "…" }`) cannot.
    let candidates: Vec<Origin> = match &mode {
        SourceMode::Set { value, .. } => evaluator
            .origins
            .iter()
            .filter(|origin| origin.carries(value, mode_key))
            .cloned()
            .collect(),
        _ => evaluator.origins.clone(),
    };
    let value_fix = Origin::fix_site(&candidates)
        .map(|origin| fix_from_origin(origin, object_form, subject.config_address, mode_key));
    Ok(SourceFacts {
        header: resource.header(),
        declared_at: if downloaded {
            nearest_editable_call(tree, subject.modules).map(|(location, _)| location)
        } else {
            Some(resource.header())
        },
        value_fix,
        block_fix: block_fix(tree, resource, subject),
        ignore_changes: ignore_changes(resource, subject.path.block_and_mode().0),
        sensitive: evaluator.sensitive_seen,
        mode,
        chain,
    })
}

/// Resolution steps one finding shows: a chain that fans out (locals over locals) is cut in the
/// middle, keeping where it starts and where it reaches the function, so every instance of a
/// resource does not carry thousands of steps.
const MAX_CHAIN: usize = 24;

fn cap_chain(chain: &mut Vec<Evidence>) {
    if chain.len() <= MAX_CHAIN {
        return;
    }
    let head = MAX_CHAIN / 2;
    let tail = MAX_CHAIN - head - 1;
    let cut = chain.len() - head - tail;
    let rest = chain.split_off(chain.len() - tail);
    chain.truncate(head);
    chain.push(Evidence::new(format!("… {cut} more resolution steps")));
    chain.extend(rest);
}

/// The fix for a missing block: add it to the resource, or for a downloaded module, name the
/// module block the repository holds.
fn block_fix(tree: &SourceTree, resource: Found<Block>, subject: &Subject) -> Fix {
    if !resource.file.downloaded {
        return add_block_fix(resource, subject);
    }
    match nearest_editable_call(tree, subject.modules) {
        Some((location, call)) => Fix {
            description: format!(
                "{call} comes from a downloaded module that sets no tracing_config and has no input for it: use a module version or a fork that sets `tracing_config {{ mode = \"Active\" }}`"
            ),
            location: Some(location),
            edit: None,
            refusal: Some(
                "the function is in a downloaded module with no input for tracing: tracegate never edits under .terraform/".to_owned(),
            ),
            more_edits: Vec::new(),
        },
        None => Fix {
            description: add_block_description(subject.target, subject.config_address),
            location: None,
            edit: None,
            refusal: Some("no module block in the repository calls it".to_owned()),
            more_edits: Vec::new(),
        },
    }
}

/// `lifecycle { ignore_changes = [...] }` naming the tracing block (or `all`), in a file of the
/// repository: Terraform then keeps the deployed value whatever the configuration says
/// (internal/terraform/node_resource_abstract_instance.go, processIgnoreChanges).
fn ignore_changes(resource: Found<Block>, block_name: &str) -> Option<IgnoreChanges> {
    let lifecycle = resource.blocks("lifecycle").next()?;
    let ignore = lifecycle.attribute("ignore_changes")?;
    let names_block = |expr: &Expression| match expr {
        Expression::Variable(v) => v.as_str() == block_name || v.as_str() == "all",
        Expression::Traversal(t) => {
            matches!(&t.expr, Expression::Variable(v) if v.as_str() == block_name)
        }
        Expression::String(s) => {
            s.as_str() == block_name || s.as_str().starts_with(&format!("{block_name}["))
        }
        _ => false,
    };
    let listed = match ignore.expr() {
        Expression::Array(items) => items.iter().any(names_block),
        other => names_block(other),
    };
    if !listed {
        return None;
    }
    let location = ignore.location();
    let (edit, refusal) = drop_ignored(ignore, &names_block);
    Some(IgnoreChanges {
        fix: Fix {
            description: format!(
                "remove {block_name} from lifecycle.ignore_changes (it keeps the deployed mode), then set the mode to \"Active\""
            ),
            location: Some(location.clone()),
            edit,
            refusal,
            more_edits: Vec::new(),
        },
        location,
    })
}

/// The edit that stops `ignore_changes` from naming the tracing block: the entry goes from a
/// list that names others too (the list is rewritten from its other entries); a list of that
/// entry alone goes with its line. `all` (which ignores every other argument as well), a JSON
/// file and a downloaded module are refused.
fn drop_ignored(
    ignore: Found<hcl_edit::structure::Attribute>,
    names_block: &dyn Fn(&Expression) -> bool,
) -> (Option<Edit>, Option<String>) {
    if ignore.file.downloaded {
        return (
            None,
            Some("the lifecycle block is in a downloaded module: tracegate never edits under .terraform/".to_owned()),
        );
    }
    if ignore.file.is_json() {
        return (
            None,
            Some("the lifecycle block is in a JSON-syntax file: change it by hand".to_owned()),
        );
    }
    let all = |expr: &Expression| matches!(expr, Expression::Variable(v) if v.as_str() == "all");
    let others: Vec<&Expression> = match ignore.expr() {
        Expression::Array(items) => items.iter().filter(|item| !names_block(item)).collect(),
        _ => Vec::new(),
    };
    let names_all = match ignore.expr() {
        Expression::Array(items) => items.iter().any(all),
        other => all(other),
    };
    if names_all {
        return (
            None,
            Some("ignore_changes = all ignores every argument, not only tracing_config: narrow it by hand".to_owned()),
        );
    }
    if !others.is_empty() {
        let kept: Vec<String> = others
            .iter()
            .map(|item| {
                item.span()
                    .and_then(|s| ignore.file.text.get(s))
                    .unwrap_or_default()
                    .trim()
                    .to_owned()
            })
            .collect();
        let value_span = ignore.item.value.span();
        return (
            Some(Edit {
                start: ignore.value_location(),
                end: super::eval::end_location(ignore.file, value_span.clone()),
                text: format!("[{}]", kept.join(", ")),
            }),
            None,
        );
    }
    // The attribute alone on its line goes with the line; else only its text.
    let span = ignore.item.span().unwrap_or(0..0);
    let text = &ignore.file.text;
    let line_start = text[..span.start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[span.end..].find('\n').map(|i| span.end + i + 1);
    let alone = text[line_start..span.start].trim().is_empty()
        && line_end.is_some_and(|end| text[span.end..end].trim().is_empty());
    let (start, end) = if alone {
        (line_start, line_end.expect("checked"))
    } else {
        (span.start, span.end)
    };
    let at = |offset: usize| {
        let (line, column) = ignore.file.index.position(text.as_bytes(), offset);
        Location {
            file: ignore.file.display.clone(),
            line,
            column: Some(column),
            byte_column: Some(ignore.file.index.byte_column(offset)),
        }
    };
    (
        Some(Edit {
            start: at(start),
            end: at(end),
            text: String::new(),
        }),
        None,
    )
}

#[cfg(test)]
mod tests {
    use super::is_identifier;

    #[test]
    fn only_terraform_names_are_written_into_hcl() {
        for name in ["fn", "_x", "shared-role_2", "A9"] {
            assert!(is_identifier(name), "{name}");
        }
        for name in ["", "9fn", "a\"b", "a b", "a\n}", "é", "a.b", "x${y}"] {
            assert!(!is_identifier(name), "{name:?}");
        }
    }
}
