//! A bounded evaluator for the expressions that decide tracing: literals, variables (plan values,
//! module call arguments, defaults), locals, conditionals, `==`/`!=`/`&&`/`||`/`!`, lists, objects,
//! and `try`, `coalesce`, `lookup`, `length`, `toset`, `tolist`. What depends on apply-time values,
//! or on anything else, is `Unknown` with the reason. It records each resolution step with its
//! location, and where the value came from (the candidate fix sites).

use crate::finding::{Evidence, Location};
use crate::plan::address::{self, module_path};
use crate::plan::marks;
use crate::plan::model::{
    ConfigModule, Configuration, Document, OtherChange, OtherChangeBody, PlanVariable,
};
use crate::source::module::{Found, ModuleSource, SourceFile};
use crate::source::SourceTree;
use hcl_edit::expr::{BinaryOperator, Expression, ObjectKey, TraversalOperator, UnaryOperator};
use hcl_edit::structure::Attribute;
use hcl_edit::Span;
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::sync::OnceLock;

/// What the plan says about the resources a source expression refers to. The plan is the
/// authority on what is known: the evaluator calls a value unknown only where the plan marks it
/// unknown (`after_unknown`), and sensitive where the plan's configuration says so.
#[derive(Default)]
pub struct PlanIndex<'p> {
    /// Every entry of `resource_changes`, as the source layer asks about it.
    changes: &'p [OtherChange<'p>],
    /// Configuration address (`module.a.aws_x.y`, `data.aws_x.y`) → each instance (its index in
    /// `changes`); built at the first question (sources that ask none cost nothing), shared by
    /// every core.
    instances: OnceLock<HashMap<String, Vec<usize>>>,
    configuration: Option<&'p Configuration<'p>>,
}

impl<'p> PlanIndex<'p> {
    pub fn new(document: &'p Document<'p>) -> PlanIndex<'p> {
        PlanIndex {
            changes: &document.other_resources,
            instances: OnceLock::new(),
            configuration: document.configuration.as_ref(),
        }
    }

    /// Each instance of the resource at `config_address`; `None` when the plan holds none.
    fn instances(
        &self,
        config_address: &str,
    ) -> Option<impl Iterator<Item = &'p OtherChangeBody> + '_> {
        let index = self.instances.get_or_init(|| {
            let mut index: HashMap<String, Vec<usize>> = HashMap::new();
            for (at, change) in self.changes.iter().enumerate() {
                if let Some(config_address) = config_address_of(change.address.as_str()) {
                    index.entry(config_address).or_default().push(at);
                }
            }
            index
        });
        let changes = self.changes;
        let found = index.get(config_address)?;
        Some(found.iter().map(move |&at| &changes[at].change))
    }

    /// What the plan says of `path` (an attribute and what follows it) of a resource.
    fn marks(&self, config_address: &str, path: &[PathStep]) -> Marks {
        let Some(instances) = self.instances(config_address) else {
            return Marks::Absent;
        };
        let (mut all, mut any) = (true, false);
        for change in instances {
            let unknown = marked(&change.after_unknown, path);
            (all, any) = (all && unknown, any || unknown);
        }
        match (all, any) {
            (true, _) => Marks::Unknown,
            (false, false) => Marks::Known,
            _ => Marks::Mixed,
        }
    }

    /// Whether any instance's `after_sensitive` marks a resource attribute (or the whole
    /// object) sensitive.
    fn attribute_sensitive(&self, module: &[String], rtype: &str, name: &str, attr: &str) -> bool {
        let mut config_address = module_path(module);
        if !config_address.is_empty() {
            config_address.push('.');
        }
        config_address.push_str(&format!("{rtype}.{name}"));
        self.instances(&config_address)
            .is_some_and(|mut instances| {
                instances.any(|change| {
                    marked(&change.after_sensitive, &[PathStep::Key(attr.to_owned())])
                })
            })
    }

    /// Whether the plan's configuration declares `var.name` of a module sensitive.
    fn sensitive(&self, module: &[String], name: &str) -> bool {
        let Some(configuration) = self.configuration else {
            return false;
        };
        let mut current: &ConfigModule = &configuration.root_module;
        for call in module {
            match current.module_calls.get(call) {
                Some(found) => current = &found.module,
                None => return false,
            }
        }
        current.variables.get(name).is_some_and(|v| v.sensitive)
    }
}

/// Attributes whose value is a string whatever the resource: Terraform's `id`, and ARNs.
fn string_typed(attr: &str) -> bool {
    attr == "id" || attr == "arn" || attr.ends_with("_arn")
}

/// What the plan says of one attribute of a resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Marks {
    /// The plan holds no instance of the resource.
    Absent,
    /// Every instance marks it unknown until apply.
    Unknown,
    /// No instance does: the plan knows it (its value may differ from the configuration's, e.g.
    /// under `ignore_changes`).
    Known,
    /// Some instances do: it differs per instance.
    Mixed,
}

/// A step into an `after_unknown` object.
#[derive(Debug, Clone)]
enum PathStep {
    Key(String),
    Index(usize),
}

/// Whether `after_unknown` marks the value at `path` (or anything inside it) unknown.
fn marked(after_unknown: &marks::Marks, path: &[PathStep]) -> bool {
    after_unknown.marks_at(path.iter().map(|step| match step {
        PathStep::Key(key) => marks::Step::Key(key),
        PathStep::Index(index) => marks::Step::Index(*index),
    }))
}

/// `module.a["k"].aws_x.y[0]` → `module.a.aws_x.y`; `data.aws_x.y` kept as `data.aws_x.y`.
fn config_address_of(address: &str) -> Option<String> {
    if let Some(parsed) = address::parse(address) {
        return Some(parsed.config_address());
    }
    // Data sources: `[module.a.]data.TYPE.NAME[key]`.
    let at = if address.starts_with("data.") {
        0
    } else {
        address.find(".data.")? + 1
    };
    let (modules, data) = address.split_at(at);
    let modules = modules.strip_suffix('.').unwrap_or(modules);
    let module_names = address::module_names(modules)?;
    let parsed = address::parse(data.strip_prefix("data.")?)?;
    let mut out = module_path(&module_names);
    if !out.is_empty() {
        out.push('.');
    }
    out.push_str(&format!("data.{}.{}", parsed.resource_type, parsed.name));
    Some(out)
}

