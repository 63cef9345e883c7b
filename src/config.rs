//! `.tracegate.toml`: the one file of settings, read once per run. It holds `[check]` (defaults
//! for `tracegate check`) and `[[ignore]]` (suppressions, applied by `suppress`). The effective
//! settings are the built-in default, overridden by `[check]`, overridden by a flag that was
//! given; each keeps where it came from.
//!
//! The file comes with the pull request being judged, so a key that weakens the gate is never
//! silent (every report names it, see `Setting::weakens`) and `--locked-config` makes one an
//! error; `exit_zero` cannot be set in it at all, and report paths from it stay under the working
//! directory.

use crate::finding::Location;
use crate::outcome::{FailOn, Origin, Setting, UnknownPolicy};
use crate::report::{escape, Format};
use crate::rule;
use crate::support::date::Date;
use crate::support::line_index::LineIndex;
use crate::support::repo;
use crate::support::toml_text::{toml_string, toml_value};
use serde::Deserialize;
use serde_json::{json, Value};
use std::path::{Component, Path, PathBuf};
use toml::de::{DeTable, DeValue};
use toml::Spanned;

pub const CONFIG_FILE: &str = ".tracegate.toml";
const MAX_CONFIG_BYTES: u64 = 1 << 20;

/// The keys of `[check]`, in the order `--print-config` shows them.
pub const CHECK_KEYS: [&str; 7] = [
    "unknown",
    "fail_on",
    "changed_only",
    "rules",
    "skip_rules",
    "foreign_ignores",
    "report",
];

/// The document as serde reads it: the `[[ignore]]` entries (and that nothing else is at the top
/// level). `[check]` is read from the spanned table instead, for exact positions and messages.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Document {
    /// Read from the spanned table below; accepted here only.
    #[serde(default, rename = "check")]
    _check: Option<serde::de::IgnoredAny>,
    #[serde(default)]
    ignore: Vec<Entry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    address: Spanned<String>,
    #[serde(default)]
    rule: Option<String>,
    #[serde(default)]
    reason: Option<String>,
    #[serde(default)]
    expires: Option<toml::value::Datetime>,
}

/// One `[[ignore]]` entry.
#[derive(Debug, Clone)]
pub struct Ignore {
    /// `*` and `?` match any characters.
    pub address: String,
    pub rule: Option<String>,
    pub reason: Option<String>,
    pub expires: Option<Date>,
    pub location: Location,
}

/// A value from `[check]` and where it is.
#[derive(Debug, Clone)]
pub struct At<T> {
    pub value: T,
    /// The key's position (line and column).
    pub location: Location,
}

/// A report `[check] report` asks for: a format and a path, relative to the working directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportPath {
    pub format: Format,
    pub path: PathBuf,
}

/// `[check]`: each key the file sets.
#[derive(Debug, Clone, Default)]
pub struct Check {
    pub unknown: Option<At<UnknownPolicy>>,
    pub fail_on: Option<At<FailOn>>,
    pub changed_only: Option<At<bool>>,
    pub rules: Option<At<Vec<String>>>,
    pub skip_rules: Option<At<Vec<String>>>,
    pub foreign_ignores: Option<At<bool>>,
    pub report: Option<At<Vec<ReportPath>>>,
}

/// A read `.tracegate.toml`.
#[derive(Debug, Clone, Default)]
pub struct ConfigFile {
    /// The file as reports name it (relative to the repository).
    pub shown: String,
    pub check: Check,
    pub ignores: Vec<Ignore>,
}

/// Where `.tracegate.toml` is looked for: the source root when it has one, else the working
/// directory.
pub fn find(source_root: Option<&Path>) -> Result<Option<ConfigFile>, String> {
    if let Some(root) = source_root.filter(|root| root.is_dir()) {
        if let Some(file) = load(root)? {
            return Ok(Some(file));
        }
    }
    load(Path::new("."))
}

