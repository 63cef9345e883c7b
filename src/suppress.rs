//! Suppressions: an ignore comment on or directly above the resource (or module call) header, or
//! an entry in `.tracegate.toml` at the source root. An ignore comment counts only when it is a
//! real HCL comment (hcl-edit's trivia around the block: the lines before its header, or the rest
//! of the header line after `{`), never marker text inside a string, and only in a file of the
//! repository that Terraform reads: not in a downloaded module under `.terraform/`, not in a
//! JSON file (JSON has no comments), not in an ignored name (those are never read). A suppressed finding becomes `skipped`, keeps
//! its verdict in `suppression`, and does not fail the gate. A suppression needs a reason; an
//! expired one stops suppressing and says so.

use crate::finding::{Evidence, Finding, Location, Suppression, SuppressionKind, Verdict};
use crate::plan::address;
use crate::source::module::Found;
use crate::source::SourceTree;
use crate::support::line_index::LineIndex;
use hcl_edit::structure::Block;
use hcl_edit::{Decorate, Span};
use serde::Deserialize;
use std::path::{Path, PathBuf};

pub const CONFIG_FILE: &str = ".tracegate.toml";
const MAX_CONFIG_BYTES: u64 = 1 << 20;
const MARKER: &str = "tracegate:ignore[";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    #[serde(default)]
    ignore: Vec<Entry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    address: toml::Spanned<String>,
    #[serde(default)]
    rule: Option<String>,
    #[serde(default)]
    reason: Option<String>,
    #[serde(default)]
    expires: Option<toml::value::Datetime>,
}

/// The `.tracegate.toml` entries, with where each sits.
#[derive(Debug, Default)]
pub struct Config {
    entries: Vec<(Entry, Location)>,
}

/// A calendar date, for `expires`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date {
    pub year: i64,
    pub month: u32,
    pub day: u32,
}

impl Date {
    /// Today in UTC, from the system clock.
    pub fn today() -> Date {
        let seconds = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        Date::from_days((seconds / 86_400) as i64)
    }

    /// Howard Hinnant's civil-from-days: days since 1970-01-01 to a Gregorian date.
    fn from_days(days: i64) -> Date {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let year = yoe + era * 400 + i64::from(month <= 2);
        Date { year, month, day }
    }
}

