//! The one decision: typed facts from the plan (layer 1), the configuration (layer 2) and the
//! sources (layer 3) give a `Conclusion`, and the conclusion gives the verdict.
//!
//! The plan is the authority on what is known. The configuration and the sources only make a
//! verdict more precise: they never turn a mode the plan knows into anything else, and they turn
//! the plan's "omitted" into `Unknown` only when the plan itself marks the deciding value unknown
//! (a `dynamic` block's `for_each` over a value the plan leaves unknown).

use super::configuration::{BlockConfig, Origin, Trace};
use super::eval::Val;
use super::plan_facts::ModeFact;
use super::sources::{SourceFacts, SourceMode};
use crate::finding::Verdict;
use crate::rule::TRACING;
use serde_json::Value;

/// What tracing will be after the apply, and how that is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Conclusion {
    /// The plan knows the mode; `passes` when it is the passing value.
    Known { passes: bool },
    /// Nothing sets the mode, so AWS applies PassThrough.
    Omitted(Omission),
    /// Only the apply can tell.
    Unknown(Unknowable),
}

/// How tracegate knows that nothing sets the mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Omission {
    /// The plan sends no block (`[]`, null, absent).
    NoBlock,
    /// The plan sends a block (or awscc object) without a mode.
    BlockWithoutMode,
    /// At create the plan leaves the whole block unknown, which is how an omitted block looks;
    /// nothing tells it from a `dynamic` block (no sources, or sources tracegate cannot evaluate).
    Assumed,
    /// As `Assumed`, and the sources confirm it: no block, or a `dynamic` block over nothing.
    Confirmed,
    /// At create the plan leaves the mode unknown because the configuration leaves it unset (the
    /// framework provider, awscc, plans an unset Optional+Computed attribute as unknown).
    ModeUnset,
}

/// Why only the apply can tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unknowable {
    /// The plan marks the mode unknown.
    Mode,
    /// The plan recomputes the whole block (an update, or a static block in the configuration).
    Block,
    /// The plan leaves the block unknown at create, and the sources show a `dynamic` block whose
    /// `for_each` the plan marks unknown.
    DynamicForEach,
    /// The plan could not plan the resource at all.
    Resource,
    /// The plan says Active and marks it unknown at once.
    Contradiction,
}

impl Conclusion {
    pub fn verdict(self) -> Verdict {
        match self {
            Conclusion::Known { passes: true } => Verdict::Pass,
            Conclusion::Known { passes: false } | Conclusion::Omitted(_) => Verdict::Fail,
            Conclusion::Unknown(_) => Verdict::Unknown,
        }
    }
}

/// Decides from the facts. `creating` when the plan creates the function (or replaces it).
pub fn decide(
    plan: &ModeFact,
    creating: bool,
    config: &Trace,
    sources: Option<&SourceFacts>,
) -> Conclusion {
    let source_mode = sources.map(|s| &s.mode);
    match plan {
        ModeFact::Known { value, .. } => Conclusion::Known {
            passes: TRACING.passes(value),
        },
        ModeFact::NotSet { in_block: true, .. } => Conclusion::Omitted(Omission::BlockWithoutMode),
        ModeFact::NotSet { .. } => Conclusion::Omitted(Omission::NoBlock),
        ModeFact::BlockUnknown if creating && config.block != BlockConfig::Present => {
            match source_mode {
                Some(SourceMode::Omitted | SourceMode::DynamicEmpty { .. }) => {
                    Conclusion::Omitted(Omission::Confirmed)
                }
                // The evaluator says Unknown only for values the plan marks unknown.
                Some(SourceMode::DynamicUnknown { .. }) => {
                    Conclusion::Unknown(Unknowable::DynamicForEach)
                }
                Some(SourceMode::Set {
                    value: Val::Unknown(_) | Val::UnknownString(_),
                    ..
                }) => Conclusion::Unknown(Unknowable::Mode),
                _ => Conclusion::Omitted(Omission::Assumed),
            }
        }
        ModeFact::BlockUnknown => Conclusion::Unknown(Unknowable::Block),
        ModeFact::ModeUnknown { .. } if creating && mode_left_unset(config, source_mode) => {
            Conclusion::Omitted(Omission::ModeUnset)
        }
        ModeFact::ModeUnknown { .. } => Conclusion::Unknown(Unknowable::Mode),
        ModeFact::ResourceUnknown => Conclusion::Unknown(Unknowable::Resource),
        ModeFact::Contradicts { .. } => Conclusion::Unknown(Unknowable::Contradiction),
    }
}

/// Whether the configuration (or the sources) write the block without a mode: a known null.
fn mode_left_unset(config: &Trace, sources: Option<&SourceMode>) -> bool {
    let in_config = matches!(
        &config.origin,
        Some(Origin::Value {
            value: Value::Null,
            ..
        })
    );
    let in_sources = matches!(
        sources,
        Some(
            SourceMode::NoMode { .. }
                | SourceMode::Set {
                    value: Val::Null,
                    ..
                }
        )
    );
    in_config || in_sources
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trace(block: BlockConfig) -> Trace {
        Trace {
            block,
            steps: Vec::new(),
            origin: None,
            fix: None,
        }
    }

    #[test]
    fn sources_never_change_what_the_plan_knows() {
        let known = ModeFact::Known {
            value: Value::from("PassThrough"),
            sensitive: false,
        };
        assert_eq!(
            decide(&known, true, &trace(BlockConfig::Absent), None),
            Conclusion::Known { passes: false }
        );
    }

    #[test]
    fn an_unknown_block_at_create_is_omitted_unless_the_plan_marks_the_for_each() {
        let config = trace(BlockConfig::Absent);
        assert_eq!(
            decide(&ModeFact::BlockUnknown, true, &config, None),
            Conclusion::Omitted(Omission::Assumed)
        );
        assert_eq!(
            decide(&ModeFact::BlockUnknown, false, &config, None),
            Conclusion::Unknown(Unknowable::Block)
        );
    }
}
