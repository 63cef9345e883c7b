//! From a parsed document to findings: plan facts (layer 1), the configuration (layer 2), and the
//! evidence chain that explains each verdict.

pub mod configuration;
pub mod decide;
pub mod eval;
pub mod evidence;
pub mod iam_policy;
pub mod plan_facts;
pub mod sources;
pub mod xray_permission;

use crate::finding::{fingerprint, Baseline, Evidence, Finding, Location, Verdict};
use crate::plan::address;
use crate::plan::model::{Actions, Document, Kept, ResourceChange, StateResource};
use crate::plan::{DocumentKind, PlanShape};
use crate::rule::{CompiledPath, Target, TRACING, XRAY_PERMISSION};
use crate::source::SourceTree;
use crate::support::line_index::{self, BlockCounts};
use configuration::Trace;
use eval::PlanIndex;
use evidence::Facts;
use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};
use rayon::prelude::*;
use serde_json::Value;
use sources::{SourceFacts, Unavailable};
use std::sync::{Arc, Mutex, OnceLock};

#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Judge only create, update and replace; unchanged functions are skipped.
    pub changed_only: bool,
    /// Rule ids not to report (`--skip-rule`, or every rule but `--rule`'s).
    pub skipped_rules: Vec<&'static str>,
    /// The process exits after this run: the indexes are not freed (see `RunOptions::exits_after`).
    pub exits_after: bool,
}

impl Options {
    fn runs(&self, rule: &str) -> bool {
        !self.skipped_rules.contains(&rule)
    }
}

/// Shows a value from the plan in evidence: sensitive values never, long ones shortened.
pub fn show_value(value: &Value, sensitive: bool) -> String {
    if sensitive {
        return "(sensitive)".to_owned();
    }
    // Written only as far as `shorten` can keep (it keeps fewer characters than this many
    // bytes hold whole): a large value costs its first bytes, not its size, per function.
    const ROOM: usize = crate::finding::SHOWN_CHARS * 4 + 8;
    struct Bounded(Vec<u8>);
    impl std::io::Write for Bounded {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            let room = ROOM - self.0.len();
            if room == 0 {
                return Err(std::io::ErrorKind::WriteZero.into());
            }
            let taken = bytes.len().min(room);
            self.0.extend_from_slice(&bytes[..taken]);
            Ok(taken)
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut written = Bounded(Vec::new());
    // Stopped by the bound or not, what was written is the value's start.
    let _ = serde_json::to_writer(&mut written, value);
    crate::finding::shorten(String::from_utf8_lossy(&written.0).into_owned())
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
    /// A function of `planned_values` with no entry in `resource_changes`, `deferred_changes` or
    /// `prior_state`: Terraform never writes one; judged from its planned values.
    PlannedOnly,
}

/// One function to judge, as the plan or state holds it.
struct Subject<'r> {
    address: &'r str,
    module_address: Option<&'r str>,
    resource_type: &'r str,
    deposed: Option<&'r str>,
    actions: Actions,
    /// `change.before` (what is deployed now), for the ratchet; `Kept::Null` where there is none.
    before: &'r Kept,
    /// The change imports the object (`change.importing`).
    importing: bool,
    after: &'r Kept,
    after_unknown: &'r Kept,
    after_sensitive: &'r Kept,
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
    /// What kind of plan it was (read once here, for the scope the outcome reports).
    pub shape: PlanShape,
}

/// The text a document was read from, where its functions are located.
#[derive(Debug, Clone, Copy, Default)]
pub struct PlanText<'t> {
    /// The JSON the document borrows from; empty for a stream (no positions).
    pub bytes: &'t [u8],
    /// Its lines and characters, when the UTF-8 check counted them (see [`BlockCounts`]).
    pub counts: Option<&'t BlockCounts>,
    /// Lines of wrapper noise before `bytes`.
    pub line_offset: usize,
}

