//! Layer 2: which expression in the plan's `configuration` sets the mode, followed outward through
//! module calls to the root module and the plan's `variables`.

use super::show_value;
use crate::finding::Evidence;
use crate::plan::address::module_path;
use crate::plan::model::{
    ConfigModule, ConfigResource, ConfigVariable, Configuration, ModuleCall, PlanVariable,
};
use crate::rule::{CompiledPath, Step};
use foldhash::{HashMap, HashMapExt};
use serde_json::Value;
use std::collections::BTreeMap;

/// How the configuration writes the tracing block of one resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockConfig {
    /// The plan has no configuration for this resource.
    NotRecorded,
    /// No static block (a `dynamic` block does not show in the plan's configuration).
    Absent,
    /// A static block or attribute sets it.
    Present,
}

/// Where the trace through the configuration ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Origin {
    /// A known value: a literal, a variable's value or default.
    Value { value: Value, sensitive: bool },
    /// Something the configuration cannot resolve: named for the evidence.
    Open { depends_on: String },
}

#[derive(Debug, Clone)]
pub struct Trace {
    pub block: BlockConfig,
    /// Steps from cause to effect (the outermost variable first, the resource last).
    pub steps: Vec<Evidence>,
    pub origin: Option<Origin>,
    /// The edit that makes the function pass, in words.
    pub fix: Option<String>,
}

impl Trace {
    pub fn not_recorded() -> Trace {
        Trace {
            block: BlockConfig::NotRecorded,
            steps: Vec::new(),
            origin: None,
            fix: None,
        }
    }
}

/// An expression of the plan's configuration.
enum Expression<'v> {
    Constant(&'v Value),
    References(Vec<&'v str>),
}

fn expression(value: &Value) -> Option<Expression<'_>> {
    let object = value.as_object()?;
    if let Some(constant) = object.get("constant_value") {
        return Some(Expression::Constant(constant));
    }
    let references = object.get("references")?.as_array()?;
    Some(Expression::References(
        references.iter().filter_map(Value::as_str).collect(),
    ))
}

/// References without the shorter ones they contain (`a.b.c` hides `a.b`), for naming.
fn describe_references(references: &[&str]) -> String {
    // Sorted, the references that extend `r` by `.` or `[` start where `r.` and `r[` would sort:
    // one search each, not a comparison with every other reference (an expression can hold
    // thousands, and every function of it is traced).
    let mut sorted = references.to_vec();
    sorted.sort_unstable();
    let extended = |r: &str| {
        ['.', '['].iter().any(|&next| {
            let prefix = format!("{r}{next}");
            let at = sorted.partition_point(|other| *other < prefix.as_str());
            sorted
                .get(at)
                .is_some_and(|other| other.starts_with(&prefix))
        })
    };
    let mut kept: Vec<&str> = references
        .iter()
        .copied()
        .filter(|r| !extended(r))
        .collect();
    kept.dedup();
    if kept.is_empty() {
        "an expression without references".to_owned()
    } else {
        kept.join(", ")
    }
}

/// The variable an expression is, when it is one whole variable and nothing else
/// (`var.mode`, not `var.cfg.mode` or `var.a == var.b`).
fn whole_variable<'v>(references: &[&'v str]) -> Option<&'v str> {
    let mut names = references.iter().map(|r| {
        r.strip_prefix("var.")
            .filter(|rest| !rest.is_empty() && !rest.contains(['.', '[']))
    });
    let first = names.next()??;
    names.all(|n| n == Some(first)).then_some(first)
}

/// The HCL value that makes the rule path below a variable "Active": `"Active"` for the mode
/// itself, `{ mode = "Active" }` for an object holding it.
fn active_value(rest: &[Step]) -> String {
    rest.iter()
        .rev()
        .fold("\"Active\"".to_owned(), |inner, step| match step {
            Step::Key(key) => format!("{{ {key} = {inner} }}"),
            Step::Index(_) => format!("[{inner}]"),
        })
}

fn walk<'v>(value: &'v Value, steps: &[Step]) -> Option<&'v Value> {
    steps.iter().try_fold(value, |node, step| step.apply(node))
}

struct Tracer<'d, 'a> {
    /// Module calls from the root to the resource's module.
    calls: Vec<(&'d str, &'d ModuleCall<'a>)>,
    root: &'d ConfigModule<'a>,
    variables: &'d BTreeMap<String, PlanVariable>,
    steps: Vec<Evidence>,
    sensitive: bool,
}

impl<'d, 'a> Tracer<'d, 'a> {
    fn module_at(&self, depth: usize) -> &'d ConfigModule<'a> {
        if depth == 0 {
            self.root
        } else {
            &self.calls[depth - 1].1.module
        }
    }

