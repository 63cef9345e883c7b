//! The format-neutral result of judging one function. Every report reads only `&[Finding]`.

use serde::Serialize;
use sha2::{Digest, Sha256};
use std::borrow::Cow;
use std::cmp::Ordering;
use std::fmt;
use std::sync::Arc;

/// The outcome for one function under one rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Fail,
    Unknown,
    /// Passes with a hazard to report (a grant that may arrive after the function): a warning,
    /// never a gate failure.
    Warn,
    Pass,
    Skipped,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Fail => "fail",
            Verdict::Unknown => "unknown",
            Verdict::Warn => "warn",
            Verdict::Skipped => "skipped",
        }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Values shown in evidence are cut to this many characters.
pub const SHOWN_CHARS: usize = 80;

/// Cuts a value or expression for evidence, marking the cut with an ellipsis.
pub fn shorten(text: String) -> String {
    if text.chars().count() > SHOWN_CHARS {
        format!(
            "{}…",
            text.chars().take(SHOWN_CHARS - 1).collect::<String>()
        )
    } else {
        text
    }
}

/// A place in a file: the plan itself, or (with sources) a `.tf` file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Location {
    /// Path as given on the command line for plans; relative to the repository for sources.
    /// Shared: every finding of a plan names the same file.
    pub file: Arc<str>,
    /// 1-based line.
    pub line: u32,
    /// 1-based column in bytes, where known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<u32>,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.column {
            Some(column) => write!(f, "{}:{}:{}", self.file, self.line, column),
            None => write!(f, "{}:{}", self.file, self.line),
        }
    }
}

/// One step of the reasoning that decided a verdict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Evidence {
    /// Most steps are fixed sentences: those are borrowed, not copied into every finding.
    pub message: Cow<'static, str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
}

impl Evidence {
    pub fn new(message: impl Into<Cow<'static, str>>) -> Self {
        Evidence {
            message: message.into(),
            location: None,
        }
    }

    pub fn at(message: impl Into<Cow<'static, str>>, location: Option<Location>) -> Self {
        Evidence {
            message: message.into(),
            location,
        }
    }
}

/// What a person should change to make the function pass.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Fix {
    /// What to do, in one sentence.
    pub description: String,
    /// The one place to edit, when the sources are known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
    /// The literal edit at that place, when one is known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub edit: Option<Edit>,
    /// Why there is no edit although the place is known (a computed expression, a list
    /// element, a value set outside the sources): what `tracegate fix` lists instead of guessing.
    /// Not part of the JSON contract.
    #[serde(skip)]
    pub refusal: Option<String>,
}

/// A text edit: replace `start..end` with `text` (an insertion when they are equal).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Edit {
    pub start: Location,
    pub end: Location,
    pub text: String,
    /// `start` and `end`'s columns in UTF-8 bytes (1-based), as reviewdog counts them: on a
    /// line with a multi-byte character before the edit, a character column would make a
    /// suggestion replace other text. Not part of the JSON contract.
    #[serde(skip)]
    pub byte_columns: [u32; 2],
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub rule: &'static str,
    pub address: String,
    #[serde(rename = "type")]
    pub resource_type: &'static str,
    /// The deposed key, for a deposed object (a leftover of an interrupted replace that shares
    /// the address of the current object).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deposed: Option<String>,
    pub verdict: Verdict,
    /// The tracing mode after apply, when the plan knows it.
    pub mode: Option<String>,
    pub actions: &'static [&'static str],
    pub evidence: Vec<Evidence>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<Box<Fix>>,
    /// Where the function is declared: its `.tf` block in the repository when the sources are
    /// known (for a downloaded module, the module block that calls it), else its plan entry.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
    /// Set when an ignore comment or `.tracegate.toml` entry suppresses the finding; the verdict
    /// is then `skipped`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suppression: Option<Box<Suppression>>,
    /// For a tracing finding that fails or is unknown: whether this plan makes the function
    /// worse (`new`: created, replaced, or updated from Active) or leaves it as deployed
    /// (`existing`), read from the plan's `change.before`. What `--fail-on new` keys on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline: Option<Baseline>,
    pub fingerprint: Fingerprint,
}