impl<'t> PlanText<'t> {
    /// `bytes`, uncounted, with no wrapper lines.
    pub fn of(bytes: &'t [u8]) -> PlanText<'t> {
        PlanText {
            bytes,
            ..PlanText::default()
        }
    }
}

/// Judges every function of a document. `plan_label` names the plan in locations.
pub fn judge(
    document: &Document,
    kind: DocumentKind,
    plan_text: PlanText,
    plan_label: &str,
    options: Options,
    sources: Option<&SourceTree>,
) -> Judged {
    let PlanText {
        bytes: text,
        counts,
        line_offset,
    } = plan_text;
    let shape = PlanShape::of(document);
    let subjects = subjects(document, kind, text, shape);
    let offsets: Vec<usize> = subjects.iter().filter_map(|s| s.offset).collect();
    let (plan_index, configuration) = rayon::join(
        || PlanIndex::new(document),
        || configuration::Index::new(document.configuration.as_ref()),
    );
    let run = Judging {
        document,
        kind,
        shape,
        options,
        sources,
        plan_index,
        configuration,
        source_cache: Mutex::default(),
    };
    // Built only when a function will ask it: most plans hold none.
    let asked = subjects.iter().any(asks_permission);
    // The functions' lines (from the UTF-8 check's counts; without them, a pass over the whole
    // plan): a rayon job beside the IAM index, not after it. A rayon scope, not a thread of its own: a thread outside the pool that waits
    // on the pool deadlocks a pool of one (`RAYON_NUM_THREADS=1`, a one-CPU container), while a
    // scope's wait runs the pool's work.
    let mut positions = None;
    let permission = rayon::in_place_scope(|scope| {
        scope.spawn(|_| positions = Some(line_index::positions(text, counts, &offsets)));
        (asked && kind == DocumentKind::Plan && run.options.runs(XRAY_PERMISSION.id)).then(|| {
            let partial = shape.errored || shape.refresh_only || shape.complete == Some(false);
            xray_permission::Grants::new(document, &run.configuration, partial)
        })
    });
    let positions = positions.expect("the scope found the lines");
    let judged = judge_subjects(
        &run,
        &subjects,
        permission.as_ref(),
        positions,
        plan_label,
        line_offset,
    );
    if run.options.exits_after {
        // Taken back by the exit whole (see `Options::exits_after`).
        std::mem::forget(permission);
        std::mem::forget(run);
        std::mem::forget(subjects);
    }
    judged
}

/// Judges `subjects` in order, on every core; `positions` are the lines of their offsets.
fn judge_subjects(
    run: &Judging,
    subjects: &[Subject],
    permission: Option<&xray_permission::Grants>,
    positions: Vec<(u32, u32, u32)>,
    plan_label: &str,
    line_offset: usize,
) -> Judged {
    let shape = run.shape;
    let plan_label: std::sync::Arc<str> = plan_label.into();
    let mut located = positions.into_iter();
    let locations: Vec<Option<Location>> = subjects
        .iter()
        .map(|subject| {
            subject.offset.map(|_| {
                let (line, column, byte_column) = located.next().expect("one position per offset");
                Location {
                    file: plan_label.clone(),
                    line: line + line_offset as u32,
                    // The offset is the string's first character: name its opening quote.
                    column: Some(column.saturating_sub(1).max(1)),
                    byte_column: Some(byte_column.saturating_sub(1).max(1)),
                }
            })
        })
        .collect();
    let mut judged = Judged {
        shape,
        ..Judged::default()
    };
    for subject in subjects {
        match subject.seen {
            Seen::Untouched => judged.from_prior_state += 1,
            Seen::Deferred { .. } => judged.deferred += 1,
            Seen::Planned | Seen::State | Seen::PlannedOnly => {}
        }
    }
    // Functions are judged independently, on every core, a slice at a time: the findings keep
    // the subjects' order, and no second copy of them is ever held (a million functions).
    const SLICE: usize = 4096;
    let mut locations = locations.into_iter();
    let mut pairs = Vec::with_capacity(SLICE.min(subjects.len()));
    for slice in subjects.chunks(SLICE) {
        let located: Vec<Option<Location>> = locations.by_ref().take(slice.len()).collect();
        slice
            .par_iter()
            .zip(located)
            .map(|(subject, location)| {
                // Read into values only now, and dropped after this function: see `Kept`.
                let values = Values {
                    after: subject.after.value(),
                    after_unknown: subject.after_unknown.value(),
                    after_sensitive: subject.after_sensitive.value(),
                };
                let mut tracing = judge_one(run, subject, &values, run.kind, location);
                if matches!(tracing.verdict, Verdict::Fail | Verdict::Unknown) {
                    tracing.baseline = Some(baseline(subject));
                }
                let permission = match permission {
                    Some(grants) if asks_permission(subject) => {
                        judge_permission(grants, subject, &values, &mut tracing, run.sources)
                    }
                    _ => None,
                };
                (permission, run.options.runs(TRACING.id).then_some(tracing))
            })
            .collect_into_vec(&mut pairs);
        // A function's tracing finding before its permission finding: in a plan without
        // sources the findings then come in their sorted order, and the one sort is one pass.
        for (permission, tracing) in pairs.drain(..) {
            judged.findings.extend(tracing);
            judged.findings.extend(permission);
        }
    }
    judged
}

/// Whether the permission rule judges `subject`: a current object (not deposed) of a judged type
/// that the plan changes or keeps.
fn asks_permission(subject: &Subject) -> bool {
    matches!(subject.seen, Seen::Planned)
        && subject.deposed.is_none()
        && XRAY_PERMISSION.judges(subject.resource_type)
}

/// The permission rule's finding for a function the plan changes or keeps.
/// When the role lacks the permission, the tracing fix of a registry-module function names both
/// inputs: Active alone would break the apply.
fn judge_permission(
    grants: &xray_permission::Grants,
    subject: &Subject,
    values: &Values,
    tracing: &mut Finding,
    sources: Option<&SourceTree>,
) -> Option<Finding> {
    let parsed = address::parse(subject.address)?;
    let modules = match subject.module_address {
        Some(module_address) => address::module_names(module_address)?,
        None => parsed.modules.clone(),
    };
    let (mut finding, failing_role) = grants.judge(
        &xray_permission::Function {
            address: subject.address,
            modules: &modules,
            name: &parsed.name,
            actions: subject.actions,
            after: &values.after,
            after_unknown: &values.after_unknown,
            after_sensitive: &values.after_sensitive,
            tracing_verdict: tracing.verdict,
            tracing_mode: tracing.mode.as_deref(),
        },
        tracing.location.clone(),
    )?;
    // The permission is asked for by the tracing fix: a function left untraced as deployed
    // (`--fail-on new` lets it be) is not made worse by its role either.
    if matches!(finding.verdict, Verdict::Fail | Verdict::Unknown) {
        finding.baseline = Some(tracing.baseline.unwrap_or(Baseline::New));
    }
    if let (Verdict::Fail, Some(fix)) = (finding.verdict, finding.fix.as_mut()) {
        let registry = grants.registry_call(&modules).is_some();
        let edit = sources.filter(|_| registry).and_then(|tree| {
            sources::set_call_argument(tree, &modules, "attach_tracing_policy", "true")
        });
        match edit {
            Some(site) => {
                fix.location = site.location;
                fix.edit = site.edit;
                fix.refusal = site.refusal;
            }
            None if registry => {
                fix.refusal = Some(
                    "the module block that calls the registry module is not in the sources read (pass --source-root)".to_owned(),
                )
            }
            None => {
                let attached = match (sources, &failing_role) {
                    (Some(tree), Some(role)) => {
                        sources::attach_xray_policy(tree, role, &modules, &parsed.name)
                    }
                    (None, _) => Err("the role's resource block is not in the sources read (pass --source-root)".to_owned()),
                    (Some(_), None) => Err("the plan does not say which role to grant: add the grant by hand".to_owned()),
                };
                match attached {
                    Ok(mut attachment) => {
                        if tracing.verdict != Verdict::Pass {
                            attachment.description = format!(
                                "with {}'s fix, also {}",
                                TRACING.id, attachment.description
                            );
                        }
                        **fix = attachment;
                    }
                    Err(reason) => fix.refusal = Some(reason),
                }
            }
        }
    }
    if let (Verdict::Fail, Some(fix), Some(call)) = (
        finding.verdict,
        tracing.fix.as_mut(),
        grants.registry_call(&modules),
    ) {
        fix.description.push_str(&format!(
            ", and set `attach_tracing_policy = true` on {call} so that its role may write to X-Ray ({})",
            XRAY_PERMISSION.id
        ));
    }
    Some(finding)
}

/// Whether the plan makes a failing function new or leaves it as deployed: created or replaced,
/// or updated from Active, is new; updated or unchanged from a mode that was not Active, or left
/// untouched by a partial plan, is existing. A state, a deferred change, or a change without
/// `before` says nothing of what was deployed: new.
fn baseline(subject: &Subject) -> Baseline {
    match subject.seen {
        Seen::Untouched => return Baseline::Existing,
        Seen::Planned => {}
        Seen::State | Seen::Deferred { .. } | Seen::PlannedOnly => return Baseline::New,
    }
    // An import adopts an object this configuration did not manage: not part of its baseline.
    if subject.actions.contains(Actions::CREATE) || subject.deposed.is_some() || subject.importing {
        return Baseline::New;
    }
    let before = subject.before.value();
    if !before.is_object() {
        return Baseline::New;
    }
    let Some(target) = TRACING.target(subject.resource_type) else {
        return Baseline::New;
    };
    let mut value = Some(&before);
    for step in &CompiledPath::for_target(target).steps {
        value = value.and_then(|v| step.apply(v));
    }
    // Only a mode `before` holds, and not Active, is a baseline; a missing one is not.
    match value {
        Some(v) if v.is_string() && !TRACING.passes(v) => Baseline::Existing,
        _ => Baseline::New,
    }
}

/// A subject's kept attributes, read for the time it is judged.
struct Values {
    after: Value,
    after_unknown: Value,
    after_sensitive: Value,
}

static NULL: Kept = Kept::Null;

/// Every function to judge: a state's resources; a plan's changes, its deferred changes, and the
/// functions of its prior state that neither touches (a `-target`, errored or refresh-only plan
/// leaves them as they are).
fn subjects<'r>(
    document: &'r Document,
    kind: DocumentKind,
    text: &[u8],
    shape: PlanShape,
) -> Vec<Subject<'r>> {
    let refresh_only = shape.refresh_only;
    let from_state = |r: &'r StateResource, seen| state_subject(r, seen, text, refresh_only);
    if kind == DocumentKind::State {
        return document
            .values
            .iter()
            .flat_map(|values| values.root_module.judged_resources())
            .map(|r| from_state(r, Seen::State))
            .collect();
    }
    let changes = document.resource_changes.iter().flat_map(|c| c.0.iter());
    let mut subjects: Vec<Subject> = changes
        .map(|rc| change_subject(rc, Seen::Planned, text))
        .collect();
    // One index of the changes' addresses serves both questions below: which prior-state
    // instances the plan leaves untouched (address and deposed key), and which planned_values
    // functions the changes lack (address alone, deferred changes included).
    // Each address, and whether its current instance changes (not only a deposed one).
    let mut changed: HashMap<&str, bool> = HashMap::with_capacity(subjects.len());
    let mut deposed_changed: HashSet<(&str, &str)> = HashSet::new();
    for subject in &subjects {
        let current = changed.entry(subject.address).or_default();
        match subject.deposed {
            None => *current = true,
            Some(key) => {
                deposed_changed.insert((subject.address, key));
            }
        }
    }
    let is_planned = |(address, deposed): (&str, Option<&str>)| match deposed {
        None => changed.get(address).copied().unwrap_or(false),
        Some(key) => deposed_changed.contains(&(address, key)),
    };
    let prior: Vec<&StateResource> = document
        .prior_state
        .iter()
        .flat_map(|values| values.root_module.judged_resources())
        .collect();
    // A deferred `[*]` change comes in a later plan: until then the functions it covers stay as
    // they are, and are judged so.
    let untouched: Vec<&StateResource> = prior
        .iter()
        .copied()
        .filter(|r| !is_planned(state_key(r)))
        .collect();
    for deferred in &document.deferred_changes {
        let pattern = deferred.resource_change.address.as_str();
        let covers = untouched
            .iter()
            .filter(|r| address::covers(pattern, r.address.as_str()))
            .count();
        let seen = Seen::Deferred {
            reason: deferred.reason.as_str(),
            covers,
        };
        let subject = change_subject(&deferred.resource_change, seen, text);
        changed.entry(subject.address).or_default();
        subjects.push(subject);
    }
    // Terraform builds planned_values from the changes alone (jsonplan/values.go,
    // marshalPlannedValues), so a planned function the changes lack was written by hand: it is
    // judged, even beside a prior-state copy of it (both copies must pass; one cannot hide the
    // other).
    let planned_only: Vec<Subject> = document
        .planned_values
        .iter()
        .flat_map(|values| values.root_module.judged_resources())
        .filter(|r| !changed.contains_key(r.address.as_str()))
        .map(|r| from_state(r, Seen::PlannedOnly))
        .collect();
    subjects.extend(planned_only);
    subjects.extend(
        untouched
            .into_iter()
            .map(|r| from_state(r, Seen::Untouched)),
    );
    subjects
}