/// Evaluation steps allowed per function; a hostile configuration cannot make us loop.
pub const STEP_LIMIT: usize = 10_000;
/// Bytes of values one evaluation may build (strings and collections, counted as they are made
/// or copied): a large string referenced many times cannot exhaust memory.
pub const VALUE_BYTES_LIMIT: usize = 16 << 20;
/// Nesting of variable/local resolution; guards the stack against reference chains.
const DEPTH_LIMIT: usize = 64;

#[derive(Debug, Clone, PartialEq)]
pub enum Val {
    Null,
    Bool(bool),
    Number(f64),
    String(String),
    List(Vec<Val>),
    Map(BTreeMap<String, Val>),
    /// Known only during apply: the reason names the value.
    Unknown(String),
    /// Known only during apply, and a string (a resource's `id` or `arn`: Terraform's ids are
    /// strings): comparing it with a known value of another type is known.
    UnknownString(String),
    /// Not evaluated by tracegate (an unsupported expression, a limit): the plan decides.
    NotEvaluated(String),
    /// An evaluation error (a missing attribute, a bad index): what `try` skips.
    Error(String),
}

impl From<&serde_json::Value> for Val {
    fn from(value: &serde_json::Value) -> Val {
        use serde_json::Value as J;
        match value {
            J::Null => Val::Null,
            J::Bool(b) => Val::Bool(*b),
            J::Number(n) => Val::Number(n.as_f64().unwrap_or(0.0)),
            J::String(s) => Val::String(s.clone()),
            J::Array(items) => Val::List(items.iter().map(Val::from).collect()),
            J::Object(map) => {
                Val::Map(map.iter().map(|(k, v)| (k.clone(), Val::from(v))).collect())
            }
        }
    }
}

/// A string as an HCL quoted literal: quotes, backslashes and control characters escaped, and
/// `${` and `%{` doubled so a value never becomes an interpolation or directive.
pub fn hcl_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '$' | '%' if chars.peek() == Some(&'{') => {
                out.push(c);
                out.push(c);
            }
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// An object key as HCL writes it: bare when it is an identifier, else quoted.
pub fn hcl_key(key: &str) -> String {
    let mut chars = key.chars();
    let identifier = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if identifier {
        key.to_owned()
    } else {
        hcl_string(key)
    }
}

impl fmt::Display for Val {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Val::Null => f.write_str("null"),
            Val::Bool(b) => write!(f, "{b}"),
            Val::Number(n) => write!(f, "{n}"),
            Val::String(s) => f.write_str(&hcl_string(s)),
            Val::List(items) => {
                f.write_str("[")?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{item}")?;
                }
                f.write_str("]")
            }
            Val::Map(map) => {
                f.write_str("{")?;
                for (i, (k, v)) in map.iter().enumerate() {
                    write!(f, "{}{} = {v}", if i > 0 { ", " } else { " " }, hcl_key(k))?;
                }
                f.write_str(" }")
            }
            Val::Unknown(reason) | Val::UnknownString(reason) => {
                write!(f, "(unknown: {reason})")
            }
            Val::NotEvaluated(reason) => write!(f, "(not evaluated: {reason})"),
            Val::Error(reason) => write!(f, "(error: {reason})"),
        }
    }
}

impl Val {
    pub fn is_known(&self) -> bool {
        !matches!(
            self,
            Val::Unknown(_) | Val::UnknownString(_) | Val::NotEvaluated(_) | Val::Error(_)
        )
    }

    /// For evidence: "(sensitive)", the value, or why it is not known.
    pub fn shown(&self, sensitive: bool) -> String {
        if sensitive {
            return "(sensitive)".to_owned();
        }
        match self {
            Val::Unknown(reason) | Val::UnknownString(reason) => {
                return format!("not known before apply ({reason})")
            }
            Val::NotEvaluated(reason) | Val::Error(reason) => {
                return format!("not evaluated here ({reason})")
            }
            _ => {}
        }
        crate::finding::shorten(bounded_text(self))
    }
}

/// A value's text, cut once it is longer than evidence shows: a large value is never rendered
/// whole only to be shortened.
fn bounded_text(value: &Val) -> String {
    struct Bounded(String);
    impl fmt::Write for Bounded {
        fn write_str(&mut self, s: &str) -> fmt::Result {
            if self.0.len() > 4 * crate::finding::SHOWN_CHARS {
                return Err(fmt::Error);
            }
            self.0.push_str(s);
            Ok(())
        }
    }
    let mut out = Bounded(String::new());
    let _ = fmt::Write::write_fmt(&mut out, format_args!("{value}"));
    out.0
}

/// Where a value came from: the places a person could edit to change it.
#[derive(Debug, Clone)]
pub struct Origin {
    pub location: Location,
    /// The span to replace, or `None` to insert a new line after `location`'s line.
    pub replace: Option<Location>,
    /// What the place is, for the fix description.
    pub kind: OriginKind,
    /// Whether the file is in the repository (not downloaded under `.terraform/`).
    pub editable: bool,
    /// Whether the file is JSON syntax (`.tf.json`, `.tfvars.json`): only a JSON string may
    /// replace a value there, and no HCL line may be inserted.
    pub in_json: bool,
    /// The value found there.
    pub value: Val,
    /// Module depth of the file (0 for the root module): the fix goes as far out as it can.
    pub depth: usize,
    /// Whether the value is written here (a literal, a default, a tfvars line, a missing
    /// argument's place), not passed through from elsewhere.
    pub holds_value: bool,
}

