//! From a parsed document to findings: plan facts (layer 1), the configuration (layer 2), and the
//! evidence chain that explains each verdict.

pub mod configuration;
pub mod eval;
pub mod plan_facts;
pub mod sources;

use crate::finding::{fingerprint, Evidence, Finding, Fix, Location, Verdict};
use crate::plan::address;
use crate::plan::model::{Actions, Document, ResourceChange, StateResource};
use crate::plan::{DocumentKind, PlanShape};
use crate::rule::{CompiledPath, Target, TRACING};
use crate::source::SourceTree;
use crate::support::line_index;
use configuration::{BlockConfig, Origin, Trace};
use plan_facts::ModeFact;
use serde_json::Value;
use std::collections::HashSet;

#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Judge only create, update and replace; unchanged functions are skipped.
    pub changed_only: bool,
}

/// Shows a value from the plan in evidence: sensitive values never, long ones shortened.
pub fn show_value(value: &Value, sensitive: bool) -> String {
    if sensitive {
        return "(sensitive)".to_owned();
    }
    crate::finding::shorten(value.to_string())
}

/// Why a function is judged, and from what.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Seen<'r> {
    /// An entry of `resource_changes`.
    Planned,
    /// A function of a state document.
    State,
    /// A function of `prior_state` that no entry of the plan touches: the apply leaves it as it is.
    Untouched,
    /// An entry of `deferred_changes`: decided in a later plan. `covers` counts the functions
    /// of `prior_state` whose instance key it leaves open (`[*]`).
    Deferred { reason: &'r str, covers: usize },
}

/// One function to judge, as the plan or state holds it.
struct Subject<'r> {
    address: &'r str,
    module_address: Option<&'r str>,
    resource_type: &'r str,
    deposed: Option<&'r str>,
    actions: Actions,
    after: &'r Value,
    after_unknown: &'r Value,
    after_sensitive: &'r Value,
    offset: Option<usize>,
    seen: Seen<'r>,
    /// What the evidence says the facts come from: "the plan", "the state", "the prior state".
    facts_from: &'static str,
}

/// What judging a document gave: one finding per function, and how many came from outside
/// `resource_changes`.
#[derive(Debug, Default)]
pub struct Judged {
    pub findings: Vec<Finding>,
    /// Functions of `prior_state` that the plan does not touch, judged as they are.
    pub from_prior_state: usize,
    /// Functions of `deferred_changes`: unknown until a later plan.
    pub deferred: usize,
}

/// Judges every function of a document. `plan_label` names the plan in locations.
pub fn judge(
    document: &Document,
    kind: DocumentKind,
    text: &[u8],
    line_offset: usize,
    plan_label: &str,
    options: Options,
    sources: Option<&SourceTree>,
) -> Judged {
    let subjects = subjects(document, kind, text);
    let shape = PlanShape::of(document);
    let offsets: Vec<usize> = subjects.iter().filter_map(|s| s.offset).collect();
    let positions = line_index::positions(text, &offsets);
    let mut located = positions.into_iter();
    let mut judged = Judged::default();
    for subject in &subjects {
        let location = subject.offset.map(|_| {
            let (line, column) = located.next().expect("one position per offset");
            Location {
                file: plan_label.to_owned(),
                line: line + line_offset as u32,
                // The offset is the string's first character: name its opening quote.
                column: Some(column.saturating_sub(1).max(1)),
            }
        });
        match subject.seen {
            Seen::Untouched => judged.from_prior_state += 1,
            Seen::Deferred { .. } => judged.deferred += 1,
            Seen::Planned | Seen::State => {}
        }
        let finding = judge_one(document, kind, shape, subject, location, options, sources);
        judged.findings.push(finding);
    }
    judged
}

static NULL: Value = Value::Null;