impl std::fmt::Display for Date {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl Config {
    /// Reads `.tracegate.toml` in `dir`, if there is one. `display` names it in reports.
    pub fn load(dir: &Path, display: impl Fn(&Path) -> String) -> Result<Config, String> {
        let path: PathBuf = dir.join(CONFIG_FILE);
        if std::fs::symlink_metadata(&path).is_err() {
            return Ok(Config::default());
        }
        // Only a regular file inside the directory, of sane size: the sources are untrusted.
        let inside = std::fs::canonicalize(&path)
            .ok()
            .filter(|real| std::fs::canonicalize(dir).is_ok_and(|dir| real.starts_with(dir)));
        let Some(real) = inside else {
            return Err(format!(
                "{} leads outside its directory; it is not read",
                display(&path)
            ));
        };
        match std::fs::metadata(&real) {
            Ok(meta) if meta.is_file() && meta.len() <= MAX_CONFIG_BYTES => {}
            _ => {
                return Err(format!(
                    "{} is not a regular file of at most 1 MiB; it is not read",
                    display(&path)
                ))
            }
        }
        // Read through the one safe reader: the handle is checked again (a file swapped for a
        // FIFO after the check is not read) and the read is bounded.
        let parent = real.parent().unwrap_or(&real).to_path_buf();
        let text =
            crate::source::files::read_regular(&parent, &real, MAX_CONFIG_BYTES, &display(&path))
                .map_err(|e| format!("cannot read {e}"))?
                .text;
        let file: ConfigFile =
            toml::from_str(&text).map_err(|e| invalid(&display(&path), &text, &e))?;
        let shown = display(&path);
        let index = LineIndex::new(text.as_bytes());
        let mut entries = Vec::new();
        for entry in file.ignore {
            let (line, _) = index.position(text.as_bytes(), entry.address.span().start);
            if let Some(expires) = &entry.expires {
                // A bare time has no date (it would never expire); a time part is not a date.
                if expires.date.is_none() || expires.time.is_some() || expires.offset.is_some() {
                    return Err(format!(
                        "{shown}:{line}: the entry for {} has expires = {expires}, which is not a date: write expires = YYYY-MM-DD",
                        entry.address.get_ref()
                    ));
                }
            }
            let location = Location {
                file: shown.as_str().into(),
                line,
                column: None,
                byte_column: None,
            };
            entries.push((entry, location));
        }
        Ok(Config { entries })
    }
}

/// Characters that show nothing: format characters (Unicode category Cf, such as U+200B, U+2060,
/// U+FEFF), variation selectors and blank fillers.
fn invisible(c: char) -> bool {
    c.is_whitespace()
        || c.is_control()
        || matches!(c as u32,
            0xAD | 0x34F | 0x61C | 0x115F | 0x1160 | 0x17B4 | 0x17B5 | 0x180B..=0x180F
            | 0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x206F | 0x2800 | 0x3164
            | 0xFE00..=0xFE0F | 0xFEFF | 0xFFA0 | 0xFFF0..=0xFFFB | 0x600..=0x605 | 0x6DD
            | 0x70F | 0x890 | 0x891 | 0x8E2 | 0x110BD | 0x110CD | 0x13430..=0x1343F
            | 0x1BCA0..=0x1BCA3 | 0x1D173..=0x1D17A | 0xE0000..=0xE0FFF)
}

/// A reason counts only when it has something visible in it.
fn visible(reason: &str) -> bool {
    reason.chars().any(|c| !invisible(c))
}

/// `*` matches any run of characters, `?` any one.
fn glob(pattern: &str, text: &str) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = (pattern.chars().collect(), text.chars().collect());
    let (mut pi, mut ti) = (0, 0);
    let (mut star, mut mark) = (None, 0);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

/// An ignore comment on a line: `Some(reason)` when it names `rule` (the reason may be empty).
fn ignore_comment(line: &str, rule: &str) -> Option<String> {
    let at = line.find(MARKER)?;
    let before = line[..at].trim_end();
    if !(before.ends_with('#') || before.ends_with("//") || before.ends_with("/*")) {
        return None;
    }
    let rest = &line[at + MARKER.len()..];
    let (rules, reason) = rest.split_once(']')?;
    let names_rule = rules
        .split(',')
        .map(str::trim)
        .any(|r| r == rule || r == "*");
    names_rule.then(|| {
        reason
            .trim()
            .trim_start_matches([':', '-', '—'])
            .trim_end_matches("*/")
            .trim()
            .to_owned()
    })
}

fn suppress(
    finding: &mut Finding,
    kind: SuppressionKind,
    justification: String,
    location: Location,
    how: &str,
) {
    finding.evidence.push(Evidence::at(
        format!("suppressed by {how}: {justification}"),
        Some(location.clone()),
    ));
    finding.suppression = Some(Box::new(Suppression {
        kind,
        justification,
        location: Some(location),
        suppressed_verdict: finding.verdict,
    }));
    finding.verdict = Verdict::Skipped;
    finding.fix = None;
}

/// The comments around a block's header that may suppress it, with their lines: the trivia
/// before the header on its own line, the line directly above when it is a comment line, and
/// the rest of the header line after `{`. All of it is hcl-edit's decor (whitespace and comments
/// only), so marker text inside a string never shows up here.
fn block_comments(found: Found<Block>) -> Vec<(Location, String)> {
    let file = found.file;
    if file.downloaded || file.is_json() {
        return Vec::new();
    }
    let Some(span) = found.item.span() else {
        return Vec::new();
    };
    let header = found.header();
    let at = |line: u32| Location {
        file: header.file.clone(),
        line,
        column: None,
        byte_column: None,
    };
    let mut out = Vec::new();
    if let Some(before) = found.item.decor().prefix() {
        let before: &str = before;
        // The decor is the text just before the block (checked, not assumed).
        let start = span.start.saturating_sub(before.len());
        if file.text.get(start..span.start) == Some(before) {
            let mut lines = before.rsplit('\n');
            if let Some(same) = lines.next() {
                out.push((at(header.line), same.to_owned()));
            }
            if let Some(above) = lines.next() {
                if above.trim_start().starts_with(['#', '/']) {
                    out.push((at(header.line.saturating_sub(1)), above.to_owned()));
                }
            }
        }
    }
    // A one-line block (`{ … }` on the header line) has no such decor: its text is not trivia.
    if let Some(after) = found.item.body.decor().prefix() {
        let after: &str = after;
        out.push((at(header.line), after.to_owned()));
    }
    out
}

/// Comments that count for a finding: at the resource's header and at each module call's on its
/// path.
fn comments(finding: &Finding, sources: &SourceTree) -> Vec<(Location, String)> {
    let Some(parsed) = address::parse(&finding.address) else {
        return Vec::new();
    };
    if parsed.modules.len() > crate::source::MAX_MODULE_DEPTH {
        return Vec::new();
    }
    let mut out = Vec::new();
    if let Ok(module) = sources.module(&parsed.modules).as_ref() {
        if let Some(resource) = module.resource(&parsed.resource_type, &parsed.name) {
            out.extend(block_comments(resource));
        }
    }
    for depth in 1..=parsed.modules.len() {
        if let Ok(parent) = sources.module(&parsed.modules[..depth - 1]).as_ref() {
            if let Some(call) = parent.module_call(&parsed.modules[depth - 1]) {
                out.extend(block_comments(call));
            }
        }
    }
    out
}

/// Applies suppressions to judged findings. Only failing and unknown findings are suppressed.
pub fn apply(findings: &mut [Finding], config: &Config, sources: Option<&SourceTree>, today: Date) {
    for finding in findings.iter_mut() {
        if !matches!(finding.verdict, Verdict::Fail | Verdict::Unknown) {
            continue;
        }
        if let Some(sources) = sources {
            let mut suppressed = false;
            for (at, text) in comments(finding, sources) {
                let Some(reason) = ignore_comment(&text, finding.rule) else {
                    continue;
                };
                if !visible(&reason) {
                    finding.evidence.push(Evidence::at(
                        format!("the ignore comment has no reason, so it does not suppress: write `# {MARKER}{}] why`", finding.rule),
                        Some(at),
                    ));
                    continue;
                }
                suppress(
                    finding,
                    SuppressionKind::InSource,
                    reason,
                    at,
                    "an ignore comment",
                );
                suppressed = true;
                break;
            }
            if suppressed {
                continue;
            }
        }
        for (entry, location) in &config.entries {
            if entry.rule.as_deref().is_some_and(|r| r != finding.rule)
                || !glob(entry.address.get_ref(), &finding.address)
            {
                continue;
            }
            let reason = entry.reason.as_deref().map(str::trim).unwrap_or("");
            if !visible(reason) {
                finding.evidence.push(Evidence::at(
                    format!(
                        "the {CONFIG_FILE} entry for {} has no reason, so it does not suppress",
                        entry.address.get_ref()
                    ),
                    Some(location.clone()),
                ));
                continue;
            }
            if let Some(expires) = entry.expires.as_ref().and_then(|d| d.date) {
                let expires = Date {
                    year: i64::from(expires.year),
                    month: u32::from(expires.month),
                    day: u32::from(expires.day),
                };
                if today > expires {
                    finding.evidence.push(Evidence::at(
                        format!("the {CONFIG_FILE} entry for {} expired on {expires} and no longer suppresses", entry.address.get_ref()),
                        Some(location.clone()),
                    ));
                    continue;
                }
            }
            suppress(
                finding,
                SuppressionKind::External,
                reason.to_owned(),
                location.clone(),
                CONFIG_FILE,
            );
            break;
        }
    }
}

/// A `.tracegate.toml` error in one line: where (`file:line:column`), which key (the one on that
/// line, when the error points at a value) and why, in toml's words.
fn invalid(shown: &str, text: &str, error: &toml::de::Error) -> String {
    let reason = error.message().trim().replace('\n', " ");
    let Some(span) = error.span() else {
        return format!("{shown} is invalid: {reason}");
    };
    let start = span.start.min(text.len());
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let line = text[..start].matches('\n').count() + 1;
    let column = text[line_start..start].chars().count() + 1;
    let before = &text[line_start..start];
    let key = before
        .split_once('=')
        .map(|(key, _)| key.trim())
        .filter(|key| !key.is_empty() && !reason.contains(&format!("`{key}`")));
    match key {
        Some(key) => format!("{shown}:{line}:{column} is invalid: key `{key}`: {reason}"),
        None => format!("{shown}:{line}:{column} is invalid: {reason}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(glob(
            "module.legacy.aws_lambda_function.*",
            "module.legacy.aws_lambda_function.f[\"a\"]"
        ));
        assert!(glob("*", "anything"));
        assert!(glob("a?c", "abc"));
        assert!(!glob(
            "module.legacy.*",
            "module.other.aws_lambda_function.f"
        ));
        assert!(glob("*.this[0]", "module.x.aws_lambda_function.this[0]"));
    }

