//! The judge of TG.LAMBDA.XRAY.PERMISSION: will the execution role of a function that is (or is
//! told to become) Active allow `xray:PutTraceSegments` and `xray:PutTelemetryRecords`?
//!
//! Facts come from the plan only: the function's `role` (a known ARN, or the configuration's
//! references when it is known only after apply), the IAM resources of `resource_changes` that
//! grant that role something, and the policy documents the plan holds (`prior_state` for data
//! sources read while planning). The shapes relied on are in docs/terraform/iam-plan-shapes.md.
//! It fails closed: `fail` only when the role is in the plan, every grant of it is known and
//! none allows both actions (or a Deny removes one); anything the plan leaves open is `unknown`.

use super::configuration::Index;
use super::iam_policy::{self, Decision, XRAY_ACTIONS};
use crate::finding::{fingerprint, Evidence, Finding, Fix, Verdict};
use crate::plan::address;
use crate::plan::model::{
    Actions, ConfigModule, ConfigVariable, Configuration, Document, ResourceChange,
};
use crate::rule::XRAY_PERMISSION;
use foldhash::{HashMap, HashMapExt};
use rayon::prelude::*;
use serde_json::Value;
use std::sync::OnceLock;

/// The registry module that grants X-Ray only with `attach_tracing_policy = true`.
const REGISTRY_MODULE: &str = "terraform-aws-modules/lambda/aws";
/// The registry module's own policy documents whose statements list only non-X-Ray actions,
/// whatever its inputs (terraform-aws-modules/terraform-aws-lambda v8.8.1, commit
/// 23d00f7daef40091e87ed2f9dc5d8532e9d2cc22, `iam.tf`: `logs` lists logs:CreateLogGroup,
/// logs:CreateLogStream, logs:PutLogEvents; `dead_letter` sns:Publish, sqs:SendMessage; `async`
/// those and events:PutEvents, lambda:InvokeFunction; vendored in testdata/real/_vendor). Their
/// actions are conditional expressions, so the plan's configuration cannot show them.
const REGISTRY_NO_XRAY_DOCUMENTS: [&str; 3] = ["logs", "dead_letter", "async"];
/// How many module inputs a role reference is followed through.
const MAX_HOPS: usize = 16;

/// A function as the permission judge sees it.
pub struct Function<'a> {
    pub address: &'a str,
    pub modules: &'a [String],
    pub name: &'a str,
    pub actions: Actions,
    pub after: &'a Value,
    pub after_unknown: &'a Value,
    pub after_sensitive: &'a Value,
    /// The tracing rule's verdict and mode for the same function.
    pub tracing_verdict: Verdict,
    pub tracing_mode: Option<&'a str>,
}

/// The role a failing function runs as, where its grant would go (`sources::attach_xray_policy`).
pub struct FailingRole {
    pub modules: Vec<String>,
    pub name: String,
    /// The role has an instance key (`count` or `for_each`): a reference needs its index.
    pub indexed: bool,
    /// An explicit Deny decided the verdict: no attachment can lift it.
    pub denied: bool,
}

/// What the plan grants, indexed once per document.
pub struct Grants<'d, 'i> {
    document: &'d Document<'d>,
    /// The configuration's resources, indexed once per plan (shared with the tracing rule).
    config: &'i Index<'d>,
    changes: Vec<Entry<'d>>,
    /// Roles not being deleted, by known ARN.
    roles_by_arn: HashMap<String, usize>,
    /// Managed policies not being deleted, by known ARN (the first of an ARN, in plan order).
    policies_by_arn: HashMap<String, usize>,
    /// Attachments and inline policies (not being deleted) by the role name they hold,
    /// lowercased (IAM names ignore case); those whose role is known only after apply apart.
    grants_by_role: HashMap<String, Vec<usize>>,
    grants_unknown_role: Vec<usize>,
    /// Every entry by resource type, and roles by module path and name: one lookup per
    /// function, not a search of every IAM entry.
    by_type: HashMap<&'d str, Vec<usize>>,
    roles_by_config: HashMap<(Vec<String>, String), Vec<usize>>,
    /// Policy documents of data sources read while planning: (module path, name) → JSON text.
    documents: Vec<(Vec<String>, &'d str, Value)>,
    /// A partial plan (targeted, errored, refresh-only) may leave grants out.
    partial: bool,
}

struct Entry<'d> {
    change: &'d ResourceChange<'d>,
    modules: Vec<String>,
    name: String,
    /// The kept attributes, read the first time a function's grants ask for them: most IAM
    /// entries of a large plan are never asked about, and their values would be most of the heap.
    after: OnceLock<Value>,
    after_unknown: OnceLock<Value>,
    after_sensitive: OnceLock<Value>,
}