/// Every function to judge: a state's resources; a plan's changes, its deferred changes, and the
/// functions of its prior state that neither touches (a `-target`, errored or refresh-only plan
/// leaves them as they are).
fn subjects<'r>(document: &'r Document, kind: DocumentKind, text: &[u8]) -> Vec<Subject<'r>> {
    let refresh_only = PlanShape::of(document).refresh_only;
    let state_subject = |r: &'r StateResource, seen: Seen<'r>| Subject {
        address: r.address.as_str(),
        module_address: None,
        resource_type: r.resource_type.as_str(),
        deposed: r.deposed_key.as_ref().map(|d| d.as_str()),
        actions: Actions::default(),
        after: &r.values.0,
        after_unknown: &NULL,
        after_sensitive: &r.sensitive_values.0,
        offset: r
            .address
            .offset_in(text)
            .or_else(|| r.resource_type.offset_in(text)),
        seen,
        facts_from: match seen {
            Seen::State => "the state",
            _ if refresh_only => "the refreshed state",
            _ => "the prior state",
        },
    };
    if kind == DocumentKind::State {
        return document
            .values
            .iter()
            .flat_map(|values| values.root_module.judged_resources())
            .map(|r| state_subject(r, Seen::State))
            .collect();
    }
    let change_subject = |rc: &'r ResourceChange, seen: Seen<'r>| Subject {
        address: rc.address.as_str(),
        module_address: Some(rc.module_address.as_ref().map_or("", |m| m.as_str())),
        resource_type: rc.resource_type.as_str(),
        deposed: rc.deposed.as_ref().map(|d| d.as_str()),
        actions: rc.change.actions,
        after: &rc.change.after.0,
        after_unknown: &rc.change.after_unknown.0,
        after_sensitive: &rc.change.after_sensitive.0,
        // Addresses with for_each keys hold escapes and cannot borrow; the type sits beside the
        // address in the same entry and never does.
        offset: rc
            .address
            .offset_in(text)
            .or_else(|| rc.resource_type.offset_in(text)),
        seen,
        facts_from: "the plan",
    };
    let changes = document.resource_changes.iter().flat_map(|c| c.0.iter());
    let mut subjects: Vec<Subject> = changes
        .map(|rc| change_subject(rc, Seen::Planned))
        .collect();
    let prior: Vec<&StateResource> = document
        .prior_state
        .iter()
        .flat_map(|values| values.root_module.judged_resources())
        .collect();
    let planned: HashSet<(&str, Option<&str>)> =
        subjects.iter().map(|s| (s.address, s.deposed)).collect();
    let mut deferred_covers = vec![0usize; document.deferred_changes.len()];
    let mut untouched = Vec::new();
    for resource in prior {
        let key = (
            resource.address.as_str(),
            resource.deposed_key.as_ref().map(|d| d.as_str()),
        );
        if planned.contains(&key) {
            continue;
        }
        let covering = document.deferred_changes.iter().position(|d| {
            address::covers(
                d.resource_change.address.as_str(),
                resource.address.as_str(),
            )
        });
        match covering {
            Some(i) => deferred_covers[i] += 1,
            None => untouched.push(state_subject(resource, Seen::Untouched)),
        }
    }
    for (deferred, covers) in document.deferred_changes.iter().zip(deferred_covers) {
        let seen = Seen::Deferred {
            reason: deferred.reason.as_str(),
            covers,
        };
        subjects.push(change_subject(&deferred.resource_change, seen));
    }
    subjects.extend(untouched);
    subjects
}

