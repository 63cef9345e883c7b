//! One run: reads the inputs (in parallel), opens the sources and suppressions once, judges every
//! function, sorts once, and returns the `Outcome` that reports and the gate read.

use crate::config::{self, ConfigFile};
use crate::finding;
use crate::outcome::{
    Diagnostic, FailOn, InputFailure, InputKind, Level, Outcome, PlanResult, PlanScope, Setting,
    UnknownPolicy,
};
use crate::plan::{self, DocumentKind, InputError, InputSource};
use crate::resolve::{self, Options};
use crate::source::SourceTree;
use crate::support::date::Date;
use crate::support::repo;
use crate::suppress;
use anyhow::{bail, Context, Result};
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The one line for a plan that errored.
const ERRORED: &str = "the plan errored: Terraform saved a partial plan after an error, so functions it did not reach may be missing; fix the errors `terraform plan` printed and plan again (the functions it holds are judged, the gate is not decided)";

/// What to judge and how.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// Plan or state files (JSON or binary plans), or `-` for stdin (at most once).
    pub inputs: Vec<String>,
    /// A JSONPath selecting the plan inside an envelope document.
    pub plan_path: Option<String>,
    /// Judge only functions the plan creates, updates or replaces.
    pub changed_only: bool,
    /// Rule ids to run (`--rule`); empty: the rules that are on by default.
    pub rules: Vec<String>,
    /// Rule ids not to run (`--skip-rule`).
    pub skip_rules: Vec<String>,
    pub unknown_policy: UnknownPolicy,
    /// `--fail-on`: every failing function, or only those the plan makes new.
    pub fail_on: FailOn,
    /// The Terraform sources; `None`: the current directory when it holds `.tf` files.
    pub source_root: Option<PathBuf>,
    /// Honour Checkov's, Trivy's and tfsec's skip comments (`foreign_ignores = true`).
    pub foreign_ignores: bool,
    /// The `.tracegate.toml` read for this run; `None`: `run` reads it (`config::find`) for its
    /// `[[ignore]]` entries. Its `[check]` acts only through the options above
    /// (`config::resolve`).
    pub config: Option<Arc<ConfigFile>>,
    /// The effective settings with their origin, for reports (`config::Effective::settings`).
    pub settings: Vec<Setting>,
    /// The process exits once the outcome is reported (the command line): a plan's parsed
    /// document and indexes are then left for the exit to take back instead of being freed one
    /// allocation at a time (~30 ms of one core on a 730 MB plan). Off for a caller that goes on.
    /// Acts on a single input only: several are judged side by side, and each one's memory is
    /// freed once it is judged, so that the peak is not their sum.
    pub exits_after: bool,
}

/// Judges every input of `options`.
///
/// An input that cannot be read is an `InputFailure` in the outcome (the gate is then not
/// decided); the `Err` case is for the run as a whole: a source root that is no directory, a
/// broken `.tracegate.toml`, stdin given twice.
///
/// ```no_run
/// use tracegate::{run, Gate, RunOptions};
///
/// let options = RunOptions {
///     inputs: vec!["plan.json".to_owned()],
///     ..RunOptions::default()
/// };
/// let outcome = run(&options)?;
/// for finding in outcome.findings() {
///     println!("{} {}", finding.verdict, finding.address);
/// }
/// assert_ne!(outcome.gate(), Gate::Error);
/// # Ok::<(), anyhow::Error>(())
/// ```
pub fn run(options: &RunOptions) -> Result<Outcome> {
    let mut outcome = Outcome {
        unknown_policy: options.unknown_policy,
        fail_on: options.fail_on,
        settings: options.settings.clone(),
        ..Outcome::default()
    };
    let skipped = skipped_rules(options)?;
    let sources = open_sources(options.source_root.as_deref(), &mut outcome)?;
    let read;
    let config = match &options.config {
        Some(config) => Some(config.as_ref()),
        None => {
            read = config::find(options.source_root.as_deref()).map_err(anyhow::Error::msg)?;
            read.as_ref()
        }
    };
    let suppressions: &[config::Ignore] = config.map_or(&[], |c| &c.ignores);
    if let Some(note) = settings_note(&outcome.settings) {
        outcome.diagnostics.push(note);
    }
    if options.inputs.iter().filter(|p| *p == "-").count() > 1 {
        bail!("`-` (stdin) can be given only once");
    }
    outcome.source_root = sources.as_ref().map(|tree| {
        let shown = tree.display_path(tree.root());
        if !shown.is_empty() {
            return shown;
        }
        // Outside a repository the root is its own base: name it as given.
        options
            .source_root
            .as_ref()
            .map_or_else(|| ".".to_owned(), |r| r.display().to_string())
    });
    // Inputs are judged in parallel on all cores; the outcome keeps the order they were given.
    let judged: Vec<(InputSource, Result<PlanResult, InputError>)> = options
        .inputs
        .par_iter()
        .map(|arg| {
            let source = InputSource::from_arg(arg);
            let result = judge_input(&source, options, &skipped, sources.as_ref(), suppressions);
            (source, result)
        })
        .collect();
    for (source, result) in judged {
        let given = source.display();
        match result {
            Ok(plan) => {
                outcome
                    .diagnostics
                    .extend(plan.warnings.iter().map(|warning| Diagnostic {
                        level: Level::Warning,
                        input: Some(given.clone()),
                        message: warning.clone(),
                    }));
                if plan.scope.errored {
                    outcome.diagnostics.push(Diagnostic {
                        level: Level::Error,
                        input: Some(given.clone()),
                        message: ERRORED.to_owned(),
                    });
                }
                outcome.plans.push(plan);
            }
            Err(error) => {
                let message = error.to_string();
                outcome.diagnostics.push(Diagnostic {
                    level: Level::Error,
                    input: Some(given),
                    message: message.clone(),
                });
                outcome.errors.push(InputFailure {
                    path: input_label(&source),
                    message,
                });
            }
        }
    }
    Ok(outcome)
}

