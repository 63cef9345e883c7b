//! Evidence, rendered from the typed facts and the conclusion: the chain from cause to effect,
//! what the plan shows, the conclusion in words, and the fix. Nothing here decides a verdict, and
//! nothing reads the words it wrote.

use super::configuration::{BlockConfig, Origin, Trace};
use super::decide::{Conclusion, Omission, Unknowable};
use super::eval::Val;
use super::plan_facts::ModeFact;
use super::show_value;
use super::sources::{SourceFacts, SourceMode, Unavailable};
use crate::finding::{Evidence, Fix, Location, Verdict};
use crate::rule::{CompiledPath, Target};

pub const OMITTED: &str = "so no tracing_config is sent and AWS applies PassThrough";
pub const OMITTED_MODE: &str =
    "so tracing_config is sent without a mode and AWS applies PassThrough";
pub const AFTER_APPLY: &str = "so the mode is known only after apply";
const STALE: &str = "the sources and the plan disagree: the plan may be older than the sources (run terraform plan again); the verdict follows the plan, which is what apply will do";

/// One function's facts, as the evidence needs them.
pub struct Facts<'f> {
    /// What the evidence says the facts come from: "the plan", "the prior state", ….
    pub facts_from: &'static str,
    pub target: &'static Target,
    pub path: &'static CompiledPath,
    pub config_address: &'f str,
    pub plan_location: Option<Location>,
    pub creating: bool,
    /// For a function inside a registry or git module: the fix in the calling module block.
    pub downloaded_module_fix: Option<String>,
    pub plan: &'f ModeFact,
    pub config: &'f Trace,
    /// `None` without sources; `Some(Err)` when they tell nothing about this function.
    pub sources: Option<&'f Result<SourceFacts, Unavailable>>,
}

/// A verdict with everything reports show about it.
#[derive(Debug)]
pub struct Rendered {
    pub verdict: Verdict,
    pub mode: Option<String>,
    pub evidence: Vec<Evidence>,
    pub fix: Option<Fix>,
    /// Where the function is declared in the repository, once the sources tell.
    pub declared_at: Option<Location>,
}

impl Facts<'_> {
    pub fn sources(&self) -> Option<&SourceFacts> {
        self.sources.and_then(|s| s.as_ref().ok())
    }

    fn mode_name(&self) -> &str {
        self.path.names.last().expect("paths are never empty")
    }

    fn at(&self, message: String) -> Evidence {
        Evidence::at(message, self.plan_location.clone())
    }

    /// The configuration has no block and the plan updates: the provider keeps the prior value.
    fn kept(&self) -> bool {
        self.config.block == BlockConfig::Absent && !self.creating
    }

    /// The sources set a known mode that the plan does not show: the plan is older than them.
    fn stale(&self) -> bool {
        let Some(SourceMode::Set { value, .. }) = self.sources().map(|s| &s.mode) else {
            return false;
        };
        match self.plan {
            ModeFact::Known { value: planned, .. } => {
                matches!(value, Val::String(mode) if planned.as_str() != Some(mode))
            }
            ModeFact::BlockUnknown => value.is_known(),
            _ => false,
        }
    }
}

/// Renders the finding's evidence and fix for a conclusion.
pub fn render(facts: &Facts, conclusion: Conclusion) -> Rendered {
    let verdict = conclusion.verdict();
    let mut evidence = chain(facts);
    evidence.extend(plan_lines(facts, conclusion));
    evidence.push(Evidence::new(conclusion_words(facts, conclusion)));
    let mode = match facts.plan {
        ModeFact::Known {
            sensitive: false,
            value,
        } => value.as_str().map(str::to_owned),
        _ => None,
    };
    Rendered {
        verdict,
        mode,
        evidence,
        fix: (verdict == Verdict::Fail).then(|| fix(facts, conclusion)),
        declared_at: facts.sources().and_then(|s| s.declared_at.clone()),
    }
}

/// Where the mode comes from, cause to effect: the sources when they tell, else the
/// configuration (for a known mode, only when it ends where the plan does).
fn chain(facts: &Facts) -> Vec<Evidence> {
    if let Some(sources) = facts.sources() {
        let mut chain = sources.chain.clone();
        chain.push(source_mode_line(facts, sources));
        return chain;
    }
    let steps = &facts.config.steps;
    match facts.plan {
        ModeFact::Known { value, .. } => {
            if consistent(facts.config, value) {
                steps.clone()
            } else {
                steps.last().cloned().into_iter().collect()
            }
        }
        ModeFact::NotSet { .. } => Vec::new(),
        ModeFact::BlockUnknown if facts.creating && facts.config.block != BlockConfig::Present => {
            Vec::new()
        }
        _ => steps.clone(),
    }
}