fn judge_one(
    document: &Document,
    kind: DocumentKind,
    shape: PlanShape,
    subject: &Subject,
    plan_location: Option<Location>,
    options: Options,
    sources: Option<&SourceTree>,
) -> Finding {
    let target = TRACING
        .target(subject.resource_type)
        .expect("the plan reader keeps only judged types");
    let deposed = subject.deposed.map(shown_deposed_key);
    let mut finding = Finding {
        rule: TRACING.id,
        address: subject.address.to_owned(),
        resource_type: subject.resource_type.to_owned(),
        deposed: deposed.clone(),
        verdict: Verdict::Skipped,
        mode: None,
        actions: subject.actions.names(),
        evidence: Vec::new(),
        fix: None,
        location: plan_location.clone(),
        suppression: None,
        fingerprint: fingerprint(TRACING.id, subject.address, deposed.as_deref()),
    };
    match subject.seen {
        Seen::Deferred { reason, covers } => {
            finding.verdict = Verdict::Unknown;
            finding
                .evidence
                .push(Evidence::at(deferred_words(reason, covers), plan_location));
            return finding;
        }
        Seen::Untouched => {
            let why = untouched_words(shape);
            if options.changed_only {
                finding.evidence.push(Evidence::at(
                    format!("{why}; --changed-only judges only create/update/replace"),
                    plan_location,
                ));
                return finding;
            }
            let as_state = Subject {
                seen: Seen::State,
                ..*subject
            };
            let mut judged = judge_one(
                document,
                DocumentKind::State,
                shape,
                &as_state,
                plan_location,
                Options::default(),
                None,
            );
            judged.evidence.insert(0, Evidence::new(why));
            return judged;
        }
        Seen::Planned | Seen::State => {}
    }
    if let Some(reason) = skip_reason(subject, kind, options) {
        finding.evidence.push(Evidence::at(reason, plan_location));
        return finding;
    }
    let actions = subject.actions;
    if kind == DocumentKind::Plan && !actions.is_written_by_terraform() {
        // Not what Terraform writes: neither judged as applied nor skipped.
        finding.verdict = Verdict::Unknown;
        finding.evidence.push(Evidence::at(
            format!(
                "the plan's actions {:?} are not ones Terraform or OpenTofu write, so what apply does is unknown",
                actions.names()
            ),
            plan_location,
        ));
        return finding;
    }
    let parsed = address::parse(subject.address);
    let modules = match (subject.module_address, &parsed) {
        (Some(module_address), _) => address::module_names(module_address),
        (None, Some(parsed)) => Some(parsed.modules.clone()),
        (None, None) => None,
    };
    let path = CompiledPath::for_target(target);
    let trace = match (&parsed, &modules) {
        (Some(parsed), Some(modules)) if kind == DocumentKind::Plan => configuration::trace(
            document.configuration.as_ref(),
            &document.variables,
            modules,
            subject.resource_type,
            &parsed.name,
            path,
        ),
        _ => Trace {
            block: BlockConfig::NotRecorded,
            steps: Vec::new(),
            origin: None,
            fix: None,
        },
    };
    let config_address = parsed
        .as_ref()
        .map_or_else(|| subject.address.to_owned(), |p| p.config_address());
    let fact = plan_facts::read(
        path,
        subject.after,
        subject.after_unknown,
        subject.after_sensitive,
    );
    let context = Context {
        facts_from: subject.facts_from,
        target,
        path,
        config_address: &config_address,
        plan_location,
        creating: subject.actions.contains(Actions::CREATE),
        downloaded_module_fix: modules.as_ref().and_then(|modules| {
            configuration::downloaded_module_fix(document.configuration.as_ref(), modules)
        }),
    };
    let mut decision = context.decide(fact.clone(), trace);
    if let (Some(sources), Some(parsed), Some(modules)) = (sources, &parsed, &modules) {
        if kind == DocumentKind::Plan {
            let subject = sources::Subject {
                modules,
                resource_type: subject.resource_type,
                name: &parsed.name,
                config_address: &config_address,
                target,
                path,
                fact: &fact,
                creating: context.creating,
            };
            sources::refine(sources, &document.variables, &subject, &mut decision);
        }
    }
    decision.into_finding(&mut finding);
    finding
}

fn skip_reason(subject: &Subject, kind: DocumentKind, options: Options) -> Option<String> {
    let actions = subject.actions;
    // A deposed object is only ever destroyed: any other action on one is judged like any object.
    if let (Some(key), true) = (subject.deposed, actions.is(Actions::DELETE)) {
        let key = shown_deposed_key(key);
        return Some(format!(
            "deposed object {key}: a leftover of an earlier replace, which this plan destroys"
        ));
    }
    if kind == DocumentKind::State {
        return options.changed_only.then(|| {
            "a state holds no changes and --changed-only judges only create/update/replace"
                .to_owned()
        });
    }
    if actions.is(Actions::DELETE) {
        return Some("the plan deletes this function".to_owned());
    }
    if actions.is(Actions::FORGET) {
        return Some(
            "the plan forgets this function: it leaves the state and is no longer managed here"
                .to_owned(),
        );
    }
    if actions.is(Actions::READ) {
        return Some("a read of a managed resource changes nothing".to_owned());
    }
    if options.changed_only && actions.is(Actions::NO_OP) {
        return Some(
            "unchanged (no-op) and --changed-only judges only create/update/replace".to_owned(),
        );
    }
    None
}

/// A deposed key as reports show it: Terraform writes eight hex digits; anything else is cut to
/// what can be shown safely.
fn shown_deposed_key(key: &str) -> String {
    key.chars()
        .filter(char::is_ascii_alphanumeric)
        .take(16)
        .collect()
}

fn deferred_words(reason: &str, covers: usize) -> String {
    let reason: String = reason
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
        .take(40)
        .collect();
    let mut words = format!(
        "Terraform deferred this change to a later plan (reason: {reason}): its tracing is decided then, not by this plan"
    );
    if covers > 0 {
        words.push_str(&format!(
            "; it also covers {covers} existing instance{} whose key is not known yet",
            if covers == 1 { "" } else { "s" }
        ));
    }
    words
}