impl<'d> Entry<'d> {
    fn resource_type(&self) -> &str {
        self.change.resource_type.as_str()
    }
    fn after(&self, key: &str) -> Option<&Value> {
        self.after
            .get_or_init(|| self.change.change.after.value())
            .get(key)
    }
    fn unknown(&self, key: &str) -> bool {
        self.after_unknown
            .get_or_init(|| self.change.change.after_unknown.value())
            .get(key)
            .is_some_and(is_unknown)
    }
    /// Whether the plan marks an attribute (or anything in it) sensitive.
    fn sensitive(&self, key: &str) -> bool {
        self.after_sensitive
            .get_or_init(|| self.change.change.after_sensitive.value())
            .get(key)
            .is_some_and(is_unknown)
    }
    fn removed(&self) -> bool {
        self.change.change.actions.is(Actions::DELETE)
    }
    fn created(&self) -> bool {
        self.change.change.actions.contains(Actions::CREATE)
    }
    fn config_address(&self) -> String {
        format!("{}.{}", self.resource_type(), self.name)
    }
}

/// Why a role outside the plan decides nothing; its ARN shown unless the plan marks it sensitive.
fn not_managed(arn: &str, sensitive: bool) -> String {
    let shown = if sensitive {
        "(sensitive)".to_owned()
    } else {
        crate::finding::shorten(arn.to_owned())
    };
    format!("its execution role {shown} is not managed in this plan, so what it may do is unknown")
}

fn is_unknown(value: &Value) -> bool {
    match value {
        Value::Bool(b) => *b,
        Value::Array(items) => items.iter().any(is_unknown),
        Value::Object(map) => map.values().any(is_unknown),
        _ => false,
    }
}

/// One grant of the role: where it comes from and its policy document, when known.
struct Grant {
    source: String,
    /// The configuration address a function can depend on.
    depend_on: Option<String>,
    created: bool,
    document: Known,
    /// The plan marks its policy sensitive: its statements are never shown.
    sensitive: bool,
}

enum Known {
    Document(Value),
    /// Cannot allow an X-Ray action whatever its unknown parts are (why).
    NoXray(String),
    Unknown(String),
}

impl<'d, 'i> Grants<'d, 'i> {
    pub fn new(document: &'d Document<'d>, config: &'i Index<'d>, partial: bool) -> Self {
        // On every core, in order: each entry, and the one attribute the index below needs (a
        // role's ARN, a grant's role), read without the others.
        let (changes, index_keys): (Vec<Entry>, Vec<Option<String>>) = document
            .read_changes
            .par_iter()
            .filter(|c| c.mode.as_str() != "data")
            .filter_map(|change| {
                let modules = change
                    .module_address
                    .as_ref()
                    .map_or(Some(Vec::new()), |m| address::module_names(m.as_str()))?;
                let name = change.name.as_str().to_owned();
                let index_key = match change.resource_type.as_str() {
                    "aws_iam_role" | "aws_iam_policy" => change.change.after.string("arn"),
                    "aws_iam_role_policy_attachment" | "aws_iam_role_policy" => {
                        change.change.after.string("role")
                    }
                    _ => None,
                };
                let entry = Entry {
                    change,
                    modules,
                    name,
                    after: OnceLock::new(),
                    after_unknown: OnceLock::new(),
                    after_sensitive: OnceLock::new(),
                };
                Some((entry, index_key))
            })
            .unzip();
        let documents = document
            .prior_state
            .iter()
            .flat_map(|values| values.root_module.read_resources())
            .filter(|r| {
                r.mode.as_str() == "data" && r.resource_type.as_str() == "aws_iam_policy_document"
            })
            .filter_map(|r| {
                let parsed = data_address(r.address.as_str())?;
                let json = r.values.value().get("json")?.clone();
                Some((parsed.0, parsed.1, json))
            })
            .collect();
        // Sized once: a dense plan holds tens of thousands of roles.
        let (mut roles, mut policies, mut grants) = (0, 0, 0);
        for entry in &changes {
            match entry.resource_type() {
                "aws_iam_role" => roles += 1,
                "aws_iam_policy" => policies += 1,
                "aws_iam_role_policy_attachment" | "aws_iam_role_policy" => grants += 1,
                _ => {}
            }
        }
        // Two indexes at once: by type (every entry), and the IAM ones.
        let (
            by_type,
            (roles_by_arn, policies_by_arn, grants_by_role, grants_unknown_role, roles_by_config),
        ) = rayon::join(
            || {
                let mut by_type: HashMap<&'d str, Vec<usize>> = HashMap::new();
                for (i, entry) in changes.iter().enumerate() {
                    by_type
                        .entry(entry.change.resource_type.as_str())
                        .or_default()
                        .push(i);
                }
                by_type
            },
            || {
                let mut roles_by_arn = HashMap::with_capacity(roles);
                let mut policies_by_arn = HashMap::with_capacity(policies);
                let mut grants_by_role: HashMap<String, Vec<usize>> =
                    HashMap::with_capacity(grants);
                let mut grants_unknown_role = Vec::new();
                let mut roles_by_config: HashMap<(Vec<String>, String), Vec<usize>> =
                    HashMap::with_capacity(roles);
                for (i, (entry, index_key)) in changes.iter().zip(index_keys).enumerate() {
                    if entry.removed() {
                        continue;
                    }
                    match entry.resource_type() {
                        "aws_iam_role" => {
                            roles_by_config
                                .entry((entry.modules.clone(), entry.name.clone()))
                                .or_default()
                                .push(i);
                            if let Some(arn) = index_key {
                                roles_by_arn.entry(arn).or_insert(i);
                            }
                        }
                        "aws_iam_policy" => {
                            if let Some(arn) = index_key {
                                policies_by_arn.entry(arn).or_insert(i);
                            }
                        }
                        "aws_iam_role_policy_attachment" | "aws_iam_role_policy" => match index_key
                        {
                            Some(role) => grants_by_role
                                .entry(role.to_ascii_lowercase())
                                .or_default()
                                .push(i),
                            None => grants_unknown_role.push(i),
                        },
                        _ => {}
                    }
                }
                (
                    roles_by_arn,
                    policies_by_arn,
                    grants_by_role,
                    grants_unknown_role,
                    roles_by_config,
                )
            },
        );
        Grants {
            document,
            config,
            roles_by_arn,
            policies_by_arn,
            grants_by_role,
            grants_unknown_role,
            by_type,
            roles_by_config,
            changes,
            documents,
            partial,
        }
    }