impl Origin {
    /// Whether the value found here is the mode's, or an object holding it under `key`.
    pub fn carries(&self, mode: &Val, key: &str) -> bool {
        &self.value == mode || matches!(&self.value, Val::Map(map) if map.get(key) == Some(mode))
    }

    /// The place to fix among those a value passed: where it is written, as far out as the
    /// repository allows.
    pub fn fix_site(origins: &[Origin]) -> Option<&Origin> {
        let editable = || origins.iter().filter(|o| o.editable);
        editable()
            .filter(|o| o.holds_value)
            .min_by_key(|o| o.depth)
            .or_else(|| editable().min_by_key(|o| o.depth))
    }
}

/// A constant expression: no references, no calls.
pub fn is_literal(expr: &Expression) -> bool {
    match expr {
        Expression::Null(_)
        | Expression::Bool(_)
        | Expression::Number(_)
        | Expression::String(_) => true,
        Expression::Array(items) => items.iter().all(is_literal),
        Expression::Object(object) => object.iter().all(|(_, v)| is_literal(v.expr())),
        Expression::Parenthesis(inner) => is_literal(inner.inner()),
        _ => false,
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum OriginKind {
    /// A literal in the resource.
    Literal,
    /// A module call argument `name = …`.
    Argument { call: String, name: String },
    /// A module call that does not set input `name`; `closing` is the line of its closing brace,
    /// where the argument is added.
    MissingArgument {
        call: String,
        name: String,
        closing: Location,
        /// Why the line cannot be added there, when it cannot.
        closing_refusal: Option<String>,
        /// The module block's body indentation, for the added line.
        indent: String,
    },
    /// The default of `variable "name"`.
    Default { name: String },
    /// A root variable set in a `.tfvars` file.
    Tfvars { name: String },
    /// A root variable set outside the sources (`-var`, `TF_VAR_…`).
    Outside { name: String },
}

/// Where an expression is evaluated: a module (call names from the root) and, inside a
/// `dynamic` block's content, its iterator.
#[derive(Clone, Copy)]
pub struct Scope<'s> {
    pub module: &'s [String],
    pub iterator: Option<(&'s str, &'s Val)>,
}

pub struct Evaluator<'t> {
    tree: &'t SourceTree,
    plan_variables: &'t BTreeMap<String, PlanVariable>,
    plan: &'t PlanIndex<'t>,
    budget: usize,
    /// Bytes of values this evaluation may still build.
    value_bytes: usize,
    depth: usize,
    /// Resolution steps, innermost first.
    pub steps: Vec<Evidence>,
    /// Value origins, innermost first.
    pub origins: Vec<Origin>,
    /// Whether a sensitive variable was read: from then on no value is shown.
    pub sensitive_seen: bool,
    /// Locals and resource attributes already evaluated (`module.a.local.x`): a reference that
    /// fans out (`l0 = [l1, l2]`, `l1 = [l3, l4]`, …) costs each one once, and records its step
    /// once.
    memo: HashMap<String, Val>,
}

pub fn end_location(file: &SourceFile, span: Option<std::ops::Range<usize>>) -> Location {
    let end = span.map_or(0, |s| s.end);
    let (line, column) = file.index.position(file.text.as_bytes(), end);
    Location {
        file: file.display.clone(),
        line,
        column: Some(column),
        byte_column: Some(file.index.byte_column(end)),
    }
}