/// How a file is named in messages and reports: relative to its repository, else to the
/// directory it was looked for in.
fn display(dir: &Path, path: &Path) -> String {
    let Ok(real_dir) = std::fs::canonicalize(dir) else {
        return path.display().to_string();
    };
    let base = repo::root_of(&real_dir).unwrap_or(&real_dir);
    repo::slash_relative(&real_dir.join(CONFIG_FILE), base)
}

/// Reads `.tracegate.toml` in `dir`, if there is one.
pub fn load(dir: &Path) -> Result<Option<ConfigFile>, String> {
    let path: PathBuf = dir.join(CONFIG_FILE);
    if std::fs::symlink_metadata(&path).is_err() {
        return Ok(None);
    }
    let shown = display(dir, &path);
    // Only a regular file inside the directory, of sane size: the sources are untrusted.
    let inside = std::fs::canonicalize(&path)
        .ok()
        .filter(|real| std::fs::canonicalize(dir).is_ok_and(|dir| real.starts_with(dir)));
    let Some(real) = inside else {
        return Err(format!(
            "{shown} leads outside its directory; it is not read"
        ));
    };
    match std::fs::metadata(&real) {
        Ok(meta) if meta.is_file() && meta.len() <= MAX_CONFIG_BYTES => {}
        _ => {
            return Err(format!(
                "{shown} is not a regular file of at most 1 MiB; it is not read"
            ))
        }
    }
    // Read through the one safe reader: the handle is checked again (a file swapped for a
    // FIFO after the check is not read) and the read is bounded.
    let parent = real.parent().unwrap_or(&real).to_path_buf();
    let text = crate::source::files::read_regular(&parent, &real, MAX_CONFIG_BYTES, &shown)
        .map_err(|e| format!("cannot read {e}"))?
        .text;
    parse(&text, &shown).map(Some)
}

/// Parses the text of a `.tracegate.toml` named `shown`.
pub fn parse(text: &str, shown: &str) -> Result<ConfigFile, String> {
    let document: Document = toml::from_str(text).map_err(|e| invalid(shown, text, &e))?;
    let index = LineIndex::new(text.as_bytes());
    let at = |offset: usize| {
        let (line, column) = index.position(text.as_bytes(), offset);
        Location {
            file: shown.into(),
            line,
            column: Some(column),
            byte_column: None,
        }
    };
    let mut ignores = Vec::new();
    for entry in document.ignore {
        let location = Location {
            column: None,
            ..at(entry.address.span().start)
        };
        let expires = match &entry.expires {
            None => None,
            // A bare time has no date (it would never expire); a time part is not a date.
            Some(expires)
                if expires.date.is_none() || expires.time.is_some() || expires.offset.is_some() =>
            {
                return Err(format!(
                    "{shown}:{}: the entry for {} has expires = {expires}, which is not a date: write expires = YYYY-MM-DD",
                    location.line,
                    shown_text(entry.address.get_ref())
                ));
            }
            Some(expires) => expires.date.map(|d| Date {
                year: i64::from(d.year),
                month: u32::from(d.month),
                day: u32::from(d.day),
            }),
        };
        ignores.push(Ignore {
            address: entry.address.into_inner(),
            rule: entry.rule,
            reason: entry.reason,
            expires,
            location,
        });
    }
    // serde accepted the document, so the spanned parse does too.
    let table = DeTable::parse(text).map_err(|e| invalid(shown, text, &e))?;
    let check = match table.get_ref().get("check") {
        None => Check::default(),
        Some(value) => match value.get_ref() {
            DeValue::Table(check) => read_check(check, &at)?,
            _ => {
                let at = at(value.span().start);
                return Err(format!(
                    "{}:{}:{}: `check` must be a table: write [check] and its keys below it",
                    at.file,
                    at.line,
                    at.column.unwrap_or(1)
                ));
            }
        },
    };
    Ok(ConfigFile {
        shown: shown.to_owned(),
        check,
        ignores,
    })
}