    /// The permission finding of one function, or none when the rule does not apply (its
    /// tracing will not be Active, and no fix asks it to be).
    /// The finding, and for a failing one the role that lacks the grant.
    pub fn judge(
        &self,
        function: &Function,
        location: Option<crate::finding::Location>,
    ) -> Option<(Finding, Option<FailingRole>)> {
        let becomes_active = match function.tracing_verdict {
            Verdict::Pass => function.tracing_mode == Some("Active"),
            Verdict::Fail | Verdict::Unknown => true,
            Verdict::Warn | Verdict::Skipped => false,
        };
        if !becomes_active {
            return None;
        }
        let mut failing_role = None;
        let mut finding = Finding {
            rule: XRAY_PERMISSION.id,
            address: function.address.to_owned(),
            resource_type: XRAY_PERMISSION.targets[0].resource_type,
            deposed: None,
            verdict: Verdict::Unknown,
            mode: function.tracing_mode.map(str::to_owned),
            actions: function.actions.names(),
            evidence: Vec::new(),
            fix: None,
            location,
            suppression: None,
            baseline: None,
            fingerprint: fingerprint(XRAY_PERMISSION.id, function.address, None),
        };
        if function.tracing_verdict != Verdict::Pass {
            finding.evidence.push(Evidence::new(
                "D9.AWS.OPE.07's fix makes this function Active: its role must then allow X-Ray",
            ));
        }
        let role = match self.role_of(function) {
            Ok(role) => role,
            Err(why) => {
                finding.evidence.push(Evidence::new(why));
                return Some((finding, None));
            }
        };
        let role_address = role.change.address.as_str().to_owned();
        finding.evidence.push(Evidence::new(format!(
            "its execution role is {role_address}, in this plan"
        )));
        let grants = self.grants_of(role);
        let decided = decide(&grants, self.partial);
        finding
            .evidence
            .extend(decided.evidence.into_iter().map(Evidence::new));
        finding.verdict = decided.verdict;
        match decided.verdict {
            Verdict::Fail => {
                finding.fix = Some(Box::new(self.fix(function, role)));
                failing_role = Some(FailingRole {
                    modules: role.modules.clone(),
                    name: role.name.clone(),
                    // `aws_iam_role.r[0]` or `["k"]`: the last step has an instance key.
                    indexed: role.change.address.as_str().ends_with(']'),
                    denied: decided.denied,
                });
            }
            Verdict::Pass
                if function.actions.contains(Actions::CREATE)
                    || function.actions.contains(Actions::UPDATE) =>
            {
                if let Some(hazard) = self.ordering_hazard(function, &grants, &decided.allowing) {
                    finding.verdict = Verdict::Warn;
                    finding.evidence.push(Evidence::new(hazard.0));
                    finding.fix = Some(Box::new(Fix {
                        description: hazard.1,
                        location: None,
                        edit: None,
                        refusal: None,
                        more_edits: Vec::new(),
                    }));
                }
            }
            _ => {}
        }
        Some((finding, failing_role))
    }