impl<'t> Evaluator<'t> {
    pub fn new(
        tree: &'t SourceTree,
        plan_variables: &'t BTreeMap<String, PlanVariable>,
        plan: &'t PlanIndex<'t>,
    ) -> Self {
        Evaluator {
            tree,
            plan_variables,
            plan,
            budget: STEP_LIMIT,
            value_bytes: VALUE_BYTES_LIMIT,
            depth: 0,
            steps: Vec::new(),
            origins: Vec::new(),
            sensitive_seen: false,
            memo: HashMap::new(),
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn origin(
        &mut self,
        file: &SourceFile,
        span: Option<std::ops::Range<usize>>,
        replace: bool,
        kind: OriginKind,
        value: &Val,
        depth: usize,
        holds_value: bool,
    ) {
        self.origins.push(Origin {
            location: file.location(span.clone()),
            replace: replace.then(|| end_location(file, span)),
            kind,
            editable: !file.downloaded,
            in_json: file.is_json(),
            value: value.clone(),
            depth,
            holds_value,
        });
    }

    /// Records a literal in the resource as an origin (the innermost one).
    pub fn literal(&mut self, file: &SourceFile, expr: &Expression, value: &Val, depth: usize) {
        self.origin(
            file,
            expr.span(),
            true,
            OriginKind::Literal,
            value,
            depth,
            true,
        );
    }

    /// Counts a value against the bytes this evaluation may build; past the limit it is not
    /// evaluated (the plan decides).
    fn charge(&mut self, value: Val) -> Val {
        fn size(value: &Val) -> usize {
            16 + match value {
                Val::String(s) => s.len(),
                Val::List(items) => items.iter().map(size).sum(),
                Val::Map(map) => map.iter().map(|(k, v)| k.len() + size(v)).sum(),
                _ => 0,
            }
        }
        let bytes = size(&value);
        if bytes > self.value_bytes {
            self.value_bytes = 0;
            return Val::NotEvaluated(format!(
                "values grew past the {} MiB tracegate evaluates",
                VALUE_BYTES_LIMIT >> 20
            ));
        }
        self.value_bytes -= bytes;
        value
    }

    pub fn eval(&mut self, expr: &Expression, scope: Scope) -> Val {
        let value = self.eval_unbounded(expr, scope);
        match value {
            Val::String(_) | Val::List(_) | Val::Map(_) => self.charge(value),
            other => other,
        }
    }

    fn eval_unbounded(&mut self, expr: &Expression, scope: Scope) -> Val {
        if self.budget == 0 {
            return Val::NotEvaluated(format!(
                "the evaluation step limit ({STEP_LIMIT}) was reached"
            ));
        }
        self.budget -= 1;
        match expr {
            Expression::Null(_) => Val::Null,
            Expression::Bool(b) => Val::Bool(*b.value()),
            Expression::Number(n) => Val::Number(n.value().as_f64().unwrap_or(0.0)),
            Expression::String(s) => Val::String(s.value().clone()),
            // A collection is known even when an element is not (as in Terraform: `[[], x][0]`
            // is `[]`, `length([x])` is 1); only what reads the element sees it unknown.
            Expression::Array(items) => {
                Val::List(items.iter().map(|item| self.eval(item, scope)).collect())
            }
            Expression::Object(object) => {
                let mut map = BTreeMap::new();
                for (key, value) in object.iter() {
                    let key = match key {
                        ObjectKey::Ident(ident) => ident.value().as_str().to_owned(),
                        ObjectKey::Expression(expr) => match self.eval(expr, scope) {
                            Val::String(s) => s,
                            other if !other.is_known() => return other,
                            other => other.to_string(),
                        },
                    };
                    let value = self.eval(value.expr(), scope);
                    map.insert(key, value);
                }
                Val::Map(map)
            }
            Expression::Parenthesis(inner) => self.eval(inner.inner(), scope),
            Expression::Conditional(cond) => match self.eval(&cond.cond_expr, scope) {
                Val::Bool(true) => self.eval(&cond.true_expr, scope),
                Val::Bool(false) => self.eval(&cond.false_expr, scope),
                other if !other.is_known() => {
                    // Whichever way an unknown condition goes, equal known branches decide.
                    let (yes, no) = (
                        self.eval(&cond.true_expr, scope),
                        self.eval(&cond.false_expr, scope),
                    );
                    if yes == no && not_known(&yes).is_none() {
                        yes
                    } else {
                        other
                    }
                }
                other => Val::Error(format!("condition is {other}, not a bool")),
            },
            Expression::BinaryOp(op) => self.binary(op, scope),
            Expression::UnaryOp(op) => match (op.operator.value(), self.eval(&op.expr, scope)) {
                (UnaryOperator::Not, Val::Bool(b)) => Val::Bool(!b),
                (UnaryOperator::Neg, Val::Number(n)) => Val::Number(-n),
                (_, other) if !other.is_known() => other,
                (op, other) => Val::Error(format!("{}{other} is invalid", op.as_str())),
            },
            Expression::FuncCall(call) => self.call(
                call.name.name.value().as_str(),
                &call.args.iter().collect::<Vec<_>>(),
                scope,
            ),
            Expression::Traversal(traversal) => {
                let operators: Vec<&TraversalOperator> =
                    traversal.operators.iter().map(|o| o.value()).collect();
                self.traverse(&traversal.expr, &operators, scope)
            }
            Expression::Variable(name) => self.root_name(name.value().as_str(), &[], scope),
            Expression::StringTemplate(_) | Expression::HeredocTemplate(_) => {
                Val::NotEvaluated("a string template is not evaluated".to_owned())
            }
            Expression::ForExpr(_) => {
                Val::NotEvaluated("a for expression is not evaluated".to_owned())
            }
        }
    }

    /// `==`, `!=`, `&&`, `||`. A known `false` decides `&&` and a known `true` decides `||`
    /// whatever the other side is (as cty's refinements do); `==` needs both sides wholly known.
    fn binary(&mut self, op: &hcl_edit::expr::BinaryOp, scope: Scope) -> Val {
        let operator = *op.operator.value();
        let lhs = self.eval(&op.lhs_expr, scope);
        let rhs = self.eval(&op.rhs_expr, scope);
        match (operator, &lhs, &rhs) {
            (BinaryOperator::And, Val::Bool(false), _)
            | (BinaryOperator::And, _, Val::Bool(false)) => return Val::Bool(false),
            (BinaryOperator::Or, Val::Bool(true), _) | (BinaryOperator::Or, _, Val::Bool(true)) => {
                return Val::Bool(true)
            }
            _ => {}
        }
        if matches!(operator, BinaryOperator::Eq | BinaryOperator::NotEq) {
            if let Some(equal) = known_equality(&lhs, &rhs) {
                return Val::Bool(equal == (operator == BinaryOperator::Eq));
            }
        }
        if let Some(missing) = not_known(&lhs).or_else(|| not_known(&rhs)) {
            return comparison_unknown(operator, missing, &lhs, &rhs);
        }
        match (operator, lhs, rhs) {
            (BinaryOperator::Eq, l, r) => Val::Bool(l == r),
            (BinaryOperator::NotEq, l, r) => Val::Bool(l != r),
            (BinaryOperator::And, Val::Bool(l), Val::Bool(r)) => Val::Bool(l && r),
            (BinaryOperator::Or, Val::Bool(l), Val::Bool(r)) => Val::Bool(l || r),
            (other, _, _) => {
                Val::NotEvaluated(format!("operator {} is not evaluated", other.as_str()))
            }
        }
    }

    fn call(&mut self, name: &str, args: &[&Expression], scope: Scope) -> Val {
        match name {
            "try" => {
                for arg in args {
                    match self.eval(arg, scope) {
                        Val::Error(_) => continue,
                        other => return other,
                    }
                }
                Val::Error("no argument of try() succeeded".to_owned())
            }
            "coalesce" => {
                for arg in args {
                    match self.eval(arg, scope) {
                        Val::Null => continue,
                        Val::String(s) if s.is_empty() => continue,
                        other => return other,
                    }
                }
                Val::Error("coalesce() found no non-null argument".to_owned())
            }
            _ => {
                let values: Vec<Val> = args.iter().map(|arg| self.eval(arg, scope)).collect();
                if let Some(unknown) = first_unknown(&values) {
                    return unknown;
                }
                match (name, values.as_slice()) {
                    ("lookup", [Val::Map(map), Val::String(key)]) => map
                        .get(key)
                        .cloned()
                        .unwrap_or_else(|| Val::Error(format!("lookup() found no key {key:?}"))),
                    ("lookup", [Val::Map(map), Val::String(key), default]) => {
                        map.get(key).cloned().unwrap_or_else(|| default.clone())
                    }
                    ("length", [Val::List(items)]) => Val::Number(items.len() as f64),
                    ("length", [Val::Map(map)]) => Val::Number(map.len() as f64),
                    ("length", [Val::String(s)]) => Val::Number(s.chars().count() as f64),
                    ("toset", [Val::List(items)]) if not_known(&values[0]).is_some() => {
                        // Its size depends on elements not known here.
                        not_known(&values[0]).expect("checked")
                    }
                    ("toset", [Val::List(items)]) => {
                        let mut set: Vec<Val> = Vec::new();
                        for item in items {
                            if !set.contains(item) {
                                set.push(item.clone());
                            }
                        }
                        Val::List(set)
                    }
                    ("tolist", [Val::List(items)]) => Val::List(items.clone()),
                    (name, _) => Val::NotEvaluated(format!("{name}() is not evaluated")),
                }
            }
        }
    }

    fn traverse(
        &mut self,
        root: &Expression,
        operators: &[&TraversalOperator],
        scope: Scope,
    ) -> Val {
        let (value, rest) = match (root, operators.first()) {
            (Expression::Variable(name), first) => {
                let name = name.value().as_str();
                match (name, first) {
                    ("var", Some(TraversalOperator::GetAttr(attr))) => (
                        self.variable(scope.module, attr.value().as_str()),
                        &operators[1..],
                    ),
                    ("local", Some(TraversalOperator::GetAttr(attr))) => (
                        self.local(scope.module, attr.value().as_str()),
                        &operators[1..],
                    ),
                    _ => match self.reference_of(name, operators, scope) {
                        Some((value, used)) => (value, &operators[used..]),
                        None => (self.root_name(name, operators, scope), operators),
                    },
                }
            }
            (other, _) => (self.eval(other, scope), operators),
        };
        rest.iter().fold(value, |value, op| {
            if !value.is_known() {
                return value;
            }
            match op {
                TraversalOperator::GetAttr(key) => match value {
                    Val::Map(map) => map.get(key.value().as_str()).cloned().unwrap_or_else(|| {
                        Val::Error(format!("no attribute {:?}", key.value().as_str()))
                    }),
                    Val::Null => {
                        Val::Error(format!("attribute {:?} of null", key.value().as_str()))
                    }
                    other => Val::Error(format!("attribute of {other}")),
                },
                TraversalOperator::Index(index) => {
                    let index = self.eval(index, scope);
                    index_into(value, index)
                }
                TraversalOperator::LegacyIndex(index) => {
                    index_into(value, Val::Number(*index.value() as f64))
                }
                TraversalOperator::AttrSplat(_) | TraversalOperator::FullSplat(_) => {
                    Val::NotEvaluated("a splat expression is not evaluated".to_owned())
                }
            }
        })
    }

    /// A bare name at the start of a traversal: the dynamic block's iterator, or something known
    /// only during apply.
    fn root_name(&mut self, name: &str, operators: &[&TraversalOperator], scope: Scope) -> Val {
        if let Some((iterator, value)) = scope.iterator {
            if name == iterator {
                return value.clone();
            }
        }
        // Name the reference as written, up to the first index or splat.
        let mut attr = name.to_owned();
        for op in operators {
            match op {
                TraversalOperator::GetAttr(key) => {
                    attr.push('.');
                    attr.push_str(key.value().as_str());
                }
                _ => break,
            }
        }
        // Unknown is for what the plan marks unknown (`reference_of`); anything else tracegate
        // merely does not evaluate, and the plan decides.
        match name {
            "each" | "count" => Val::NotEvaluated(format!("{attr} differs per instance")),
            "module" => Val::NotEvaluated(format!("{attr} is a module output")),
            "data" => Val::NotEvaluated(format!(
                "{attr} is a data source the plan does not mark unknown"
            )),
            "path" | "terraform" | "self" => Val::NotEvaluated(format!("{attr} is not evaluated")),
            _ => Val::NotEvaluated(format!("{attr} is not evaluated")),
        }
    }

    /// A reference to another resource's attribute (`TYPE.NAME[...].ATTR`, `data.TYPE.NAME.ATTR`)
    /// and how many operators it used: the value its configuration sets (for `TYPE.NAME.ATTR`),
    /// else unknown when the plan marks that attribute unknown in every instance, else `None`
    /// (not evaluated: the plan decides).
    fn reference_of(
        &mut self,
        root: &str,
        operators: &[&TraversalOperator],
        scope: Scope,
    ) -> Option<(Val, usize)> {
        let is_data = root == "data";
        let reserved = matches!(
            root,
            "each" | "count" | "module" | "path" | "terraform" | "self"
        );
        if reserved || scope.iterator.is_some_and(|(i, _)| i == root) {
            return None;
        }
        let get = |i: usize| match operators.get(i) {
            Some(TraversalOperator::GetAttr(key)) => Some(key.value().as_str()),
            _ => None,
        };
        let (rtype, name, mut at) = if is_data {
            (get(0)?, get(1)?, 2)
        } else {
            (root, get(0)?, 1)
        };
        // Instance keys and splats between the resource and its attribute.
        let keyed = at;
        while matches!(
            operators.get(at),
            Some(
                TraversalOperator::Index(_)
                    | TraversalOperator::LegacyIndex(_)
                    | TraversalOperator::AttrSplat(_)
                    | TraversalOperator::FullSplat(_)
            )
        ) {
            at += 1;
        }
        let attr = get(at)?;
        let label = format!(
            "{}{rtype}.{name}{}.{attr}",
            if is_data { "data." } else { "" },
            if at > keyed { "[…]" } else { "" }
        );
        // What the plan says of the attribute and the steps after it.
        let mut path = vec![PathStep::Key(attr.to_owned())];
        for op in &operators[at + 1..] {
            match op {
                TraversalOperator::GetAttr(key) => {
                    path.push(PathStep::Key(key.value().as_str().to_owned()))
                }
                TraversalOperator::LegacyIndex(index) => {
                    path.push(PathStep::Index(*index.value() as usize))
                }
                _ => break,
            }
        }
        let mut config_address = module_path(scope.module);
        if !config_address.is_empty() {
            config_address.push('.');
        }
        config_address.push_str(&format!(
            "{}{rtype}.{name}",
            if is_data { "data." } else { "" }
        ));
        // The plan is the authority: only a resource it does not hold is read from its
        // configuration.
        let marks = self.plan.marks(&config_address, &path);
        if marks == Marks::Absent && !is_data && at == keyed {
            if let Some(value) = self.configured_attribute(scope.module, rtype, name, attr) {
                return Some((value, at + 1));
            }
        }
        let value = match marks {
            Marks::Unknown if path.len() == 1 && string_typed(attr) => {
                Val::UnknownString(format!("the plan marks {label} unknown until apply"))
            }
            Marks::Unknown => Val::Unknown(format!("the plan marks {label} unknown until apply")),
            Marks::Known => {
                Val::NotEvaluated(format!("{label} is known to the plan, which decides"))
            }
            Marks::Mixed => Val::NotEvaluated(format!("{label} differs per instance in the plan")),
            Marks::Absent => Val::NotEvaluated(format!("{label} is not in the plan")),
        };
        Some((value, operators.len()))
    }

    /// `TYPE.NAME.ATTR` of a resource in the same module: the value its configuration sets, or
    /// `None` when it sets none.
    fn configured_attribute(
        &mut self,
        module: &[String],
        rtype: &str,
        name: &str,
        attr: &str,
    ) -> Option<Val> {
        let sources = self.tree.module(module);
        let sources = sources.as_ref().as_ref().ok()?;
        let resource = sources.resource(rtype, name)?;
        let set = resource.attribute(attr)?;
        // An attribute the plan marks sensitive (a provider's sensitive argument) hides every
        // value from here on, however the configuration sets it.
        self.sensitive_seen |= self.plan.attribute_sensitive(module, rtype, name, attr);
        let label = format!("{rtype}.{name}.{attr}");
        Some(self.memoized(module, &label, |this, label| {
            this.reference(module, set, label)
        }))
    }

    /// Runs `resolve` one reference deeper; past the depth limit, stops with a reason.
    fn nested(&mut self, resolve: impl FnOnce(&mut Self) -> Val) -> Val {
        if self.depth >= DEPTH_LIMIT {
            return Val::NotEvaluated("references nest too deeply".to_owned());
        }
        self.depth += 1;
        let value = resolve(self);
        self.depth -= 1;
        value
    }

    /// Evaluates an attribute another expression refers to (a local, a resource attribute) in
    /// its module, and records the step as `label = expression = value`.
    fn reference(&mut self, module: &[String], found: Found<Attribute>, label: &str) -> Val {
        let value = self.nested(|this| {
            this.eval(
                found.expr(),
                Scope {
                    module,
                    iterator: None,
                },
            )
        });
        self.steps.push(Evidence::at(
            format!(
                "{label} = {} = {}",
                found.value_text(),
                value.shown(self.sensitive_seen)
            ),
            Some(found.location()),
        ));
        value
    }

    fn local(&mut self, module: &[String], name: &str) -> Val {
        let sources = self.tree.module(module);
        let Ok(sources) = sources.as_ref() else {
            return Val::NotEvaluated(format!(
                "local.{name}: the module sources are not available"
            ));
        };
        let Some(local) = sources.local(name) else {
            return Val::Error(format!("no local.{name}"));
        };
        self.memoized(module, &format!("local.{name}"), |this, label| {
            this.reference(module, local, label)
        })
    }

    /// Evaluates `label` (a local or a resource attribute of `module`) once per evaluation.
    fn memoized(
        &mut self,
        module: &[String],
        label: &str,
        evaluate: impl FnOnce(&mut Self, &str) -> Val,
    ) -> Val {
        let mut key = module_path(module);
        key.push('/');
        key.push_str(label);
        if let Some(value) = self.memo.get(&key) {
            // A copy costs its bytes like any value built.
            let value = value.clone();
            return self.charge(value);
        }
        let value = evaluate(self, label);
        self.memo.insert(key, value.clone());
        value
    }

    fn variable(&mut self, module: &[String], name: &str) -> Val {
        self.nested(|this| match module.split_last() {
            None => this.root_variable(name),
            Some((call, parent)) => this.module_input(parent, call, module, name),
        })
    }

    /// A variable's `default`, and whether it is sensitive: when the plan's configuration says
    /// so, or its `sensitive` argument is anything Terraform takes as true (a constant decoded
    /// as a bool: `true`, `(true)`, `!false`, `"true"`, `"1"`), or anything tracegate cannot
    /// decode (hidden rather than risk a secret).
    fn declaration<'m>(
        &mut self,
        sources: &'m ModuleSource,
        module: &[String],
        name: &str,
    ) -> (Option<Found<'m, Attribute>>, bool) {
        let block = sources.variable(name);
        let default = block.and_then(|b| b.attribute("default"));
        let declared = block
            .and_then(|b| b.attribute("sensitive"))
            .is_some_and(|a| {
                let empty = Scope {
                    module: &[],
                    iterator: None,
                };
                match self.eval(a.expr(), empty) {
                    Val::Bool(value) => value,
                    Val::String(text) => text != "false" && text != "0",
                    _ => true,
                }
            });
        (default, declared || self.plan.sensitive(module, name))
    }

    /// Records that `var.name` takes the value written in its `default` (evidence and origin).
    fn took_default(
        &mut self,
        found: Found<Attribute>,
        name: &str,
        message: String,
        value: &Val,
        depth: usize,
    ) {
        self.steps
            .push(Evidence::at(message, Some(found.value_location())));
        self.origin(
            found.file,
            found.item.value.span(),
            true,
            OriginKind::Default {
                name: name.to_owned(),
            },
            value,
            depth,
            true,
        );
    }

    fn root_variable(&mut self, name: &str) -> Val {
        let sources = self.tree.module(&[]);
        let (default, sensitive) = match sources.as_ref() {
            Ok(sources) => self.declaration(sources, &[], name),
            Err(_) => (None, self.plan.sensitive(&[], name)),
        };
        self.sensitive_seen |= sensitive;
        let default_value = default.map(|d| {
            self.eval(
                d.expr(),
                Scope {
                    module: &[],
                    iterator: None,
                },
            )
        });
        let from_plan = self.plan_variables.get(name).map(|v| Val::from(&v.value));
        let Some(value) = from_plan.map(|v| self.charge(v)) else {
            return match (default, default_value) {
                (Some(found), Some(value)) => {
                    let message = format!(
                        "var.{name} defaults to {}",
                        value.shown(sensitive || self.sensitive_seen)
                    );
                    self.took_default(found, name, message, &value, 0);
                    value
                }
                _ => Val::NotEvaluated(format!("var.{name} has no value in the plan")),
            };
        };
        let shown = value.shown(sensitive || self.sensitive_seen);
        if default_value.as_ref() == Some(&value) {
            let found = default.expect("a default value has a declaration");
            let message = format!("var.{name} = {shown} (plan variables), its default");
            self.took_default(found, name, message, &value, 0);
            return value;
        }
        // Set in a .tfvars file Terraform reads by itself, or outside the sources.
        if self.set_in_tfvars(name, &shown, &value) {
            return value;
        }
        let declared = sources
            .as_ref()
            .as_ref()
            .ok()
            .and_then(|s| s.variable(name));
        self.steps.push(Evidence::at(
            format!("var.{name} = {shown} (plan variables), set with -var, a -var-file or TF_VAR_{name}"),
            declared.map(|d| d.header()),
        ));
        if let Some(declared) = declared {
            self.origin(
                declared.file,
                declared.item.span(),
                false,
                OriginKind::Outside {
                    name: name.to_owned(),
                },
                &value,
                0,
                true,
            );
        }
        value
    }

    /// Records where a `.tfvars` file Terraform reads by itself sets root variable `name`, if
    /// one does.
    fn set_in_tfvars(&mut self, name: &str, shown: &str, value: &Val) -> bool {
        // Later files win in Terraform (terraform.tfvars, then *.auto.tfvars in name order).
        for file in self.tree.root_tfvars().iter().rev() {
            let Some(attr) = file.body.get_attribute(name) else {
                continue;
            };
            let empty = Scope {
                module: &[],
                iterator: None,
            };
            if &self.eval(&attr.value, empty) != value {
                // The plan's value came from -var, a -var-file or TF_VAR_, which win over it.
                return false;
            }
            let location = file.location(attr.value.span());
            self.steps.push(Evidence::at(
                format!(
                    "var.{name} = {shown} (plan variables), set in {}",
                    file.display
                ),
                Some(location.clone()),
            ));
            self.origins.push(Origin {
                location,
                replace: Some(end_location(file, attr.value.span())),
                kind: OriginKind::Tfvars {
                    name: name.to_owned(),
                },
                editable: true,
                in_json: file.is_json(),
                value: value.clone(),
                depth: 0,
                holds_value: true,
            });
            return true;
        }
        false
    }

    /// A module call that sets input `name`: its value, evaluated in the caller.
    fn module_argument(
        &mut self,
        argument: Found<Attribute>,
        parent: &[String],
        call: &str,
        call_path: String,
        name: &str,
        sensitive: bool,
    ) -> Val {
        let value = self.eval(
            argument.expr(),
            Scope {
                module: parent,
                iterator: None,
            },
        );
        let hide = sensitive || self.sensitive_seen;
        // A literal passed to a sensitive input is a secret too: its text is not shown either.
        let written = match (hide, is_literal(argument.expr())) {
            (true, true) => "(sensitive)".to_owned(),
            (_, true) => argument.value_text(),
            (_, false) => format!("{}, which is {}", argument.value_text(), value.shown(hide)),
        };
        self.steps.push(Evidence::at(
            format!("module \"{call}\" sets {name} = {written}"),
            Some(argument.location()),
        ));
        let holds_value = is_literal(argument.expr());
        self.origin(
            argument.file,
            argument.item.value.span(),
            true,
            OriginKind::Argument {
                call: call_path,
                name: name.to_owned(),
            },
            &value,
            parent.len(),
            holds_value,
        );
        value
    }

    fn module_input(
        &mut self,
        parent: &[String],
        call: &str,
        module: &[String],
        name: &str,
    ) -> Val {
        let call_path = module_path(module);
        let parent_sources = self.tree.module(parent);
        let Ok(parent_sources) = parent_sources.as_ref() else {
            return Val::NotEvaluated(format!(
                "the sources of the caller of {call_path} are not available"
            ));
        };
        let Some(block) = parent_sources.module_call(call) else {
            return Val::NotEvaluated(format!(
                "no module \"{call}\" block in the caller's sources"
            ));
        };
        let sources = self.tree.module(module);
        let (default, sensitive) = match sources.as_ref() {
            Ok(sources) => self.declaration(sources, module, name),
            Err(_) => (None, self.plan.sensitive(module, name)),
        };
        self.sensitive_seen |= sensitive;
        if let Some(argument) = block.attribute(name) {
            return self.module_argument(argument, parent, call, call_path, name, sensitive);
        }
        // Cause first: the call that leaves the input unset, then the default it falls back to.
        self.steps.push(Evidence::at(
            format!("module \"{call}\" does not set {name}"),
            Some(block.header()),
        ));
        let value = match default {
            Some(found) => {
                let value = self.eval(
                    found.expr(),
                    Scope {
                        module,
                        iterator: None,
                    },
                );
                let message = format!(
                    "var.{name} defaults to {}",
                    value.shown(sensitive || self.sensitive_seen)
                );
                self.took_default(found, name, message, &value, module.len());
                value
            }
            None => Val::NotEvaluated(format!("{call_path} has no default for input {name}")),
        };
        self.origin(
            block.file,
            block.item.span(),
            false,
            OriginKind::MissingArgument {
                call: call_path,
                name: name.to_owned(),
                closing: closing_line(block.file, block.item.span()),
                closing_refusal: closing_refusal(block.file, block.item.span()),
                indent: body_indent(
                    block.file,
                    &block.header(),
                    closing_line(block.file, block.item.span()).line,
                )
                .0,
            },
            &value,
            parent.len(),
            true,
        );
        value
    }
}

/// The indentation of a block's body: that of its first non-blank line inside the braces, else
/// the header's plus two spaces. Also the unit one level adds (tabs or spaces, as the file has).
pub fn body_indent(file: &SourceFile, header: &Location, closing_line: u32) -> (String, String) {
    let leading = |line: &str| -> String {
        line.chars()
            .take_while(|c| *c == ' ' || *c == '\t')
            .collect()
    };
    let header_indent = file
        .index
        .line(&file.text, header.line)
        .map(leading)
        .unwrap_or_default();
    let inner = (header.line + 1..closing_line)
        .filter_map(|line| file.index.line(&file.text, line))
        .find(|line| !line.trim().is_empty())
        .map(leading)
        .filter(|inner| inner.len() > header_indent.len() && inner.starts_with(&header_indent));
    match inner {
        Some(inner) => {
            let unit = inner[header_indent.len()..].to_owned();
            (inner, unit)
        }
        None => (format!("{header_indent}  "), "  ".to_owned()),
    }
}

/// Why a line cannot be inserted before a block's closing brace, when it cannot: the brace
/// shares its line with other text, so the start of that line may be outside the block (a
/// block written on one line) or inside a comment (`/* … */ }`), where the line does nothing.
pub fn closing_refusal(file: &SourceFile, span: Option<std::ops::Range<usize>>) -> Option<String> {
    let closing = closing_line(file, span);
    let alone = file
        .index
        .line(&file.text, closing.line)
        .is_some_and(|line| line.trim_matches([' ', '\t', '\r', '\n']) == "}");
    (!alone).then(|| {
        format!(
            "the block's closing brace at {}:{} shares its line with other text (a one-line block, a comment): tracegate inserts lines only before a brace alone on its line; add it by hand",
            closing.file, closing.line
        )
    })
}

/// The start of the line that holds a block's closing brace: where a new line goes.
pub fn closing_line(file: &SourceFile, span: Option<std::ops::Range<usize>>) -> Location {
    let (line, _) = span.map_or((1, 1), |s| {
        file.index
            .position(file.text.as_bytes(), s.end.saturating_sub(1))
    });
    Location {
        file: file.display.clone(),
        line,
        column: Some(1),
        byte_column: Some(1),
    }
}

fn first_unknown(values: &[Val]) -> Option<Val> {
    values.iter().find(|v| !v.is_known()).cloned()
}

/// Whether two values are equal when that is known although a part is not (cty's `Equals`):
/// collections of different lengths or keys differ, and a string known only at apply differs
/// from a known value of another type.
fn known_equality(lhs: &Val, rhs: &Val) -> Option<bool> {
    match (lhs, rhs) {
        (Val::List(a), Val::List(b)) if a.len() != b.len() => Some(false),
        (Val::Map(a), Val::Map(b)) if !a.keys().eq(b.keys()) => Some(false),
        (Val::UnknownString(_), other) | (other, Val::UnknownString(_)) => match other {
            Val::Number(_) | Val::Bool(_) | Val::List(_) | Val::Map(_) => Some(false),
            _ => None,
        },
        _ => None,
    }
}

/// A comparison with a side not known: unknown only where Terraform cannot know it either (a
/// string known only at apply against a known string); anything else (a value of unknown type,
/// `null`, which a provider may refine away) leaves the verdict to the plan.
fn comparison_unknown(operator: BinaryOperator, missing: Val, lhs: &Val, rhs: &Val) -> Val {
    let compared_with_string = matches!(
        (lhs, rhs),
        (Val::UnknownString(_), Val::String(_)) | (Val::String(_), Val::UnknownString(_))
    );
    match missing {
        Val::UnknownString(reason) | Val::Unknown(reason)
            if compared_with_string && matches!(operator, BinaryOperator::Eq | BinaryOperator::NotEq) =>
        {
            Val::Unknown(reason)
        }
        Val::UnknownString(reason) | Val::Unknown(reason) => Val::NotEvaluated(format!(
            "a comparison with a value known only after apply ({reason}), whose result Terraform may know"
        )),
        other => other,
    }
}

/// The first value inside `value` (itself included) that is not known: a collection is known
/// with elements that are not, and comparing it needs them all.
fn not_known(value: &Val) -> Option<Val> {
    match value {
        Val::List(items) => items.iter().find_map(not_known),
        Val::Map(map) => map.values().find_map(not_known),
        other if !other.is_known() => Some(other.clone()),
        _ => None,
    }
}

fn index_into(value: Val, index: Val) -> Val {
    match (value, index) {
        (_, index) if !index.is_known() => index,
        (Val::List(items), Val::Number(n)) => items
            .get(n as usize)
            .cloned()
            .unwrap_or_else(|| Val::Error(format!("index {n} out of range"))),
        (Val::Map(map), Val::String(key)) => map
            .get(&key)
            .cloned()
            .unwrap_or_else(|| Val::Error(format!("no key {key:?}"))),
        (value, index) => Val::Error(format!("cannot index {value} with {index}")),
    }
}