/// Text from the file in a message: escapes made visible, on one line, and short (a key or value
/// can be up to the file's 1 MiB).
fn shown_text(text: &str) -> String {
    const MAX_CHARS: usize = 120;
    let shown = escape::visible(text).replace('\n', "\\n");
    match shown.char_indices().nth(MAX_CHARS) {
        Some((cut, _)) => format!("{}…", &shown[..cut]),
        None => shown,
    }
}

fn place(location: &Location) -> String {
    format!(
        "{}:{}:{}",
        location.file,
        location.line,
        location.column.unwrap_or(1)
    )
}

fn kind(value: &DeValue<'_>) -> &'static str {
    match value {
        DeValue::String(_) => "a string",
        DeValue::Integer(_) => "an integer",
        DeValue::Float(_) => "a float",
        DeValue::Boolean(_) => "a boolean",
        DeValue::Datetime(_) => "a date",
        DeValue::Array(_) => "an array",
        DeValue::Table(_) => "a table",
    }
}

fn read_check(table: &DeTable<'_>, at: &dyn Fn(usize) -> Location) -> Result<Check, String> {
    let mut check = Check::default();
    let quoted = |names: &[&str]| {
        names
            .iter()
            .map(|n| format!("\"{n}\""))
            .collect::<Vec<_>>()
            .join(", ")
    };
    for (key, value) in table.iter() {
        let key_at = at(key.span().start);
        let value_at = at(value.span().start);
        let name: &str = key.get_ref();
        let wrong_type = |expected: &str| {
            format!(
                "{}: `{name}` must be {expected}, not {}",
                place(&value_at),
                kind(value.get_ref())
            )
        };
        let string = || {
            value
                .get_ref()
                .as_str()
                .ok_or_else(|| wrong_type("a string"))
        };
        let boolean = || {
            value
                .get_ref()
                .as_bool()
                .ok_or_else(|| wrong_type("true or false"))
        };
        let one_of = |given: &str, names: &[&str]| {
            format!(
                "{}: `{name} = \"{}\"` is not a value of {name}; the values are {}",
                place(&value_at),
                shown_text(given),
                quoted(names)
            )
        };
        match name {
            "unknown" => {
                let given = string()?;
                let policy = match given {
                    "fail" => UnknownPolicy::Fail,
                    "warn" => UnknownPolicy::Warn,
                    "pass" => UnknownPolicy::Pass,
                    _ => return Err(one_of(given, &["fail", "warn", "pass"])),
                };
                check.unknown = Some(At {
                    value: policy,
                    location: key_at.clone(),
                });
            }
            "fail_on" => {
                let given = string()?;
                let which = match given {
                    "all" => FailOn::All,
                    "new" => FailOn::New,
                    _ => return Err(one_of(given, &["all", "new"])),
                };
                check.fail_on = Some(At {
                    value: which,
                    location: key_at.clone(),
                });
            }
            "changed_only" => {
                check.changed_only = Some(At {
                    value: boolean()?,
                    location: key_at.clone(),
                })
            }
            "foreign_ignores" => {
                check.foreign_ignores = Some(At {
                    value: boolean()?,
                    location: key_at.clone(),
                })
            }
            "rules" | "skip_rules" => {
                let DeValue::Array(items) = value.get_ref() else {
                    return Err(wrong_type("an array of rule ids"));
                };
                let mut ids = Vec::new();
                for item in items.iter() {
                    let item_at = at(item.span().start);
                    let Some(id) = item.get_ref().as_str() else {
                        return Err(format!(
                            "{}: `{name}` must be an array of rule ids (strings), not one with {}",
                            place(&item_at),
                            kind(item.get_ref())
                        ));
                    };
                    if rule::find(id).is_none() {
                        return Err(format!(
                            "{}: `{name}` names no rule \"{}\"; the rules are {} (see `tracegate rules`)",
                            place(&item_at),
                            shown_text(id),
                            rule_ids()
                        ));
                    }
                    // The same id twice means it once (and keeps what reports repeat small).
                    if !ids.iter().any(|known| known == id) {
                        ids.push(id.to_owned());
                    }
                }
                if name == "rules" {
                    check.rules = Some(At {
                        value: ids,
                        location: key_at.clone(),
                    });
                } else {
                    check.skip_rules = Some(At {
                        value: ids,
                        location: key_at.clone(),
                    });
                }
            }
            "report" => {
                let DeValue::Table(reports) = value.get_ref() else {
                    return Err(wrong_type(
                        "a table of FORMAT = \"PATH\", e.g. report = { sarif = \"tracegate.sarif\" }",
                    ));
                };
                let mut paths = Vec::new();
                for (format, path) in reports.iter() {
                    let format_at = at(format.span().start);
                    let path_at = at(path.span().start);
                    let Some(format) = Format::from_name(format.get_ref()) else {
                        let names: Vec<&str> = Format::ALL.iter().map(|f| f.name()).collect();
                        return Err(format!(
                            "{}: `report` has no format \"{}\"; the formats are {}",
                            place(&format_at),
                            shown_text(format.get_ref()),
                            quoted(&names)
                        ));
                    };
                    let Some(text) = path.get_ref().as_str() else {
                        return Err(format!(
                            "{}: `report.{}` must be a path (a string), not {}",
                            place(&path_at),
                            format.name(),
                            kind(path.get_ref())
                        ));
                    };
                    let path = untrusted_report_path(text).map_err(|why| {
                        format!(
                            "{}: `report.{} = \"{}\"` is refused: {why}",
                            place(&path_at),
                            format.name(),
                            shown_text(text)
                        )
                    })?;
                    paths.push(ReportPath { format, path });
                }
                check.report = Some(At {
                    value: paths,
                    location: key_at.clone(),
                });
            }
            "exit_zero" => {
                return Err(format!(
                    "{}: `exit_zero` cannot be set in {CONFIG_FILE}: the file comes with the pull request it gates; pass --exit-zero in the workflow instead",
                    place(&key_at)
                ));
            }
            _ => {
                return Err(format!(
                    "{}: unknown key `{}` in [check]; the keys are {}",
                    place(&key_at),
                    shown_text(name),
                    CHECK_KEYS.join(", ")
                ));
            }
        }
    }
    Ok(check)
}

fn rule_ids() -> String {
    rule::ALL
        .iter()
        .map(|r| r.id)
        .collect::<Vec<_>>()
        .join(", ")
}

/// A report path from the file: relative, plain components only (no `..`, no root, no drive), no
/// control characters, not under `.git` or `.terraform` (a report there could rewrite git's or
/// Terraform's own files).
fn untrusted_report_path(text: &str) -> Result<PathBuf, &'static str> {
    const RULE: &str = "a report path from the file must be relative to the working directory, at most 1024 bytes, without `..` or control characters, and not under .git or .terraform";
    let path = PathBuf::from(text);
    // Control characters (a newline in a file name) would confuse whatever reads the name next.
    if text.is_empty()
        || text.len() > 1024
        || text.chars().any(char::is_control)
        || path.is_absolute()
    {
        return Err(RULE);
    }
    let mut plain = PathBuf::new();
    for component in path.components() {
        match component {
            Component::Normal(name) => {
                let name = name.to_string_lossy();
                if name.eq_ignore_ascii_case(".git") || name.eq_ignore_ascii_case(".terraform") {
                    return Err(RULE);
                }
                plain.push(component);
            }
            Component::CurDir => {}
            Component::ParentDir | Component::RootDir | Component::Prefix(_) => return Err(RULE),
        }
    }
    // A backslash is a separator on Windows: `..\x` must not pass where it means the parent.
    if plain.as_os_str().is_empty() || text.split(['/', '\\']).any(|part| part == "..") {
        return Err(RULE);
    }
    Ok(plain)
}

