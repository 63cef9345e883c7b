//! Reading `terraform show -json` output: input detection, the typed plan model, addresses.

pub mod address;
mod ahead;
pub mod entry;
pub mod error;
pub mod input;
pub mod marks;
pub mod model;
pub mod scan;
pub mod skip;
pub mod utf8_stream;

pub use error::InputError;
pub use input::{with_bytes, with_document, InputSource, Parsed, ReadOptions};
pub use model::Document;

/// What kind of `terraform show -json` document was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DocumentKind {
    Plan,
    State,
}

/// What kind of plan a document is, as far as what the apply leaves: whether it errored, whether
/// Terraform says it is complete, and whether it only refreshes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PlanShape {
    /// `errored: true` (Terraform 1.6+): a partial plan saved after an error; never a pass.
    pub errored: bool,
    /// `complete` as written (Terraform 1.8+); `None` when the plan does not say (older
    /// Terraform, OpenTofu, whose `-target`/`-exclude` plans leave no trace).
    pub complete: Option<bool>,
    /// `-refresh-only`: no `resource_changes`, the refreshed state in `prior_state`.
    pub refresh_only: bool,
}

impl PlanShape {
    pub fn of(document: &Document) -> PlanShape {
        let has_prior_functions = document
            .prior_state
            .as_ref()
            .is_some_and(|values| !values.root_module.judged_resources().is_empty());
        PlanShape {
            errored: document.errored == Some(true),
            complete: document.complete,
            refresh_only: document.resource_changes.is_none()
                && document.errored != Some(true)
                && has_prior_functions,
        }
    }
}

/// The newest plan format this build was written against.
pub const NEWEST_KNOWN_FORMAT: (u32, u32) = (1, 2);

/// Tells a plan from a state from anything else, and checks `format_version`. Returns the kind
/// and any warnings.
pub fn classify(document: &Document) -> Result<(DocumentKind, Vec<String>), InputError> {
    let mut warnings = Vec::new();
    let is_plan = document.resource_changes.is_some()
        || document.prior_state.is_some()
        || document.has_planned_values
        || document.configuration.is_some();
    if is_plan && document.values.is_some() {
        // A state's functions under `values` would be left out of a plan: refuse the mix.
        return Err(InputError::NotPlan {
            found: "a state's `values` beside a plan's keys in one document".to_owned(),
            remedy: "pass the output of `terraform show -json` for one plan or one state"
                .to_owned(),
        });
    }
    let kind = if is_plan {
        DocumentKind::Plan
    } else if document.values.is_some()
        || (document.format_version.is_some() && document.other_keys.is_empty())
    {
        // `terraform show -json` of an empty state is just `{"format_version":"1.0"}`.
        DocumentKind::State
    } else {
        return Err(not_a_plan(document));
    };
    match &document.format_version {
        None => warnings.push(format!(
            "no format_version in the document; reading it as format {}.{}",
            NEWEST_KNOWN_FORMAT.0, NEWEST_KNOWN_FORMAT.1
        )),
        Some(version) => {
            let version = version.as_str();
            match parse_version(version) {
                Some((0, _)) => {}
                Some((1, minor)) if minor <= NEWEST_KNOWN_FORMAT.1 => {}
                Some((1, _)) => warnings.push(format!(
                    "format_version {version} is newer than this tracegate knows ({}.{}); reading it as {}.{}",
                    NEWEST_KNOWN_FORMAT.0, NEWEST_KNOWN_FORMAT.1, NEWEST_KNOWN_FORMAT.0, NEWEST_KNOWN_FORMAT.1
                )),
                _ => {
                    return Err(InputError::UnsupportedFormat {
                        version: version.chars().filter(|c| !c.is_control()).take(20).collect(),
                    })
                }
            }
        }
    }
    Ok((kind, warnings))
}

fn parse_version(version: &str) -> Option<(u32, u32)> {
    let (major, minor) = version.split_once('.')?;
    let minor = minor.split('.').next()?;
    Some((major.parse().ok()?, minor.parse().ok()?))
}

/// Says what the document is instead of a plan, and what to do about it.
fn not_a_plan(document: &Document) -> InputError {
    let keys = &document.other_keys;
    let has = |key: &str| keys.iter().any(|k| k == key);
    let (found, remedy) = if has("AWSTemplateFormatVersion") || has("Resources") {
        (
            "an AWS CloudFormation template".to_owned(),
            "tracegate reads Terraform/OpenTofu plans (`terraform show -json tf.plan`)".to_owned(),
        )
    } else if has("lineage") || has("serial") {
        (
            "a raw Terraform state file (terraform.tfstate)".to_owned(),
            "run `terraform show -json > state.json` to convert it, or judge the plan instead"
                .to_owned(),
        )
    } else if keys.is_empty() {
        (
            "an empty JSON object".to_owned(),
            "run `terraform show -json tf.plan > plan.json` and pass plan.json".to_owned(),
        )
    } else {
        let listed = keys
            .iter()
            .map(|k| format!("\"{}\"", sanitize_key(k)))
            .collect::<Vec<_>>()
            .join(", ");
        (
            format!("an object with keys {listed} and no format_version"),
            format!(
                "if the plan is nested inside, select it with --plan-path (e.g. --plan-path '$.{}'), else pass the output of `terraform show -json`",
                sanitize_key(&keys[0])
            ),
        )
    };
    InputError::NotPlan { found, remedy }
}

/// Keys come from untrusted input: keep them short and printable.
fn sanitize_key(key: &str) -> String {
    key.chars()
        .filter(|c| !c.is_control() && *c != '\'' && *c != '"')
        .take(40)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions() {
        assert_eq!(parse_version("1.2"), Some((1, 2)));
        assert_eq!(parse_version("0.1"), Some((0, 1)));
        assert_eq!(parse_version("1.10.3"), Some((1, 10)));
        assert_eq!(parse_version("x"), None);
    }
}