/// The one stderr line that names the settings `.tracegate.toml` chose (the file comes with
/// the pull request being judged, so none acts silently).
fn settings_note(settings: &[Setting]) -> Option<Diagnostic> {
    let from_file: Vec<String> = settings
        .iter()
        .filter(|s| s.from_file())
        .map(|s| {
            format!(
                "{} ({}{})",
                s.assignment(),
                s.origin,
                if s.weakens { ", weakens the gate" } else { "" }
            )
        })
        .collect();
    let weakened = settings.iter().any(|s| s.from_file() && s.weakens);
    (!from_file.is_empty()).then(|| Diagnostic {
        level: if weakened {
            Level::Weakened
        } else {
            Level::Warning
        },
        input: None,
        message: format!(
            "settings from {}: {}",
            config::CONFIG_FILE,
            from_file.join(", ")
        ),
    })
}

/// The source tree to read, if any: the one asked for, else the current directory when it holds
/// `.tf` files.
fn open_sources(root: Option<&Path>, outcome: &mut Outcome) -> Result<Option<SourceTree>> {
    let Some(root) = root else {
        return Ok(SourceTree::open(Path::new(".")).ok().flatten());
    };
    if !root.is_dir() {
        bail!(
            "--source-root {} is not a directory; pass the directory that holds the .tf files",
            root.display()
        );
    }
    let tree = SourceTree::open(root)
        .with_context(|| format!("cannot read --source-root {}", root.display()))?;
    if tree.is_none() {
        outcome.diagnostics.push(Diagnostic {
            level: Level::Warning,
            input: None,
            message: format!(
                "--source-root {} holds no .tf files; judging from the plan alone",
                root.display()
            ),
        });
    }
    Ok(tree)
}

/// How reports name an input: relative to its repository root when it is in one (so that SARIF
/// and annotations point into the repository), else as given.
fn input_label(source: &InputSource) -> String {
    let InputSource::File(path) = source else {
        return source.display();
    };
    std::fs::canonicalize(path)
        .ok()
        .and_then(|real| {
            let root = repo::root_of(real.parent()?)?;
            Some(repo::slash_relative(&real, root))
        })
        .unwrap_or_else(|| source.display())
}

/// The registered rules `--rule` and `--skip-rule` leave out; an unknown id is an error that
/// lists the known ones.
fn skipped_rules(options: &RunOptions) -> Result<Vec<&'static str>> {
    for id in options.rules.iter().chain(&options.skip_rules) {
        if crate::rule::find(id).is_none() {
            let known: Vec<&str> = crate::rule::ALL.iter().map(|r| r.id).collect();
            bail!(
                "there is no rule {:?}: the rules are {} (see `tracegate rules`)",
                crate::report::escape::visible(id),
                known.join(", ")
            );
        }
    }
    Ok(crate::rule::ALL
        .iter()
        .map(|r| r.id)
        .filter(|id| {
            let named = options.rules.iter().any(|r| r == id);
            let default = crate::rule::find(id).is_some_and(|r| r.on_by_default);
            (if options.rules.is_empty() {
                !default
            } else {
                !named
            }) || options.skip_rules.iter().any(|r| r == id)
        })
        .collect())
}