/// A state resource's identity: its address and deposed key.
fn state_key<'r>(resource: &'r StateResource) -> (&'r str, Option<&'r str>) {
    (
        resource.address.as_str(),
        resource.deposed_key.as_ref().map(|d| d.as_str()),
    )
}

fn state_subject<'r>(
    resource: &'r StateResource,
    seen: Seen<'r>,
    text: &[u8],
    refresh_only: bool,
) -> Subject<'r> {
    Subject {
        address: resource.address.as_str(),
        module_address: None,
        resource_type: resource.resource_type.as_str(),
        deposed: resource.deposed_key.as_ref().map(|d| d.as_str()),
        actions: Actions::default(),
        before: &NULL,
        importing: false,
        after: &resource.values,
        after_unknown: &NULL,
        after_sensitive: &resource.sensitive_values,
        offset: resource
            .address
            .offset_in(text)
            .or_else(|| resource.resource_type.offset_in(text)),
        seen,
        facts_from: match seen {
            Seen::State => "the state",
            Seen::PlannedOnly => "planned_values",
            _ if refresh_only => "the refreshed state",
            _ => "the prior state",
        },
    }
}

fn change_subject<'r>(change: &'r ResourceChange, seen: Seen<'r>, text: &[u8]) -> Subject<'r> {
    Subject {
        address: change.address.as_str(),
        module_address: Some(change.module_address.as_ref().map_or("", |m| m.as_str())),
        resource_type: change.resource_type.as_str(),
        deposed: change.deposed.as_ref().map(|d| d.as_str()),
        actions: change.change.actions,
        before: &change.change.before,
        importing: change.change.importing.is_some(),
        after: &change.change.after,
        after_unknown: &change.change.after_unknown,
        after_sensitive: &change.change.after_sensitive,
        // Addresses with for_each keys hold escapes and cannot borrow; the type sits beside the
        // address in the same entry and never does.
        offset: change
            .address
            .offset_in(text)
            .or_else(|| change.resource_type.offset_in(text)),
        seen,
        facts_from: "the plan",
    }
}