/// Whether a finding is new with this plan or was deployed before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Baseline {
    New,
    Existing,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum SuppressionKind {
    /// An ignore comment in the sources.
    InSource,
    /// An entry of `.tracegate.toml`.
    External,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Suppression {
    pub kind: SuppressionKind,
    pub justification: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
    /// The verdict the finding had before it was suppressed.
    pub suppressed_verdict: Verdict,
}

impl Finding {
    /// The location reports anchor the finding to: the fix site, else the first located evidence.
    pub fn primary_location(&self) -> Option<&Location> {
        self.fix
            .as_ref()
            .and_then(|fix| fix.location.as_ref())
            .or(self.location.as_ref())
            .or_else(|| self.evidence.iter().find_map(|step| step.location.as_ref()))
    }

    /// The function as reports name it: its address, and for a deposed object its key too.
    pub fn display_name(&self) -> String {
        match &self.deposed {
            Some(key) => format!("{} (deposed {key})", self.address),
            None => self.address.clone(),
        }
    }

    /// The verdict that decides what reports show: a suppressed finding keeps its own.
    pub fn effective_verdict(&self) -> Verdict {
        self.suppression
            .as_ref()
            .map_or(self.verdict, |s| s.suppressed_verdict)
    }
}

/// A SHA-256 identity, held as bytes (a million findings would otherwise hold a million
/// 64-character strings) and written as lowercase hex.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Fingerprint(pub [u8; 32]);

impl Fingerprint {
    pub fn hex(&self) -> String {
        crate::support::hex::lower(&self.0)
    }
}

impl fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.hex())
    }
}

impl Serialize for Fingerprint {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.hex())
    }
}

/// A stable identity for alerts: rule, address and (for a deposed object) its key only, so it
/// survives line moves and edits, and a deposed object never merges with the current one.
pub fn fingerprint(rule: &str, address: &str, deposed: Option<&str>) -> Fingerprint {
    let mut hasher = Sha256::new();
    hasher.update(rule.as_bytes());
    hasher.update([0]);
    hasher.update(address.as_bytes());
    if let Some(key) = deposed {
        hasher.update([0]);
        hasher.update(b"deposed ");
        hasher.update(key.as_bytes());
    }
    Fingerprint(hasher.finalize().into())
}

/// The one order every report sees: by primary file, line, then address. Rule, address and
/// deposed key identify a finding, so the order is total and an unstable sort (no buffer of
/// half the findings) gives the same result.
pub fn sort(findings: &mut [Finding]) {
    findings.sort_unstable_by(compare);
}

fn compare(a: &Finding, b: &Finding) -> Ordering {
    // Location orders by file, line, column (field order).
    a.primary_location()
        .cmp(&b.primary_location())
        .then_with(|| a.address.cmp(&b.address))
        .then_with(|| a.deposed.cmp(&b.deposed))
        .then_with(|| a.rule.cmp(b.rule))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprint_depends_on_rule_and_address_only() {
        let a = fingerprint("D9.AWS.OPE.07", "aws_lambda_function.a", None);
        assert_eq!(a.hex().len(), 64);
        assert_eq!(
            a,
            fingerprint("D9.AWS.OPE.07", "aws_lambda_function.a", None)
        );
        assert_ne!(
            a,
            fingerprint("D9.AWS.OPE.07", "aws_lambda_function.b", None)
        );
        // The separator keeps "ab"+"c" apart from "a"+"bc".
        assert_ne!(fingerprint("ab", "c", None), fingerprint("a", "bc", None));
        // A deposed object has an identity of its own.
        let deposed = fingerprint("D9.AWS.OPE.07", "aws_lambda_function.a", Some("38f09458"));
        assert_ne!(a, deposed);
    }
}