/// Why a function of the prior state is judged as it is.
fn untouched_words(shape: PlanShape) -> &'static str {
    if shape.errored {
        "not planned (the plan errored before reaching it): judged from prior state"
    } else if shape.refresh_only {
        "a refresh-only plan changes no function: judged from the refreshed state"
    } else if shape.complete == Some(false) {
        "not part of this plan (targeted plan): judged from prior state"
    } else {
        "not part of this plan (a targeted or excluded plan): judged from prior state"
    }
}

struct Context<'c> {
    facts_from: &'static str,
    target: &'static Target,
    path: &'static CompiledPath,
    config_address: &'c str,
    plan_location: Option<Location>,
    creating: bool,
    /// For a function inside a registry or git module: the fix in the calling module block.
    downloaded_module_fix: Option<String>,
}

pub const OMITTED: &str = "so no tracing_config is sent and AWS applies PassThrough";
pub const AFTER_APPLY: &str = "so the mode is known only after apply";
pub const OMITTED_MODE: &str =
    "so tracing_config is sent without a mode and AWS applies PassThrough";

/// A verdict with its evidence in three parts, so that the source layer can replace the
/// configuration chain and refine what the plan could only assume.
#[derive(Debug)]
pub struct Decision {
    pub verdict: Verdict,
    pub mode: Option<String>,
    /// Where the mode comes from, cause to effect (configuration, or sources).
    pub chain: Vec<Evidence>,
    /// What the plan itself shows.
    pub facts: Vec<Evidence>,
    pub conclusion: Option<Evidence>,
    pub fix: Option<Fix>,
    /// The plan leaves the whole block unknown at create and nothing told omitted from dynamic.
    pub assumed_omitted: bool,
    /// Where the function is declared in the repository, once the sources tell.
    pub declared_at: Option<Location>,
}

impl Decision {
    fn into_finding(self, finding: &mut Finding) {
        finding.verdict = self.verdict;
        finding.mode = self.mode;
        finding.evidence = self.chain;
        finding.evidence.extend(self.facts);
        finding.evidence.extend(self.conclusion);
        finding.fix = self.fix;
        if let Some(location) = self.declared_at {
            finding.location = Some(location);
        }
    }
}

pub fn conclusion_for(verdict: Verdict, mode: Option<&str>, shown: &str) -> Evidence {
    Evidence::new(match (verdict, mode) {
        (Verdict::Pass, _) => {
            "Active: Lambda asks X-Ray to sample requests even when no tracing header arrives"
                .to_owned()
        }
        (_, Some("PassThrough")) => {
            "PassThrough: Lambda traces only requests that arrive with a sampled tracing header"
                .to_owned()
        }
        (Verdict::Unknown, _) => AFTER_APPLY.to_owned(),
        _ => format!("{shown} is not \"Active\""),
    })
}