/// What judging one document shares: the document, the options, the plan index the evaluator
/// reads, the configuration index, and the sources' facts of each configured resource, read once
/// however many instances it has.
struct Judging<'d> {
    document: &'d Document<'d>,
    kind: DocumentKind,
    shape: PlanShape,
    options: Options,
    sources: Option<&'d SourceTree>,
    plan_index: PlanIndex<'d>,
    configuration: configuration::Index<'d>,
    /// One cell per configured resource, as `SourceTree` holds parsed directories: the first
    /// thread to ask reads it, the others wait and share the facts.
    source_cache: Mutex<HashMap<SourceKey, Arc<OnceLock<SharedFacts>>>>,
}

/// A configured resource: module call names (no instance keys), type, name, and whether the plan
/// hides its mode.
type SourceKey = (Vec<String>, String, String, bool);

/// What the sources say about one configured resource, shared by its instances.
type SharedFacts = Arc<Result<SourceFacts, Unavailable>>;

impl Judging<'_> {
    fn source_facts(&self, subject: &sources::Subject, hide: bool) -> Option<SharedFacts> {
        let tree = self.sources?;
        let key = (
            subject.modules.to_vec(),
            subject.resource_type.to_owned(),
            subject.name.to_owned(),
            hide,
        );
        let cell = self
            .source_cache
            .lock()
            .expect("not poisoned")
            .entry(key)
            .or_default()
            .clone();
        let facts = cell.get_or_init(|| {
            Arc::new(sources::read(
                tree,
                &self.document.variables,
                &self.plan_index,
                subject,
                hide,
            ))
        });
        Some(facts.clone())
    }
}