    /// The role the function runs as, when it is in the plan; else why not.
    fn role_of(&self, function: &Function) -> Result<&Entry<'d>, String> {
        // A role the plan marks sensitive is looked up, never shown.
        let sensitive = function.after_sensitive.as_bool() == Some(true)
            || function.after_sensitive.get("role").is_some_and(is_unknown);
        let known = function.after.get("role").and_then(Value::as_str);
        if let Some(arn) = known {
            return self
                .role_by_arn(arn)
                .ok_or_else(|| not_managed(arn, sensitive));
        }
        if !function.after_unknown.get("role").is_some_and(is_unknown) {
            return Err("the plan holds no execution role for it".to_owned());
        }
        let resource = self
            .config
            .resource(function.modules, "aws_lambda_function", function.name)
            .ok_or_else(|| {
                "its role is known only after apply and the plan records no configuration for it"
                    .to_owned()
            })?;
        let mut candidates = Vec::new();
        self.role_candidates(
            function.modules,
            resource.expressions.get("role").as_deref(),
            (0, sensitive),
            &mut candidates,
        )?;
        candidates
            .sort_unstable_by(|a, b| a.change.address.as_str().cmp(b.change.address.as_str()));
        candidates.dedup_by(|a, b| std::ptr::eq(a.change, b.change));
        match candidates.as_slice() {
            [one] => Ok(one),
            [] => Err("its role is known only after apply and comes from no role of this plan".to_owned()),
            _ => Err("its role is chosen among several roles of this plan by an expression known only after apply".to_owned()),
        }
    }

    /// The entries of one resource type, deleted ones included.
    fn of_type<'s>(&'s self, resource_type: &str) -> impl Iterator<Item = &'s Entry<'d>> {
        self.by_type
            .get(resource_type)
            .into_iter()
            .flatten()
            .map(|&i| &self.changes[i])
    }

    fn role_by_arn(&self, arn: &str) -> Option<&Entry<'d>> {
        // By ARN only: a name alone does not say the account or path (another account's role of
        // the same name is not this one).
        self.roles_by_arn.get(arn).map(|&i| &self.changes[i])
    }

    /// Follows a role expression's references to roles of the plan (through module inputs).
    fn role_candidates<'s>(
        &'s self,
        modules: &[String],
        expression: Option<&Value>,
        (hops, sensitive): (usize, bool),
        out: &mut Vec<&'s Entry<'d>>,
    ) -> Result<(), String> {
        let unresolved = || {
            "its role is known only after apply, through an expression tracegate cannot follow"
                .to_owned()
        };
        if hops > MAX_HOPS {
            return Err(unresolved());
        }
        let Some(expression) = expression else {
            return Err(unresolved());
        };
        if let Some(constant) = expression.get("constant_value") {
            return match constant.as_str() {
                Some("") | None => Ok(()),
                Some(arn) => match self.role_by_arn(arn) {
                    Some(role) => {
                        out.push(role);
                        Ok(())
                    }
                    None => Err(not_managed(arn, sensitive)),
                },
            };
        }
        let references: Vec<&str> = expression
            .get("references")
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        if references.is_empty() {
            return Err(unresolved());
        }
        for reference in references {
            if let Some(rest) = reference.strip_prefix("aws_iam_role.") {
                let name = rest.split(['.', '[']).next().unwrap_or_default();
                let key = (modules.to_vec(), name.to_owned());
                out.extend(
                    self.roles_by_config
                        .get(&key)
                        .into_iter()
                        .flatten()
                        .map(|&i| &self.changes[i]),
                );
            } else if let Some(variable) = reference.strip_prefix("var.") {
                let variable = variable.split(['.', '[']).next().unwrap_or_default();
                match modules.split_last() {
                    Some((call, parent)) => {
                        let expression = self
                            .module(parent)
                            .and_then(|m| m.module_calls.get(call.as_str()))
                            .and_then(|c| c.expressions.get(variable));
                        match expression {
                            Some(e) => {
                                self.role_candidates(parent, Some(&e), (hops + 1, sensitive), out)?
                            }
                            // An input left to its default: the module's own default decides.
                            None => {
                                let default = self
                                    .module(modules)
                                    .and_then(|m| m.variables.get(variable))
                                    .and_then(ConfigVariable::default_value);
                                if let Some(arn) = default
                                    .as_deref()
                                    .and_then(Value::as_str)
                                    .filter(|a| !a.is_empty())
                                {
                                    match self.role_by_arn(arn) {
                                        Some(role) => out.push(role),
                                        None => return Err(format!(
                                            "its execution role {} is not managed in this plan, so what it may do is unknown",
                                            crate::finding::shorten(arn.to_owned())
                                        )),
                                    }
                                }
                            }
                        }
                    }
                    None => {
                        if let Some(value) = self.document.variables.get(variable) {
                            if let Some(arn) = value.value.as_str().filter(|a| !a.is_empty()) {
                                match self.role_by_arn(arn) {
                                    Some(role) => out.push(role),
                                    None => {
                                        return Err(format!(
                                            "its execution role {} is not managed in this plan, so what it may do is unknown",
                                            crate::finding::shorten(arn.to_owned())
                                        ))
                                    }
                                }
                            }
                        }
                    }
                }
            } else if reference.starts_with("data.")
                || reference.starts_with("module.")
                || reference.starts_with("local.")
            {
                return Err(unresolved());
            }
            // Other references (`count.index`, `each.key`, a `var.create_role` flag resolved
            // above to a non-string) choose among the candidates; they name no role.
        }
        Ok(())
    }

    fn module(&self, modules: &[String]) -> Option<&'d ConfigModule<'d>> {
        let configuration: &Configuration = self.document.configuration.as_ref()?;
        let mut module = &configuration.root_module;
        for name in modules {
            module = &module.module_calls.get(name.as_str())?.module;
        }
        Some(module)
    }

    /// Whether an IAM entry's `role` (a name) is this role: by its known value, else by the
    /// configuration's reference to the role in the same module.
    fn names_role(&self, entry: &Entry, key: &str, role: &Entry) -> Option<bool> {
        if let (Some(value), Some(name)) = (
            entry.after(key).and_then(Value::as_str),
            role.after("name").and_then(Value::as_str),
        ) {
            // IAM names are unique regardless of case: another case is the same role.
            return Some(value.eq_ignore_ascii_case(name));
        }
        let references = self.references(entry, key)?;
        // Known only after apply: the configuration's reference names the role, when it is one
        // of the same module; through anything else (a variable, a module output) it may be any.
        let only_roles = references.iter().all(|r| r.starts_with("aws_iam_role."));
        if !only_roles || entry.modules != role.modules {
            return None;
        }
        let wanted = role.config_address();
        Some(references.iter().any(|r| {
            r.strip_prefix(wanted.as_str())
                .is_some_and(|rest| rest.is_empty() || rest.starts_with(['.', '[']))
        }))
    }

    fn references(&self, entry: &Entry, key: &str) -> Option<Vec<String>> {
        let resource = self
            .config
            .resource(&entry.modules, entry.resource_type(), &entry.name)?;
        let expression = resource.expressions.get(key)?;
        let references = expression.get("references")?.as_array()?;
        Some(
            references
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect(),
        )
    }

    /// Everything the plan grants the role, known or not.
    fn grants_of(&self, role: &Entry) -> Vec<Grant> {
        let mut grants = Vec::new();
        let role_address = role.change.address.as_str();
        // A permissions boundary caps what the policies allow; it is not evaluated here.
        if role.unknown("permissions_boundary")
            || role
                .after("permissions_boundary")
                .is_some_and(|b| !b.is_null())
        {
            grants.push(Grant {
                source: format!("{role_address} permissions_boundary"),
                depend_on: None,
                created: role.created(),
                document: Known::Unknown(format!(
                    "{role_address} has a permissions boundary, which tracegate does not evaluate"
                )),
                sensitive: false,
            });
        }
        // Exclusive attachments detach every managed policy they do not list.
        if self
            .of_type("aws_iam_role_policy_attachments_exclusive")
            .any(|e| !e.removed() && self.names_role(e, "role_name", role) != Some(false))
        {
            grants.push(Grant {
                source: format!("aws_iam_role_policy_attachments_exclusive of {role_address}"),
                depend_on: None,
                created: role.created(),
                document: Known::Unknown(
                    "aws_iam_role_policy_attachments_exclusive may detach its managed policies"
                        .to_owned(),
                ),
                sensitive: false,
            });
        }
        let exclusive: Vec<&Entry> = self
            .of_type("aws_iam_role_policies_exclusive")
            .filter(|e| !e.removed())
            .filter(|e| self.names_role(e, "role_name", role) != Some(false))
            .collect();
        // aws_iam_role_policies_exclusive removes the inline policies it does not list, however
        // they were written.
        let listed = |name: Option<&str>, source: &str, document: Known| -> Known {
            if exclusive.is_empty() {
                return document;
            }
            if exclusive.iter().any(|x| x.unknown("policy_names")) {
                return Known::Unknown(format!(
                    "aws_iam_role_policies_exclusive lists policy names known only after apply, so {source} may be removed"
                ));
            }
            let kept = exclusive.iter().all(|x| {
                x.after("policy_names")
                    .and_then(Value::as_array)
                    .is_some_and(|names| {
                        names
                            .iter()
                            .any(|n| n.as_str().is_some() && n.as_str() == name)
                    })
            });
            if kept {
                document
            } else {
                Known::NoXray(format!(
                    "{source} is not listed by aws_iam_role_policies_exclusive, which removes it"
                ))
            }
        };
        // The role's own inline_policy blocks and managed_policy_arns.
        for (key, what) in [
            ("inline_policy", "inline policy"),
            ("managed_policy_arns", "managed policy"),
        ] {
            if role.unknown(key) {
                // Unset on a new role, the provider plans it unknown; the configuration says whether it is set.
                if self.configured(role, key) {
                    grants.push(Grant {
                        source: format!("{role_address} {key}"),
                        depend_on: None,
                        created: role.created(),
                        document: Known::Unknown(format!("its {what}s are known only after apply")),
                        sensitive: false,
                    });
                }
                continue;
            }
            for item in role
                .after(key)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let document = if key == "inline_policy" {
                    let name = item.get("name").and_then(Value::as_str);
                    listed(
                        name,
                        &format!("{role_address} inline_policy"),
                        policy_text(item.get("policy")),
                    )
                } else {
                    match item.as_str() {
                        Some(arn) => self.policy_by_arn(arn),
                        None => Known::Unknown("a managed policy ARN is not a string".to_owned()),
                    }
                };
                grants.push(Grant {
                    source: format!("{role_address} {key}"),
                    depend_on: None,
                    created: role.created(),
                    document,
                    sensitive: role.sensitive(key),
                });
            }
        }
        // Only grants that can be this role's: those holding its name, and those whose role is
        // known only after apply; all of them when the role's own name is not known.
        let mut candidates: Vec<usize> = match role.after("name").and_then(Value::as_str) {
            Some(name) => self
                .grants_by_role
                .get(&name.to_ascii_lowercase())
                .into_iter()
                .flatten()
                .chain(&self.grants_unknown_role)
                .copied()
                .collect(),
            None => self
                .grants_by_role
                .values()
                .flatten()
                .chain(&self.grants_unknown_role)
                .copied()
                .collect(),
        };
        candidates.sort_unstable();
        for entry in candidates.into_iter().map(|i| &self.changes[i]) {
            let source = entry.change.address.as_str().to_owned();
            // Whether it grants this role first: its policy is read only then.
            let document = match self.names_role(entry, "role", role) {
                Some(false) => continue,
                Some(true) if entry.resource_type() == "aws_iam_role_policy" => {
                    self.inline_policy(entry)
                }
                Some(true) => self.attached_policy(entry),
                None => Known::Unknown(format!(
                    "{source} grants a role known only after apply, which may be this one"
                )),
            };
            let document = if entry.resource_type() == "aws_iam_role_policy" {
                listed(
                    entry.after("name").and_then(Value::as_str),
                    &source,
                    document,
                )
            } else {
                document
            };
            grants.push(Grant {
                depend_on: Some(entry.config_address()),
                created: entry.created(),
                source,
                document,
                sensitive: entry.sensitive("policy"),
            });
        }
        grants
    }

    fn configured(&self, entry: &Entry, key: &str) -> bool {
        self.config
            .resource(&entry.modules, entry.resource_type(), &entry.name)
            // No configuration recorded: it may be set.
            .is_none_or(|r| r.expressions.contains(key))
    }

    fn attached_policy(&self, entry: &Entry) -> Known {
        if let Some(arn) = entry.after("policy_arn").and_then(Value::as_str) {
            return self.policy_by_arn(arn);
        }
        // A customer policy created in this apply: its ARN is unknown, its document may not be.
        let policy = self.references(entry, "policy_arn").and_then(|references| {
            // Only an expression that names one customer policy and nothing else.
            let names: Vec<Option<&str>> = references
                .iter()
                .map(|r| r.strip_prefix("aws_iam_policy.")?.split(['.', '[']).next())
                .collect();
            let name = match names.first() {
                Some(Some(first)) if names.iter().all(|n| *n == Some(*first)) => {
                    (*first).to_owned()
                }
                _ => return None,
            };
            self.of_type("aws_iam_policy")
                .find(|e| e.name == name && e.modules == entry.modules)
        });
        match policy {
            Some(policy) => self.document_of(policy, "policy"),
            None => Known::Unknown(format!(
                "{} attaches a policy known only after apply",
                entry.change.address.as_str()
            )),
        }
    }

    fn inline_policy(&self, entry: &Entry) -> Known {
        self.document_of(entry, "policy")
    }

    /// The policy of an IAM entry: known text, else the policy document data source its
    /// configuration names.
    fn document_of(&self, entry: &Entry, key: &str) -> Known {
        if !entry.unknown(key) {
            return policy_text(entry.after(key));
        }
        let address = entry.change.address.as_str();
        let Some(references) = self.references(entry, key) else {
            return Known::Unknown(format!("the policy of {address} is known only after apply"));
        };
        // Only an expression that is the document itself (`data.X.json`): anything else could
        // add or remove statements.
        let names: Vec<Option<&str>> = references
            .iter()
            .map(|r| {
                let rest = r.strip_prefix("data.aws_iam_policy_document.")?;
                rest.split(['.', '[']).next()
            })
            .collect();
        let document = match names.first() {
            Some(Some(first)) if names.iter().all(|n| *n == Some(*first)) => {
                Some((*first).to_owned())
            }
            _ => None,
        };
        match document {
            Some(name) => self.document_source(&entry.modules, &name, address),
            None => Known::Unknown(format!("the policy of {address} is known only after apply")),
        }
    }

    /// A policy document data source: its JSON when the plan read it, else what its
    /// configuration's constant `actions` allow at most.
    fn document_source(&self, modules: &[String], name: &str, user: &str) -> Known {
        if let Some((_, _, json)) = self
            .documents
            .iter()
            .find(|(m, n, _)| m.as_slice() == modules && *n == name)
        {
            return policy_text(Some(json));
        }
        let unknown = || {
            Known::Unknown(format!(
            "the policy of {user} comes from data.aws_iam_policy_document.{name}, read only during apply"
        ))
        };
        if REGISTRY_NO_XRAY_DOCUMENTS.contains(&name) && self.registry_call(modules).is_some() {
            return Known::NoXray(format!(
                "the policy of {user} (the registry module's {name} document, read during apply) lists no X-Ray action"
            ));
        }
        // A data-source-only type: no managed resource shares the key.
        let Some(config) = self
            .config
            .resource(modules, "aws_iam_policy_document", name)
            .filter(|r| r.mode.as_str() == "data")
        else {
            return unknown();
        };
        // Other documents merged in could allow anything.
        if ["source_policy_documents", "override_policy_documents"]
            .iter()
            .any(|k| config.expressions.contains(k))
        {
            return unknown();
        }
        let statement = config.expressions.get("statement");
        let Some(statements) = statement.as_deref().and_then(Value::as_array) else {
            return unknown();
        };
        let mut actions = Vec::new();
        for statement in statements {
            if statement.get("not_actions").is_some() {
                return unknown();
            }
            match statement
                .get("actions")
                .and_then(|a| a.get("constant_value"))
                .and_then(Value::as_array)
            {
                Some(list) => actions.extend(list.iter().filter_map(Value::as_str)),
                None => return unknown(),
            }
        }
        let grants_xray = actions
            .iter()
            .any(|pattern| XRAY_ACTIONS.iter().any(|a| iam_policy::matches(pattern, a)));
        if grants_xray {
            unknown()
        } else {
            Known::NoXray(format!(
                "the policy of {user} (data.aws_iam_policy_document.{name}, read during apply) allows only {}: no X-Ray action",
                crate::finding::shorten(actions.join(", "))
            ))
        }
    }

    fn policy_by_arn(&self, arn: &str) -> Known {
        if let Some(managed) = iam_policy::aws_managed(arn) {
            return match serde_json::from_str(managed.document) {
                Ok(document) => Known::Document(document),
                Err(_) => Known::Unknown(format!("the managed policy {arn} cannot be read")),
            };
        }
        // By index: a linear search per grant cost functions × policies on a large plan.
        match self.policies_by_arn.get(arn).map(|&i| &self.changes[i]) {
            Some(policy) => self.document_of(policy, "policy"),
            None => Known::Unknown(format!(
                "the policy {} is not managed in this plan",
                crate::finding::shorten(arn.to_owned())
            )),
        }
    }

    /// The module call's address when `modules` is a call of the registry module.
    pub fn registry_call(&self, modules: &[String]) -> Option<String> {
        let (call, parent) = modules.split_last()?;
        let source = self
            .module(parent)?
            .module_calls
            .get(call.as_str())?
            .source
            .as_deref()?;
        source
            .starts_with(REGISTRY_MODULE)
            .then(|| address::module_path(modules))
    }

    fn fix(&self, function: &Function, role: &Entry) -> Fix {
        let registry_call = self.registry_call(function.modules);
        let description = match registry_call {
            Some(call) => format!("set `attach_tracing_policy = true` on {call}"),
            None => {
                // The role as the function's module names it, with its instance key if any.
                let address = role.change.address.as_str();
                let in_module = address
                    .rfind(&role.config_address())
                    .map_or(address, |at| &address[at..]);
                format!(
                    "attach arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess to {address}: add `resource \"aws_iam_role_policy_attachment\" \"xray\" {{ role = {in_module}.name policy_arn = \"arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess\" }}` beside it, and `depends_on = [aws_iam_role_policy_attachment.xray]` to {}",
                    function.address
                )
            }
        };
        let description = if function.tracing_verdict == Verdict::Pass {
            description
        } else {
            format!("with D9.AWS.OPE.07's fix, also {description}")
        };
        Fix {
            description,
            location: None,
            edit: None,
            refusal: None,
            more_edits: Vec::new(),
        }
    }

    /// A grant created in this apply that the function neither references nor depends on may
    /// arrive after CreateFunction: (evidence, fix).
    fn ordering_hazard(
        &self,
        function: &Function,
        grants: &[Grant],
        allowing: &[usize],
    ) -> Option<(String, String)> {
        let allowing: Vec<&Grant> = allowing.iter().map(|&i| &grants[i]).collect();
        if allowing.iter().any(|g| !g.created || g.depend_on.is_none()) {
            // Already there, or part of the role the function references.
            return None;
        }
        let resource =
            self.config
                .resource(function.modules, "aws_lambda_function", function.name)?;
        let expressions: Vec<_> = resource.expressions.values().collect();
        let depends = |target: &str| {
            resource.depends_on.iter().any(|d| d == target)
                || expressions.iter().any(|e| {
                    e.get("references")
                        .and_then(Value::as_array)
                        .is_some_and(|r| {
                            r.iter().any(|r| {
                                r.as_str().is_some_and(|r| {
                                    r == target || r.starts_with(&format!("{target}."))
                                })
                            })
                        })
                })
        };
        if allowing
            .iter()
            .any(|g| g.depend_on.as_deref().is_some_and(depends))
        {
            return None;
        }
        let grant = allowing.first()?;
        let target = grant.depend_on.clone()?;
        Some((
            format!(
                "{} grants X-Ray in the same apply, but {} has no reference to it and no depends_on: CreateFunction may run before the grant exists",
                grant.source, function.address
            ),
            format!("add `depends_on = [{target}]` to {}", function.address),
        ))
    }
}