    fn path_of(&self, depth: usize) -> String {
        let names: Vec<String> = self.calls[..depth]
            .iter()
            .map(|(n, _)| n.to_string())
            .collect();
        module_path(&names)
    }

    /// A root variable: its value in the plan's `variables`, else its declared default.
    fn root_variable(
        &mut self,
        name: &str,
        declared: Option<&ConfigVariable>,
        rest: &[Step],
    ) -> (Origin, Option<String>) {
        let finish = |tracer: &mut Self, value: &Value| Origin::Value {
            value: walk(value, rest).cloned().unwrap_or(Value::Null),
            sensitive: tracer.sensitive,
        };
        if let Some(variable) = self.variables.get(name) {
            let origin = finish(self, &variable.value);
            let value = show_value(&variable.value, self.sensitive);
            self.steps.push(Evidence::new(format!(
                "var.{name} = {value} (plan variables)"
            )));
            let fix = format!(
                "set var.{name} = {} (in a .tfvars file, with -var, or as its default)",
                active_value(rest)
            );
            return (origin, Some(fix));
        }
        match declared.and_then(ConfigVariable::default_value) {
            Some(default) => {
                let origin = finish(self, &default);
                let value = show_value(&default, self.sensitive);
                self.steps
                    .push(Evidence::new(format!("var.{name} defaults to {value}")));
                (
                    origin,
                    Some(format!("set var.{name} = {}", active_value(rest))),
                )
            }
            None => (
                Origin::Open {
                    depends_on: format!("var.{name}, which the plan does not record"),
                },
                None,
            ),
        }
    }

    /// Follows `var.name` declared in the module at `depth` to where its value comes from, then
    /// applies `rest` (the part of the rule path below the variable).
    fn follow(&mut self, depth: usize, name: &str, rest: &[Step]) -> (Origin, Option<String>) {
        let declared = self.module_at(depth).variables.get(name);
        self.sensitive |= declared.is_some_and(|v| v.sensitive);
        let finish = |tracer: &mut Self, value: &Value| Origin::Value {
            value: walk(value, rest).cloned().unwrap_or(Value::Null),
            sensitive: tracer.sensitive,
        };
        if depth == 0 {
            return self.root_variable(name, declared, rest);
        }
        let (call_name, call) = self.calls[depth - 1];
        let call_path = self.path_of(depth);
        match call.expressions.get(name).as_deref().and_then(expression) {
            None => match declared.and_then(ConfigVariable::default_value) {
                Some(default) => {
                    let origin = finish(self, &default);
                    let value = show_value(&default, self.sensitive);
                    self.steps.push(Evidence::new(format!(
                        "{call_path} does not set {name}, so var.{name} takes its default {value}"
                    )));
                    let fix = format!(
                        "set {name} = {} in module \"{call_name}\" ({call_path})",
                        active_value(rest)
                    );
                    (origin, Some(fix))
                }
                None => (
                    Origin::Open {
                        depends_on: format!(
                            "input {name} of {call_path}, which the plan does not record"
                        ),
                    },
                    None,
                ),
            },
            Some(Expression::Constant(value)) => {
                let origin = finish(self, value);
                let shown = show_value(value, self.sensitive);
                self.steps
                    .push(Evidence::new(format!("{call_path} sets {name} = {shown}")));
                let fix = format!(
                    "set {name} = {} in module \"{call_name}\" ({call_path})",
                    active_value(rest)
                );
                (origin, Some(fix))
            }
            Some(Expression::References(references)) => {
                let described = describe_references(&references);
                self.steps.push(Evidence::new(format!(
                    "{call_path} sets {name} = {described}"
                )));
                match whole_variable(&references) {
                    Some(outer) => self.follow(depth - 1, outer, rest),
                    _ => (
                        Origin::Open {
                            depends_on: described,
                        },
                        None,
                    ),
                }
            }
        }
    }
}

/// The configuration's judged resources by module path, type and name, built once per plan: a
/// lookup per function instead of a search of its module.
#[derive(Default)]
pub struct Index<'d> {
    configuration: Option<&'d Configuration<'d>>,
    /// Each module path's number in `resources`' keys: a lookup borrows the path, never copies it.
    modules: HashMap<Vec<String>, usize>,
    resources: HashMap<(usize, &'d str, &'d str), &'d ConfigResource<'d>>,
}