fn judge_input(
    source: &InputSource,
    options: &RunOptions,
    skipped: &[&'static str],
    sources: Option<&SourceTree>,
    suppressions: &[config::Ignore],
) -> Result<PlanResult, InputError> {
    let label = input_label(source);
    // With several plans, each one's memory goes once it is judged (see `RunOptions::exits_after`).
    let leave_to_exit = options.exits_after && options.inputs.len() == 1;
    let resolve_options = Options {
        changed_only: options.changed_only,
        skipped_rules: skipped.to_vec(),
        exits_after: leave_to_exit,
    };
    let read = plan::ReadOptions {
        plan_path: options.plan_path.as_deref(),
        other_resources: sources.is_some(),
        exits_after: leave_to_exit,
    };
    plan::with_document(source, read, |parsed| {
        let (kind, mut warnings) = plan::classify(&parsed.document)?;
        warnings.splice(0..0, parsed.warnings);
        let judged = resolve::judge(
            &parsed.document,
            kind,
            resolve::PlanText {
                bytes: parsed.text,
                counts: Some(&parsed.counts),
                line_offset: parsed.line_offset,
            },
            &label,
            resolve_options,
            sources,
        );
        let mut findings = judged.findings;
        if options.fail_on == FailOn::New {
            for finding in &mut findings {
                if finding.baseline == Some(finding::Baseline::Existing) {
                    finding.evidence.push(finding::Evidence::new(
                        "already deployed without Active tracing (its mode before this plan): --fail-on new reports it without failing the gate",
                    ));
                }
            }
        }
        suppress::apply(
            &mut findings,
            suppressions,
            options.foreign_ignores,
            sources,
            Date::today(),
        );
        drop_followers_of_suppressed(&mut findings);
        finding::sort(&mut findings);
        if let Some(sources) = sources {
            warnings.extend(
                sources
                    .take_problems()
                    .into_iter()
                    .map(|p| format!("sources: {p}")),
            );
        }
        let shape = judged.shape;
        let scope = match kind {
            DocumentKind::Plan => PlanScope {
                complete: shape.complete,
                errored: shape.errored,
                refresh_only: shape.refresh_only,
                from_prior_state: judged.from_prior_state,
                deferred: judged.deferred,
            },
            DocumentKind::State => PlanScope::default(),
        };
        warnings.extend(scope_warnings(&scope));
        let version = |v: &Option<plan::model::Text<'_>>| v.as_ref().map(|v| v.as_str().to_owned());
        let result = PlanResult {
            path: label.clone(),
            kind: match kind {
                DocumentKind::Plan => InputKind::Plan,
                DocumentKind::State => InputKind::State,
            },
            format_version: version(&parsed.document.format_version),
            terraform_version: version(&parsed.document.terraform_version),
            warnings,
            findings,
            scope,
        };
        if leave_to_exit {
            std::mem::forget(parsed.document);
        }
        Ok(result)
    })?
}

/// Warnings for a plan that does not cover every function the apply leaves.
fn scope_warnings(scope: &PlanScope) -> Vec<String> {
    let mut warnings = Vec::new();
    let plural = |n: usize| if n == 1 { "" } else { "s" };
    let untouched = scope.from_prior_state;
    if scope.refresh_only {
        warnings.push(format!(
            "a refresh-only plan: {untouched} function{} judged from the refreshed state",
            plural(untouched)
        ));
    } else if !scope.errored && (scope.complete == Some(false) || untouched > 0) {
        warnings.push(format!(
            "the plan is incomplete ({}): {untouched} function{} it does not touch judged from prior state",
            match scope.complete {
                Some(false) => "complete: false, e.g. -target",
                _ => "functions of the prior state are not in it, e.g. -target or -exclude",
            },
            plural(untouched)
        ));
    }
    if scope.deferred > 0 {
        warnings.push(format!(
            "{} function change{} deferred to a later plan: unknown until then",
            scope.deferred,
            plural(scope.deferred)
        ));
    }
    warnings
}

/// A finding of a rule that checks another rule's fix goes when that rule's finding of the same
/// function is suppressed: nothing asks the function to change any more.
fn drop_followers_of_suppressed(findings: &mut Vec<finding::Finding>) {
    let suppressed: std::collections::HashSet<(&'static str, String, Option<String>)> = findings
        .iter()
        .filter(|f| f.suppression.is_some())
        .map(|f| (f.rule, f.address.clone(), f.deposed.clone()))
        .collect();
    if suppressed.is_empty() {
        return;
    }
    findings.retain(|f| {
        let rule = crate::rule::ALL[crate::rule::index_of(f.rule)];
        !rule.follows.is_some_and(|followed| {
            suppressed.contains(&(followed, f.address.clone(), f.deposed.clone()))
        })
    });
}