/// The settings given on the command line: `None` (or `false` for the report flags) when the
/// flag was not given, so that a clap default never masks the file.
#[derive(Debug, Clone, Default)]
pub struct Flags {
    pub unknown: Option<UnknownPolicy>,
    pub fail_on: Option<FailOn>,
    pub changed_only: Option<bool>,
    pub rules: Option<Vec<String>>,
    pub skip_rules: Option<Vec<String>>,
    pub foreign_ignores: Option<bool>,
    /// The `--report` targets, when `--report` or `--output` was given: the file's report paths
    /// are then replaced.
    pub reports: Option<Vec<ReportPath>>,
    /// `--locked-config`: a key of the file that weakens the gate is an error.
    pub locked: bool,
}

/// One effective value and where it came from.
#[derive(Debug, Clone)]
pub struct Chosen<T> {
    pub value: T,
    pub origin: Origin,
}

/// The settings a check runs with.
#[derive(Debug, Clone)]
pub struct Effective {
    pub unknown: Chosen<UnknownPolicy>,
    pub fail_on: Chosen<FailOn>,
    pub changed_only: Chosen<bool>,
    pub rules: Chosen<Vec<String>>,
    pub skip_rules: Chosen<Vec<String>>,
    pub foreign_ignores: Chosen<bool>,
    /// The report paths: the file's, or (origin `Flag`) the command line's `--report` targets,
    /// which replace them.
    pub report: Chosen<Vec<ReportPath>>,
}