impl<'d> Index<'d> {
    pub fn new(configuration: Option<&'d Configuration<'d>>) -> Index<'d> {
        let mut modules = HashMap::new();
        let mut resources = HashMap::new();
        let mut pending: Vec<(Vec<String>, &ConfigModule)> = configuration
            .map(|c| (Vec::new(), &c.root_module))
            .into_iter()
            .collect();
        while let Some((path, module)) = pending.pop() {
            let count = modules.len();
            let number = *modules.entry(path.clone()).or_insert(count);
            for resource in &module.resources {
                let key = (
                    number,
                    resource.resource_type.as_str(),
                    resource.name.as_str(),
                );
                resources.entry(key).or_insert(resource);
            }
            // Deeper than any configuration nests: refused (the trace then has no record).
            if path.len() < crate::source::MAX_MODULE_DEPTH {
                for (name, call) in &module.module_calls {
                    let mut child = path.clone();
                    child.push(name.clone());
                    pending.push((child, &call.module));
                }
            }
        }
        Index {
            configuration,
            modules,
            resources,
        }
    }

    fn find(
        &self,
        modules: &[String],
        resource_type: &str,
        name: &str,
    ) -> Option<&'d ConfigResource<'d>> {
        let number = *self.modules.get(modules)?;
        self.resources.get(&(number, resource_type, name)).copied()
    }

    /// The configured resource `resource_type.name` of module `modules`.
    pub fn resource(
        &self,
        modules: &[String],
        resource_type: &str,
        name: &str,
    ) -> Option<&'d ConfigResource<'d>> {
        self.find(modules, resource_type, name)
    }

    /// Traces the tracing mode of the resource `resource_type.name` in module `modules`; with
    /// `hide`, no value on the way is shown.
    pub fn trace(
        &self,
        variables: &BTreeMap<String, PlanVariable>,
        modules: &[String],
        resource_type: &str,
        name: &str,
        path: &CompiledPath,
        hide: bool,
    ) -> Trace {
        let Some(configuration) = self.configuration else {
            return Trace::not_recorded();
        };
        let Some(resource) = self.find(modules, resource_type, name) else {
            return Trace::not_recorded();
        };
        trace(configuration, variables, modules, resource, path, hide)
    }
}

/// Traces the tracing mode of one configured resource in module `modules`. With `hide` (the
/// plan marks the mode sensitive) no value on the way is shown.
fn trace(
    configuration: &Configuration,
    variables: &BTreeMap<String, PlanVariable>,
    modules: &[String],
    resource: &ConfigResource,
    path: &CompiledPath,
    hide: bool,
) -> Trace {
    let resource_type = resource.resource_type.as_str();
    let name = resource.name.as_str();
    let root = &configuration.root_module;
    let mut calls = Vec::with_capacity(modules.len());
    let mut module = root;
    for module_name in modules {
        let Some((key, call)) = module.module_calls.get_key_value(module_name) else {
            return Trace::not_recorded();
        };
        calls.push((key.as_str(), call));
        module = &call.module;
    }
    let depth = calls.len();
    let mut tracer = Tracer {
        calls,
        root,
        variables,
        steps: Vec::new(),
        sensitive: hide,
    };
    let config_address = {
        let prefix = tracer.path_of(depth);
        if prefix.is_empty() {
            format!("{resource_type}.{name}")
        } else {
            format!("{prefix}.{resource_type}.{name}")
        }
    };

    // Only the rule path's attribute is built, then walked.
    let (attribute_value, below) = match path.steps.split_first() {
        Some((Step::Key(attribute), below)) => (resource.expressions.get(attribute), below),
        _ => (None, &[][..]),
    };
    let Some((expr, rest)) = attribute_value
        .as_deref()
        .and_then(|value| covering_expression(value, below))
    else {
        return Trace {
            block: BlockConfig::Absent,
            steps: Vec::new(),
            origin: None,
            fix: None,
        };
    };
    let attribute = path.names.last().map(String::as_str).unwrap_or("mode");
    let (origin, fix) = match expr {
        Expression::Constant(value) => {
            let value = walk(value, rest).unwrap_or(&Value::Null);
            tracer.steps.push(Evidence::new(format!(
                "{config_address} sets {attribute} = {}",
                show_value(value, hide)
            )));
            (
                Origin::Value {
                    value: value.clone(),
                    sensitive: hide,
                },
                Some(format!("set {attribute} = \"Active\" in {config_address}")),
            )
        }
        Expression::References(references) => {
            let described = describe_references(&references);
            tracer.steps.push(Evidence::new(format!(
                "{config_address} sets {attribute} from {described}"
            )));
            match whole_variable(&references) {
                Some(variable) => tracer.follow(depth, variable, rest),
                _ => (
                    Origin::Open {
                        depends_on: described,
                    },
                    None,
                ),
            }
        }
    };
    // Collected from the resource outward; reports read cause to effect.
    let resource_step = tracer.steps.remove(0);
    tracer.steps.reverse();
    tracer.steps.push(resource_step);
    Trace {
        block: BlockConfig::Present,
        steps: tracer.steps,
        origin: Some(origin),
        fix,
    }
}