impl Context<'_> {
    /// Where the missing block goes: the resource, or for a downloaded module its calling block.
    fn add_block_fix(&self) -> Fix {
        Fix {
            description: self
                .downloaded_module_fix
                .clone()
                .unwrap_or_else(|| add_block_description(self.target, self.config_address)),
            location: None,
            edit: None,
        }
    }

    fn decide(&self, fact: ModeFact, trace: Trace) -> Decision {
        let at = |message: String| Evidence::at(message, self.plan_location.clone());
        let mode_name = self.path.names.last().expect("paths are never empty");
        let source = self.facts_from;
        let mut decision = Decision {
            verdict: Verdict::Unknown,
            mode: None,
            chain: Vec::new(),
            facts: Vec::new(),
            conclusion: None,
            fix: None,
            assumed_omitted: false,
            declared_at: None,
        };
        match fact {
            ModeFact::Known { value, sensitive } => {
                let mode = value.as_str();
                decision.verdict = TRACING.verdict_for(mode);
                decision.mode = if sensitive {
                    None
                } else {
                    mode.map(str::to_owned)
                };
                // The chain explains the value only when it ends where the plan does.
                let consistent = match &trace.origin {
                    Some(Origin::Value { value: traced, .. }) => traced == &value,
                    Some(Origin::Open { .. }) => true,
                    None => false,
                };
                if consistent {
                    decision.chain = trace.steps.clone();
                } else if let Some(last) = trace.steps.last() {
                    decision.chain.push(last.clone());
                }
                let kept = trace.block == BlockConfig::Absent && !self.creating;
                if kept {
                    decision.facts.push(Evidence::new(format!(
                        "the configuration of {} has no tracing_config block, so the provider keeps the current mode (removing the block does not change tracing)",
                        self.config_address
                    )));
                }
                let shown = show_value(&value, sensitive);
                decision
                    .facts
                    .push(at(format!("{source} has {mode_name} = {shown}")));
                decision.conclusion = Some(conclusion_for(decision.verdict, mode, &shown));
                if decision.verdict == Verdict::Fail {
                    decision.fix = Some(match (&trace.fix, consistent, kept) {
                        (_, _, true) => self.add_block_fix(),
                        (Some(fix), true, _) => Fix {
                            description: fix.clone(),
                            location: None,
                            edit: None,
                        },
                        _ => Fix {
                            description: format!(
                                "make {mode_name} of {} \"Active\"",
                                self.config_address
                            ),
                            location: None,
                            edit: None,
                        },
                    });
                }
            }
            ModeFact::NotSet { shape, in_block } => {
                decision.verdict = Verdict::Fail;
                decision.facts.push(at(format!("{source} has {shape}")));
                decision.conclusion =
                    Some(Evidence::new(if in_block { OMITTED_MODE } else { OMITTED }));
                decision.fix = Some(if in_block {
                    Fix {
                        description: format!(
                            "set {mode_name} = \"Active\" in {}",
                            self.config_address
                        ),
                        location: None,
                        edit: None,
                    }
                } else {
                    self.add_block_fix()
                });
            }
            ModeFact::BlockUnknown if self.creating && trace.block != BlockConfig::Present => {
                decision.verdict = Verdict::Fail;
                decision.assumed_omitted = true;
                decision.facts.push(at(format!(
                    "{source} leaves all of tracing_config unknown until apply, which is how an omitted block looks at create"
                )));
                decision.facts.push(Evidence::new(match trace.block {
                    BlockConfig::Absent => format!(
                        "the configuration of {} sets no static tracing_config block; assumed omitted (a dynamic block whose for_each is unknown would look the same: --source-root tells them apart)",
                        self.config_address
                    ),
                    _ => "the plan records no configuration for it; assumed omitted (--source-root tells an omitted block from a dynamic one)".to_owned(),
                }));
                decision.conclusion = Some(Evidence::new(OMITTED));
                decision.fix = Some(self.add_block_fix());
            }
            ModeFact::BlockUnknown => {
                decision.chain = trace.steps;
                decision.facts.push(at(format!(
                    "{source} computes all of tracing_config during apply (a dynamic block whose for_each is unknown until then)"
                )));
                decision.conclusion = Some(Evidence::new(AFTER_APPLY));
            }
            ModeFact::ResourceUnknown => {
                decision.facts.push(at(format!(
                    "{source} leaves the whole resource unknown until apply (after_unknown = true): the provider could not plan it"
                )));
                decision.conclusion = Some(Evidence::new(AFTER_APPLY));
            }
            ModeFact::Contradicts { value, at: unknown } => {
                decision.facts.push(at(format!(
                    "{source} has {mode_name} = {} but also marks {unknown} unknown until apply, which Terraform never writes: not taken as a pass",
                    show_value(&value, false)
                )));
                decision.conclusion = Some(Evidence::new(AFTER_APPLY));
            }
            ModeFact::ModeUnknown { at: unknown }
                if self.creating
                    && matches!(
                        &trace.origin,
                        Some(Origin::Value {
                            value: Value::Null,
                            ..
                        })
                    ) =>
            {
                // The framework provider (awscc) plans an unset Optional+Computed attribute as
                // unknown; the configuration leaves it unset, so AWS applies its default.
                decision.verdict = Verdict::Fail;
                decision.chain = trace.steps;
                decision.facts.push(at(format!(
                    "{source} has {unknown} computed during apply because the configuration leaves it unset"
                )));
                decision.conclusion = Some(Evidence::new(OMITTED_MODE));
                decision.fix = Some(Fix {
                    description: trace.fix.unwrap_or_else(|| {
                        format!("set {mode_name} = \"Active\" in {}", self.config_address)
                    }),
                    location: None,
                    edit: None,
                });
            }
            ModeFact::ModeUnknown { at: unknown } => {
                decision.chain = trace.steps;
                decision
                    .facts
                    .push(at(format!("{source} has {unknown} computed during apply")));
                decision.conclusion = Some(Evidence::new(match &trace.origin {
                    Some(Origin::Open { depends_on }) => {
                        format!("it depends on {depends_on}, known only after apply")
                    }
                    _ => AFTER_APPLY.to_owned(),
                }));
            }
        }
        decision
    }
}

pub fn add_block_description(target: &Target, config_address: &str) -> String {
    format!(
        "add `{}` to {config_address}",
        target
            .snippet
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" "),
    )
}
