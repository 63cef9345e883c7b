//! Suppressions: an ignore comment on or directly above the resource (or module call) header, or
//! an entry in `.tracegate.toml` at the source root. A suppressed finding becomes `skipped`, keeps
//! its verdict in `suppression`, and does not fail the gate. A suppression needs a reason; an
//! expired one stops suppressing and says so.

use crate::finding::{Evidence, Finding, Location, Suppression, SuppressionKind, Verdict};
use crate::plan::address;
use crate::rule::TRACING;
use crate::source::SourceTree;
use crate::support::line_index::LineIndex;
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
        let text = std::fs::read_to_string(&real)
            .map_err(|e| format!("cannot read {}: {e}", display(&path)))?;
        let file: ConfigFile = toml::from_str(&text).map_err(|e| {
            let first = e.to_string();
            let first = first.lines().next().unwrap_or("invalid TOML").to_owned();
            format!("{} is invalid: {first}", display(&path))
        })?;
        let shown = display(&path);
        let index = LineIndex::new(text.as_bytes());
        let entries = file
            .ignore
            .into_iter()
            .map(|entry| {
                let (line, _) = index.position(text.as_bytes(), entry.address.span().start);
                let location = Location {
                    file: shown.clone(),
                    line,
                    column: None,
                };
                (entry, location)
            })
            .collect();
        Ok(Config { entries })
    }
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

/// An ignore comment on a line: `Some(reason)` when it names this rule (the reason may be empty).
fn ignore_comment(line: &str) -> Option<String> {
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
        .any(|r| r == TRACING.id || r == "*");
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
    finding.suppression = Some(Suppression {
        kind,
        justification,
        location: Some(location),
        suppressed_verdict: finding.verdict,
    });
    finding.verdict = Verdict::Skipped;
    finding.fix = None;
}

/// Headers where an ignore comment counts: the resource's and each module call's on its path.
fn headers(finding: &Finding, sources: &SourceTree) -> Vec<Location> {
    let Some(parsed) = address::parse(&finding.address) else {
        return Vec::new();
    };
    if parsed.modules.len() > crate::source::MAX_MODULE_DEPTH {
        return Vec::new();
    }
    let mut out = Vec::new();
    if let Ok(module) = sources.module(&parsed.modules).as_ref() {
        if let Some(resource) = module.resource(&parsed.resource_type, &parsed.name) {
            out.push(resource.header());
        }
    }
    for depth in 1..=parsed.modules.len() {
        if let Ok(parent) = sources.module(&parsed.modules[..depth - 1]).as_ref() {
            if let Some(call) = parent.module_call(&parsed.modules[depth - 1]) {
                out.push(call.header());
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
            for header in headers(finding, sources) {
                let lines = [header.line, header.line.saturating_sub(1)];
                for (i, line) in lines.into_iter().enumerate() {
                    let Some(text) = sources.line(&header.file, line) else {
                        continue;
                    };
                    // The line above counts only when it is a comment line.
                    if i == 1 && !text.trim_start().starts_with(['#', '/']) {
                        continue;
                    }
                    let Some(reason) = ignore_comment(&text) else {
                        continue;
                    };
                    let at = Location {
                        file: header.file.clone(),
                        line,
                        column: None,
                    };
                    if reason.is_empty() {
                        finding.evidence.push(Evidence::at(
                            format!("the ignore comment has no reason, so it does not suppress: write `# {MARKER}{}] why`", TRACING.id),
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
                    break;
                }
            }
            if suppressed {
                continue;
            }
        }
        for (entry, location) in &config.entries {
            if entry.rule.as_deref().is_some_and(|r| r != TRACING.id)
                || !glob(entry.address.get_ref(), &finding.address)
            {
                continue;
            }
            let reason = entry.reason.as_deref().map(str::trim).unwrap_or("");
            if reason.is_empty() {
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
            ignore_comment("# tracegate:ignore[D9.AWS.OPE.07] legacy, retiring in Q1").as_deref(),
            Some("legacy, retiring in Q1")
        );
        assert_eq!(
            ignore_comment("resource \"a\" \"b\" { // tracegate:ignore[X, D9.AWS.OPE.07]: why")
                .as_deref(),
            Some("why")
        );
        assert_eq!(
            ignore_comment("# tracegate:ignore[D9.AWS.OPE.07]").as_deref(),
            Some("")
        );
        assert_eq!(ignore_comment("# tracegate:ignore[OTHER] reason"), None);
        assert_eq!(
            ignore_comment("name = \"tracegate:ignore[D9.AWS.OPE.07] x\""),
            None
        );
    }

    #[test]
    fn dates() {
        assert_eq!(Date::from_days(0).to_string(), "1970-01-01");
        assert_eq!(Date::from_days(20_782).to_string(), "2026-11-25");
        assert_eq!(Date::from_days(11_016).to_string(), "2000-02-29");
    }
}