fn policy_text(value: Option<&Value>) -> Known {
    match value {
        Some(Value::String(text)) => match iam_policy::parse(text) {
            Ok(document) => Known::Document(document),
            Err(error) => Known::Unknown(format!("a policy cannot be read ({error})")),
        },
        Some(Value::Object(_)) => Known::Document(value.cloned().unwrap_or_default()),
        _ => Known::Unknown("a policy is known only after apply".to_owned()),
    }
}

/// `data.aws_iam_policy_document.NAME[KEY]` under modules: (module path, name).
fn data_address(full: &str) -> Option<(Vec<String>, &str)> {
    let at = full.find("data.")?;
    let modules = if at == 0 {
        Vec::new()
    } else {
        address::module_names(full[..at].trim_end_matches('.'))?
    };
    let rest = full[at..].strip_prefix("data.aws_iam_policy_document.")?;
    Some((modules, rest.split(['.', '[']).next()?))
}

struct Decided {
    verdict: Verdict,
    evidence: Vec<String>,
    /// The grants that allow both actions on their own.
    allowing: Vec<usize>,
    /// An explicit Deny covers an action.
    denied: bool,
}

fn decide(grants: &[Grant], partial: bool) -> Decided {
    let documents: Vec<&Value> = grants
        .iter()
        .filter_map(|g| match &g.document {
            Known::Document(d) => Some(d),
            _ => None,
        })
        .collect();
    let unknown: Vec<&str> = grants
        .iter()
        .filter_map(|g| match &g.document {
            Known::Unknown(why) => Some(why.as_str()),
            _ => None,
        })
        .collect();
    let mut evidence: Vec<String> = grants
        .iter()
        .filter_map(|g| match &g.document {
            Known::NoXray(why) => Some(why.clone()),
            _ => None,
        })
        .collect();
    let evaluation = match iam_policy::evaluate(&documents, &XRAY_ACTIONS) {
        Ok(evaluation) => evaluation,
        Err(error) => {
            evidence.push(format!("a policy of the role cannot be read: {error}"));
            return Decided {
                verdict: Verdict::Unknown,
                evidence,
                allowing: Vec::new(),
                denied: false,
            };
        }
    };
    let allowing: Vec<usize> = grants
        .iter()
        .enumerate()
        .filter(|(_, g)| match &g.document {
            Known::Document(d) => {
                iam_policy::evaluate(&[d], &XRAY_ACTIONS).is_ok_and(|e| e.all_allowed())
            }
            _ => false,
        })
        .map(|(i, _)| i)
        .collect();
    let hidden = grants.iter().any(|g| g.sensitive);
    for decision in &evaluation.actions {
        evidence.push(if hidden {
            // Statement ids come from a policy the plan marks sensitive: only the decision.
            format!(
                "{}: {:?} (a policy is sensitive: its statements are not shown)",
                decision.action, decision.decision
            )
        } else {
            format!("{}: {}", decision.action, decision.reason)
        });
    }
    let verdict = match evaluation.overall() {
        Decision::Denied => Verdict::Fail,
        _ if !unknown.is_empty() => {
            evidence.extend(unknown.iter().map(|w| (*w).to_owned()));
            Verdict::Unknown
        }
        Decision::Allowed => Verdict::Pass,
        Decision::Conditional => Verdict::Unknown,
        Decision::NotGranted if partial => {
            evidence.push("this plan is partial, so grants outside it are not seen".to_owned());
            Verdict::Unknown
        }
        Decision::NotGranted => {
            let sources: Vec<&str> = grants.iter().map(|g| g.source.as_str()).collect();
            evidence.push(if sources.is_empty() {
                "the plan grants the role nothing: the apply with Active tracing fails with InvalidParameterValueException".to_owned()
            } else {
                format!(
                    "nothing the plan grants it ({}) allows both: the apply with Active tracing fails with InvalidParameterValueException",
                    crate::finding::shorten(sources.join(", "))
                )
            });
            Verdict::Fail
        }
    };
    Decided {
        verdict,
        evidence,
        allowing,
        denied: evaluation.overall() == Decision::Denied,
    }
}