/// Walks the rest of the rule path from an attribute's expression value to the expression that
/// covers what is left of it (the mode itself, or the block or object holding it), with the
/// steps left below it.
fn covering_expression<'v, 's>(
    value: &'v Value,
    steps: &'s [Step],
) -> Option<(Expression<'v>, &'s [Step])> {
    let (mut node, mut rest) = (value, steps);
    loop {
        if let Some(expr) = expression(node) {
            return Some((expr, rest));
        }
        let (step, below) = rest.split_first()?;
        node = step.apply(node)?;
        rest = below;
    }
}

/// Without sources, the fix for a function inside a module that is not local (a registry or git
/// source): the user edits the module block, not the downloaded code.
pub fn downloaded_module_fix(
    configuration: Option<&Configuration>,
    modules: &[String],
) -> Option<String> {
    let mut module = &configuration?.root_module;
    let mut call = None;
    for name in modules {
        let found = module.module_calls.get(name)?;
        call = Some((name, found));
        module = &found.module;
    }
    let (name, call) = call?;
    let source = call.source.as_deref().unwrap_or("");
    if source.starts_with("./") || source.starts_with("../") {
        return None;
    }
    let shown: String = source
        .chars()
        .filter(|c| !c.is_control())
        .take(120)
        .collect();
    let path = module_path(modules);
    Some(match tracing_input(call.module.variables.keys()) {
        Some(input) => format!(
            "set {input} = {} in the module \"{name}\" block ({path}): the function is defined in {shown}",
            // The plan records no variable types: a `*mode` input takes the mode itself.
            if input.ends_with("mode") { "\"Active\"" } else { "{ mode = \"Active\" }" }
        ),
        None => format!(
            "{path} comes from {shown}, whose function sets no tracing_config and has no tracing input: use a version or a fork that sets `tracing_config {{ mode = \"Active\" }}`"
        ),
    })
}

/// The module input that sets the tracing mode, by name: the plan records which expression
/// sets a dynamic block (the registry module's `tracing_config`) not at all, so the name is all
/// there is. A `*mode` input first (`tracing_mode`), then any other tracing input that is not a
/// switch for the IAM policy (`attach_tracing_policy` grants X-Ray, it sets no mode).
fn tracing_input<'v>(variables: impl Iterator<Item = &'v String>) -> Option<&'v String> {
    let candidates: Vec<&String> = variables
        .filter(|v| v.contains("tracing") && !v.contains("policy") && !v.starts_with("attach_"))
        .collect();
    candidates
        .iter()
        .find(|v| v.ends_with("mode"))
        .or(candidates.first())
        .copied()
}

#[cfg(test)]
mod tests {
    use super::describe_references;

    proptest::proptest! {
        /// The sorted search hides exactly the references another one extends by `.` or `[`
        /// (the comparison of every pair it replaced), keeping their order.
        #[test]
        fn hidden_references_are_those_another_extends(
            references in proptest::collection::vec(
                proptest::sample::select(vec![
                    "var.a", "var.a.b", "var.a[0]", "var.ab", "var.a.b.c", "local.x",
                    "local.x[\"k\"]", "var.a-", "var", "module.m.out", "module.m",
                ]),
                0..8,
            )
        ) {
            let mut kept: Vec<&str> = references
                .iter()
                .copied()
                .filter(|r| {
                    !references.iter().any(|other| {
                        other.len() > r.len()
                            && other.starts_with(r)
                            && other[r.len()..].starts_with(['.', '['])
                    })
                })
                .collect();
            kept.dedup();
            let expected = if kept.is_empty() {
                "an expression without references".to_owned()
            } else {
                kept.join(", ")
            };
            proptest::prop_assert_eq!(describe_references(&references), expected);
        }
    }
}