/// Whether the configuration's trace ends at the value the plan has.
fn consistent(config: &Trace, planned: &serde_json::Value) -> bool {
    match &config.origin {
        Some(Origin::Value { value, .. }) => value == planned,
        Some(Origin::Open { .. }) => true,
        None => false,
    }
}

fn source_mode_line(facts: &Facts, sources: &SourceFacts) -> Evidence {
    let (block, key) = facts.path.block_and_mode();
    let address = facts.config_address;
    match &sources.mode {
        SourceMode::Set {
            value,
            text,
            literal,
            location,
            ..
        } => {
            let hide = sources.sensitive
                || matches!(
                    facts.plan,
                    ModeFact::Known {
                        sensitive: true,
                        ..
                    }
                );
            let shown = if *literal && value.is_known() {
                String::new()
            } else {
                format!(", which is {}", value.shown(hide))
            };
            Evidence::at(
                format!("{address} sets {key} = {text}{shown}"),
                Some(location.clone()),
            )
        }
        SourceMode::NoMode { location } => Evidence::at(
            format!("the {block} block sets no {key}"),
            Some(location.clone()),
        ),
        SourceMode::DynamicEmpty { text, location, .. } => Evidence::at(
            format!("dynamic \"{block}\" has for_each = {text}, which is empty"),
            Some(location.clone()),
        ),
        SourceMode::DynamicUnknown {
            text,
            reason,
            location,
        } => Evidence::at(
            format!("dynamic \"{block}\" has for_each = {text}, not known before apply: {reason}"),
            Some(location.clone()),
        ),
        SourceMode::DynamicUndecided {
            text,
            reason,
            location,
        } => Evidence::at(
            format!("dynamic \"{block}\" has for_each = {text}, which tracegate does not evaluate: {reason}"),
            Some(location.clone()),
        ),
        SourceMode::Omitted => Evidence::at(
            format!("{address} has no {block} block"),
            Some(sources.header.clone()),
        ),
    }
}

/// What the plan shows, at its location, and notes on how the sources bear on it.
fn plan_lines(facts: &Facts, conclusion: Conclusion) -> Vec<Evidence> {
    let source = facts.facts_from;
    let mode_name = facts.mode_name();
    let mut lines = Vec::new();
    match facts.plan {
        ModeFact::Known { value, sensitive } => {
            if facts.kept() {
                lines.push(Evidence::new(format!(
                    "the configuration of {} has no tracing_config block, so the provider keeps the current mode (removing the block does not change tracing)",
                    facts.config_address
                )));
            }
            lines.push(facts.at(format!(
                "{source} has {mode_name} = {}",
                show_value(value, *sensitive)
            )));
        }
        ModeFact::NotSet { shape, .. } => lines.push(facts.at(format!("{source} has {shape}"))),
        ModeFact::BlockUnknown => match conclusion {
            Conclusion::Unknown(Unknowable::Block) => lines.push(facts.at(format!(
                "{source} computes all of tracing_config during apply (a dynamic block whose for_each is unknown until then)"
            ))),
            _ => {
                lines.push(facts.at(format!(
                    "{source} leaves all of tracing_config unknown until apply, which is how an omitted block looks at create"
                )));
                if conclusion == Conclusion::Omitted(Omission::Assumed) {
                    lines.push(Evidence::new(assumption_words(facts)));
                }
            }
        },
        ModeFact::ModeUnknown { at } => lines.push(facts.at(match conclusion {
            Conclusion::Omitted(Omission::ModeUnset) => format!(
                "{source} has {at} computed during apply because the configuration leaves it unset"
            ),
            _ => format!("{source} has {at} computed during apply"),
        })),
        ModeFact::ResourceUnknown => lines.push(facts.at(format!(
            "{source} leaves the whole resource unknown until apply (after_unknown = true): the provider could not plan it"
        ))),
        ModeFact::Contradicts { value, at } => lines.push(facts.at(format!(
            "{source} has {mode_name} = {} but also marks {at} unknown until apply, which Terraform never writes: not taken as a pass",
            show_value(value, false)
        ))),
    }
    if let Some(Err(unavailable)) = facts.sources {
        lines.push(Evidence::new(unavailable_words(unavailable)));
    }
    if let Some(ignored) = facts.sources().and_then(|s| s.ignore_changes.as_ref()) {
        lines.push(Evidence::at(
            "lifecycle.ignore_changes lists tracing_config: Terraform keeps the deployed mode, whatever the configuration sets",
            Some(ignored.location.clone()),
        ));
    } else if facts.stale() {
        lines.push(Evidence::new(STALE));
    }
    lines
}