    #[test]
    fn comments() {
        assert_eq!(
            ignore_comment(
                "# tracegate:ignore[D9.AWS.OPE.07] legacy, retiring in Q1",
                "D9.AWS.OPE.07"
            )
            .as_deref(),
            Some("legacy, retiring in Q1")
        );
        assert_eq!(
            ignore_comment(
                "resource \"a\" \"b\" { // tracegate:ignore[X, D9.AWS.OPE.07]: why",
                "D9.AWS.OPE.07"
            )
            .as_deref(),
            Some("why")
        );
        assert_eq!(
            ignore_comment("# tracegate:ignore[D9.AWS.OPE.07]", "D9.AWS.OPE.07").as_deref(),
            Some("")
        );
        assert_eq!(
            ignore_comment("# tracegate:ignore[OTHER] reason", "D9.AWS.OPE.07"),
            None
        );
        assert_eq!(
            ignore_comment(
                "name = \"tracegate:ignore[D9.AWS.OPE.07] x\"",
                "D9.AWS.OPE.07"
            ),
            None
        );
    }

    #[test]
    fn invisible_reasons() {
        assert!(visible("legacy"));
        assert!(!visible(" \t "));
        assert!(!visible("\u{200B}\u{2060}\u{FEFF}"));
        assert!(!visible("\u{200D} \u{00AD}"));
    }

    #[test]
    fn dates() {
        assert_eq!(Date::from_days(0).to_string(), "1970-01-01");
        assert_eq!(Date::from_days(20_782).to_string(), "2026-11-25");
        assert_eq!(Date::from_days(11_016).to_string(), "2000-02-29");
    }
}