fn choose<T: Clone>(default: T, file: Option<&At<T>>, flag: Option<T>) -> Chosen<T> {
    match (flag, file) {
        (Some(value), _) => Chosen {
            value,
            origin: Origin::Flag,
        },
        (None, Some(at)) => Chosen {
            value: at.value.clone(),
            origin: Origin::File(at.location.clone()),
        },
        (None, None) => Chosen {
            value: default,
            origin: Origin::Default,
        },
    }
}

/// Whether `rules` (empty: the default set) less `skip` leaves out a rule that runs by default.
fn drops_default_rule(rules: &[String], skip: &[String]) -> bool {
    rule::ALL.iter().filter(|r| r.on_by_default).any(|r| {
        (!rules.is_empty() && !rules.iter().any(|id| id == r.id))
            || skip.iter().any(|id| id == r.id)
    })
}

impl Check {
    /// The keys of the file that weaken the gate against the built-in default, with where each is
    /// and how it reads.
    fn weakening(&self) -> Vec<(&'static str, String, &Location)> {
        // (the flag that does the same from the workflow, the key as written, where)
        let mut out = Vec::new();
        if let Some(at) = self
            .unknown
            .as_ref()
            .filter(|a| a.value == UnknownPolicy::Pass)
        {
            out.push((
                "--unknown pass",
                "unknown = \"pass\"".to_owned(),
                &at.location,
            ));
        }
        if let Some(at) = self.fail_on.as_ref().filter(|a| a.value == FailOn::New) {
            out.push((
                "--fail-on new",
                "fail_on = \"new\"".to_owned(),
                &at.location,
            ));
        }
        if let Some(at) = self.changed_only.as_ref().filter(|a| a.value) {
            out.push((
                "--changed-only",
                "changed_only = true".to_owned(),
                &at.location,
            ));
        }
        if let Some(at) = self
            .rules
            .as_ref()
            .filter(|a| drops_default_rule(&a.value, &[]))
        {
            out.push((
                "--rule",
                format!("rules = {}", toml_value(&json!(at.value))),
                &at.location,
            ));
        }
        if let Some(at) = self
            .skip_rules
            .as_ref()
            .filter(|a| drops_default_rule(&[], &a.value))
        {
            out.push((
                "--skip-rule",
                format!("skip_rules = {}", toml_value(&json!(at.value))),
                &at.location,
            ));
        }
        if let Some(at) = self.foreign_ignores.as_ref().filter(|a| a.value) {
            out.push((
                "--foreign-ignores",
                "foreign_ignores = true".to_owned(),
                &at.location,
            ));
        }
        out
    }
}