/// Why the verdict rests on the plan's assumption that the block is omitted.
fn assumption_words(facts: &Facts) -> String {
    if facts.sources().is_some() {
        return "the sources do not tell an omitted block from a dynamic one here; the verdict rests on the plan, which shows no block at create".to_owned();
    }
    match facts.config.block {
        BlockConfig::Absent => format!(
            "the configuration of {} sets no static tracing_config block; assumed omitted (a dynamic block whose for_each is unknown would look the same: --source-root tells them apart)",
            facts.config_address
        ),
        _ => "the plan records no configuration for it; assumed omitted (--source-root tells an omitted block from a dynamic one)".to_owned(),
    }
}

fn unavailable_words(unavailable: &Unavailable) -> String {
    match unavailable {
        Unavailable::Module(reason) => format!(
            "the module sources are not available ({reason}); the verdict rests on the plan"
        ),
        Unavailable::NoBlock {
            resource_type,
            name,
            module,
            problem,
        } => {
            let mut note = format!(
                "no resource \"{resource_type}\" \"{name}\" block in the sources of {module}"
            );
            if let Some(problem) = problem {
                note.push_str(&format!(" ({problem})"));
            }
            note
        }
    }
}

fn conclusion_words(facts: &Facts, conclusion: Conclusion) -> String {
    match conclusion {
        Conclusion::Known { passes: true } => {
            "Active: Lambda asks X-Ray to sample requests even when no tracing header arrives"
                .to_owned()
        }
        Conclusion::Known { passes: false } => match facts.plan {
            ModeFact::Known { value, .. } if value.as_str() == Some("PassThrough") => {
                "PassThrough: Lambda traces only requests that arrive with a sampled tracing header"
                    .to_owned()
            }
            ModeFact::Known { value, sensitive } => {
                format!("{} is not \"Active\"", show_value(value, *sensitive))
            }
            _ => unreachable!("a known conclusion comes from a known mode"),
        },
        Conclusion::Omitted(Omission::BlockWithoutMode | Omission::ModeUnset) => {
            OMITTED_MODE.to_owned()
        }
        Conclusion::Omitted(_) => OMITTED.to_owned(),
        Conclusion::Unknown(Unknowable::DynamicForEach) => {
            "whether the block is sent is known only after apply".to_owned()
        }
        Conclusion::Unknown(Unknowable::Mode) => {
            let from_sources = match facts.sources().map(|s| &s.mode) {
                Some(SourceMode::Set {
                    value: Val::Unknown(reason) | Val::UnknownString(reason),
                    ..
                }) => Some(format!("{reason}: {AFTER_APPLY}")),
                _ => None,
            };
            let from_config = match &facts.config.origin {
                Some(Origin::Open { depends_on }) => Some(format!(
                    "it depends on {depends_on}, known only after apply"
                )),
                _ => None,
            };
            from_sources
                .or(from_config)
                .unwrap_or_else(|| AFTER_APPLY.to_owned())
        }
        Conclusion::Unknown(_) => AFTER_APPLY.to_owned(),
    }
}

/// The one change that makes a failing function pass.
fn fix(facts: &Facts, conclusion: Conclusion) -> Fix {
    let sources = facts.sources();
    if let Some(ignored) = sources.and_then(|s| s.ignore_changes.as_ref()) {
        return ignored.fix.clone();
    }
    if facts.stale() && facts.plan == &ModeFact::BlockUnknown {
        return words(
            "run terraform plan again and judge the new plan: the sources already set the mode"
                .to_owned(),
        );
    }
    let value_fix = sources.and_then(|s| s.value_fix.clone());
    let block_fix =
        || match sources {
            Some(sources) => sources.block_fix.clone(),
            None => words(facts.downloaded_module_fix.clone().unwrap_or_else(|| {
                super::add_block_description(facts.target, facts.config_address)
            })),
        };
    let set_mode = || {
        facts.config.fix.clone().map(words).unwrap_or_else(|| {
            words(format!(
                "set {} = \"Active\" in {}",
                facts.mode_name(),
                facts.config_address
            ))
        })
    };
    match conclusion {
        Conclusion::Known { .. } if facts.kept() => value_fix.unwrap_or_else(block_fix),
        Conclusion::Known { .. } => {
            let traced = match facts.plan {
                ModeFact::Known { value, .. } => consistent(facts.config, value),
                _ => false,
            };
            value_fix
                .or_else(|| facts.config.fix.clone().filter(|_| traced).map(words))
                .unwrap_or_else(|| {
                    words(format!(
                        "make {} of {} \"Active\"",
                        facts.mode_name(),
                        facts.config_address
                    ))
                })
        }
        Conclusion::Omitted(Omission::BlockWithoutMode | Omission::ModeUnset) => {
            value_fix.unwrap_or_else(set_mode)
        }
        Conclusion::Omitted(_) | Conclusion::Unknown(_) => value_fix.unwrap_or_else(block_fix),
    }
}

fn words(description: String) -> Fix {
    Fix {
        description,
        location: None,
        edit: None,
        refusal: None,
        more_edits: Vec::new(),
    }
}