fn judge_one(
    run: &Judging,
    subject: &Subject,
    values: &Values,
    kind: DocumentKind,
    plan_location: Option<Location>,
) -> Finding {
    let deposed = subject.deposed.map(shown_deposed_key);
    let mut finding = Finding {
        rule: TRACING.id,
        address: subject.address.to_owned(),
        resource_type: TRACING
            .target(subject.resource_type)
            .expect("the plan reader keeps only judged types")
            .resource_type,
        deposed: deposed.clone(),
        verdict: Verdict::Skipped,
        mode: None,
        actions: subject.actions.names(),
        evidence: Vec::new(),
        fix: None,
        location: plan_location.clone(),
        suppression: None,
        baseline: None,
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
        Seen::PlannedOnly => {
            let why = "planned_values holds it but resource_changes does not, which Terraform never writes: judged from its planned values";
            return judged_as_deployed(run, subject, values, plan_location, finding, why);
        }
        Seen::Untouched => {
            let why = untouched_words(run.shape);
            if run.options.changed_only {
                finding.evidence.push(Evidence::at(
                    format!("{why}; --changed-only judges only create/update/replace"),
                    plan_location,
                ));
                return finding;
            }
            // As it is: judged like a state's function.
            return judged_as_deployed(run, subject, values, plan_location, finding, why);
        }
        Seen::Planned | Seen::State => {}
    }
    if let Some(reason) = skip_reason(subject, kind, &run.options) {
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
    judge_configured(run, subject, values, kind, plan_location, finding)
}

/// Judges a function as it stands (like a state's), with why it is judged so first.
fn judged_as_deployed(
    run: &Judging,
    subject: &Subject,
    values: &Values,
    plan_location: Option<Location>,
    finding: Finding,
    why: &'static str,
) -> Finding {
    let mut judged = judge_configured(
        run,
        subject,
        values,
        DocumentKind::State,
        plan_location,
        finding,
    );
    judged.evidence.insert(0, Evidence::new(why));
    judged
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
            "; it covers {covers} existing instance{} whose key is not known yet, judged as {} until then",
            if covers == 1 { "" } else { "s" },
            if covers == 1 { "it is" } else { "they are" }
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

/// Judges a function the plan (or state) holds as it is configured: facts from the three
/// layers, one decision, evidence rendered from the facts.
fn judge_configured(
    run: &Judging,
    subject: &Subject,
    values: &Values,
    kind: DocumentKind,
    plan_location: Option<Location>,
    mut finding: Finding,
) -> Finding {
    let target = TRACING
        .target(subject.resource_type)
        .expect("the plan reader keeps only judged types");
    let path = CompiledPath::for_target(target);
    let parsed = address::parse(subject.address);
    let modules = match (subject.module_address, &parsed) {
        (Some(module_address), _) => address::module_names(module_address),
        (None, Some(parsed)) => Some(parsed.modules.clone()),
        (None, None) => None,
    };

    let config_address = parsed
        .as_ref()
        .map_or_else(|| subject.address.to_owned(), |p| p.config_address());
    let fact = plan_facts::read(
        path,
        &values.after,
        &values.after_unknown,
        &values.after_sensitive,
    );
    // Where the plan hides the mode, nothing on the way to it is shown either.
    let hide = plan_facts::hides_mode(path, &values.after_sensitive);
    let trace = match (&parsed, &modules) {
        (Some(parsed), Some(modules)) if kind == DocumentKind::Plan => run.configuration.trace(
            &run.document.variables,
            modules,
            subject.resource_type,
            &parsed.name,
            path,
            hide,
        ),
        _ => Trace::not_recorded(),
    };
    let creating = subject.actions.contains(Actions::CREATE);
    let sources = match (&parsed, &modules, kind) {
        (Some(parsed), Some(modules), DocumentKind::Plan) => run.source_facts(
            &sources::Subject {
                modules,
                resource_type: subject.resource_type,
                name: &parsed.name,
                config_address: &config_address,
                target,
                path,
            },
            hide,
        ),
        _ => None,
    };
    let facts = Facts {
        facts_from: subject.facts_from,
        target,
        path,
        config_address: &config_address,
        plan_location,
        creating,
        downloaded_module_fix: modules.as_ref().and_then(|modules| {
            configuration::downloaded_module_fix(run.document.configuration.as_ref(), modules)
        }),
        plan: &fact,
        config: &trace,
        sources: sources.as_deref(),
    };
    let conclusion = decide::decide(&fact, creating, &trace, facts.sources());
    let rendered = evidence::render(&facts, conclusion);
    finding.verdict = rendered.verdict;
    finding.mode = rendered.mode;
    finding.evidence = rendered.evidence;
    finding.fix = rendered.fix.map(Box::new);
    if let Some(location) = rendered.declared_at {
        finding.location = Some(location);
    }
    finding
}

fn skip_reason(subject: &Subject, kind: DocumentKind, options: &Options) -> Option<String> {
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
    if options.changed_only && actions.is(Actions::NO_OP) {
        return Some(
            "unchanged (no-op) and --changed-only judges only create/update/replace".to_owned(),
        );
    }
    None
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

#[cfg(test)]
mod show_value_tests {
    use super::show_value;
    use serde_json::json;

    /// Written only as far as it is shown, a value shows as it would written whole.
    #[test]
    fn a_value_shows_its_start() {
        let long = "é".repeat(500) + "x";
        for value in [
            json!("Active"),
            json!(long),
            json!({"mode": long, "more": [1, 2, 3]}),
            json!("a".repeat(79)),
            json!("a".repeat(78)),
            json!("€".repeat(81)),
            json!("😀".repeat(90)),
        ] {
            assert_eq!(
                show_value(&value, false),
                crate::finding::shorten(value.to_string()),
                "{value}"
            );
        }
        assert_eq!(show_value(&json!(long), true), "(sensitive)");
    }
}