/// The effective settings: default < `file`'s `[check]` < `flags`. Under `flags.locked`, a key of
/// the file that weakens the gate is an error naming it (whether or not a flag overrides it: the
/// workflow is then the only authority, and a file that tries is refused).
pub fn resolve(file: Option<&ConfigFile>, flags: &Flags) -> Result<Effective, String> {
    for id in flags.rules.iter().chain(&flags.skip_rules).flatten() {
        if rule::find(id).is_none() {
            return Err(format!(
                "there is no rule \"{}\": the rules are {} (see `tracegate rules`)",
                shown_text(id),
                rule_ids()
            ));
        }
    }
    let empty = Check::default();
    let check = file.map_or(&empty, |f| &f.check);
    if flags.locked {
        if let Some((flag, text, at)) = check.weakening().first() {
            return Err(format!(
                "{}: `{text}` weakens the gate, and --locked-config lets only the command line do that: remove it from {CONFIG_FILE}, or pass {flag} in the workflow",
                place(at)
            ));
        }
    }
    let report = choose(Vec::new(), check.report.as_ref(), flags.reports.clone());
    Ok(Effective {
        unknown: choose(
            UnknownPolicy::default(),
            check.unknown.as_ref(),
            flags.unknown,
        ),
        fail_on: choose(FailOn::default(), check.fail_on.as_ref(), flags.fail_on),
        changed_only: choose(false, check.changed_only.as_ref(), flags.changed_only),
        rules: choose(Vec::new(), check.rules.as_ref(), flags.rules.clone()),
        skip_rules: choose(
            Vec::new(),
            check.skip_rules.as_ref(),
            flags.skip_rules.clone(),
        ),
        foreign_ignores: choose(false, check.foreign_ignores.as_ref(), flags.foreign_ignores),
        report,
    })
}

fn policy_name(policy: UnknownPolicy) -> &'static str {
    match policy {
        UnknownPolicy::Fail => "fail",
        UnknownPolicy::Warn => "warn",
        UnknownPolicy::Pass => "pass",
    }
}

fn fail_on_name(which: FailOn) -> &'static str {
    match which {
        FailOn::All => "all",
        FailOn::New => "new",
    }
}

impl Effective {
    /// Every setting, in `CHECK_KEYS` order, for reports.
    pub fn settings(&self) -> Vec<Setting> {
        let setting = |key, value, origin: &Origin, weakens| Setting {
            key,
            value,
            origin: origin.clone(),
            weakens,
        };
        let reports: serde_json::Map<String, Value> = self
            .report
            .value
            .iter()
            .map(|r| (r.format.name().to_owned(), json!(r.path.to_string_lossy())))
            .collect();
        vec![
            setting(
                "unknown",
                json!(policy_name(self.unknown.value)),
                &self.unknown.origin,
                self.unknown.value == UnknownPolicy::Pass,
            ),
            setting(
                "fail_on",
                json!(fail_on_name(self.fail_on.value)),
                &self.fail_on.origin,
                self.fail_on.value == FailOn::New,
            ),
            setting(
                "changed_only",
                json!(self.changed_only.value),
                &self.changed_only.origin,
                self.changed_only.value,
            ),
            setting(
                "rules",
                json!(self.rules.value),
                &self.rules.origin,
                drops_default_rule(&self.rules.value, &[]),
            ),
            setting(
                "skip_rules",
                json!(self.skip_rules.value),
                &self.skip_rules.origin,
                drops_default_rule(&[], &self.skip_rules.value),
            ),
            setting(
                "foreign_ignores",
                json!(self.foreign_ignores.value),
                &self.foreign_ignores.origin,
                self.foreign_ignores.value,
            ),
            setting("report", Value::Object(reports), &self.report.origin, false),
        ]
    }
}

/// `tracegate check --print-config`: the effective settings as a `[check]` table, each with
/// where it came from, and how many `[[ignore]]` entries the file holds.
pub fn print(effective: &Effective, file: Option<&ConfigFile>) -> String {
    let mut out = String::from(
        "# tracegate check --print-config: the settings a check would run with, and where each comes from\n",
    );
    match file {
        Some(file) => out.push_str(&format!("# read from {}\n", toml_comment(&file.shown))),
        None => out.push_str(&format!("# no {CONFIG_FILE} found\n")),
    }
    out.push_str("[check]\n");
    for setting in effective.settings() {
        let value = &setting.value;
        let mut note = toml_comment(&setting.origin.to_string());
        if setting.key == "rules" && effective.rules.value.is_empty() {
            let defaults: Vec<&str> = rule::ALL
                .iter()
                .filter(|r| r.on_by_default)
                .map(|r| r.id)
                .collect();
            note.push_str(&format!(
                "; empty: the rules on by default ({})",
                defaults.join(", ")
            ));
        }
        if setting.weakens {
            note.push_str("; weakens the gate");
        }
        out.push_str(&format!(
            "{} = {}  # {note}\n",
            setting.key,
            toml_value(value)
        ));
    }
    if let Some(file) = file {
        if !file.ignores.is_empty() {
            out.push_str(&format!(
                "# and {} [[ignore]] entr{} in {}\n",
                file.ignores.len(),
                if file.ignores.len() == 1 { "y" } else { "ies" },
                toml_comment(&file.shown)
            ));
        }
    }
    out
}

/// Text in a TOML comment: one line, nothing that hides or moves text.
fn toml_comment(text: &str) -> String {
    toml_string(text).trim_matches('"').to_owned()
}

/// A `.tracegate.toml` error in one line: where (`file:line:column`), which key (the one on that
/// line, when the error points at a value) and why, in toml's words.
fn invalid(shown: &str, text: &str, error: &toml::de::Error) -> String {
    let reason = error.message().trim().replace('\n', " ");
    let Some(span) = error.span() else {
        return format!("{shown} is invalid: {reason}");
    };
    let start = span.start.min(text.len());
    let start = (0..=start)
        .rev()
        .find(|&i| text.is_char_boundary(i))
        .unwrap_or(0);
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let line = text[..start].matches('\n').count() + 1;
    let column = text[line_start..start].chars().count() + 1;
    let before = &text[line_start..start];
    let key = before
        .split_once('=')
        .map(|(key, _)| key.trim())
        .filter(|key| !key.is_empty() && !reason.contains(&format!("`{key}`")));
    let reason = shown_text(&reason);
    match key {
        Some(key) => format!(
            "{shown}:{line}:{column} is invalid: key `{}`: {reason}",
            shown_text(key)
        ),
        None => format!("{shown}:{line}:{column} is invalid: {reason}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_lists_are_deduplicated_and_long_text_is_cut() {
        let ids = format!("[{}]", vec!["\"D9.AWS.OPE.07\""; 1000].join(", "));
        let file = parse(&format!("[check]\nrules = {ids}\n"), "t.toml").unwrap();
        assert_eq!(file.check.rules.unwrap().value, ["D9.AWS.OPE.07"]);
        let long = "x".repeat(10_000);
        let error = parse(&format!("[check]\nrules = [\"{long}\"]\n"), "t.toml").unwrap_err();
        assert!(error.len() < 400, "{error}");
        assert!(error.contains("x…\""), "{error}");
    }

    #[test]
    fn report_paths_from_the_file() {
        assert_eq!(
            untrusted_report_path("./out/tracegate.sarif"),
            Ok(PathBuf::from("out/tracegate.sarif"))
        );
        for refused in [
            "",
            "/tmp/x",
            "../x",
            "out/../../x",
            "out\\..\\x",
            ".git/config",
            "a/.Terraform/x",
            ".",
            "a\0b",
            "x\ny.json",
            &"x".repeat(1025),
        ] {
            assert!(untrusted_report_path(refused).is_err(), "{refused:?}");
        }
    }
}
