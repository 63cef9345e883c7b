//! `tracegate fix`: applies the edits that resolve computed, to the files of the source root.
//! Edits are grouped by file; the same edit reached from many instances (a `for_each` resource,
//! a module called by several functions) is applied once; edits that overlap differently are
//! refused. Every file is checked again before it is touched, since a hostile pull request
//! controls the tree: a relative path without `..`, a regular file (not a symlink, no symlinked
//! directory on the way) inside the source root and not under `.terraform/`, read through
//! `O_NOFOLLOW`; the edited text must still parse, and is written to a new file beside it that
//! is renamed over it (permissions kept, CRLF and a BOM kept as found).

pub mod diff;

use crate::finding::{Edit, Finding, Fix, Location, Verdict};
use crate::outcome::Outcome;
use crate::source::MAX_FILE_BYTES;
use crate::support::repo;
use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::io::{self, Read, Write};
use std::path::{Component, Path, PathBuf};

/// One place to fix, with the functions (and rules) that need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Site {
    pub location: Option<Location>,
    pub description: String,
    /// `rule address` of every finding this site fixes, sorted, once each.
    pub findings: Vec<String>,
}

/// A site tracegate does not edit, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    pub site: Site,
    pub reason: String,
}

/// The new text of one file.
#[derive(Debug)]
pub struct FileChange {
    /// The path as reports show it (relative to the repository).
    pub display: String,
    pub path: PathBuf,
    pub before: String,
    pub after: String,
    /// The sites whose edits make the change.
    pub sites: Vec<Site>,
}

/// What `fix` would do: the files that change, the sites whose edit is already in place, and
/// the sites it refuses.
#[derive(Debug, Default)]
pub struct Plan {
    pub changes: Vec<FileChange>,
    /// Sites whose edit changes nothing (a second run, or a stale plan).
    pub in_place: Vec<Site>,
    pub refused: Vec<Refused>,
}

/// Where the files are: the canonical source root, and the base report paths are relative to.
pub struct Root {
    root: PathBuf,
    display_base: PathBuf,
}

impl Root {
    /// The source root as `SourceTree::open` reads it (display paths relative to its repository).
    pub fn open(root: &Path) -> io::Result<Root> {
        let root = std::fs::canonicalize(root)?;
        let display_base = repo::root_of(&root).unwrap_or(&root).to_path_buf();
        Ok(Root { root, display_base })
    }

    /// The file a report path names, when it is one `fix` may edit; else why not.
    fn resolve(&self, display: &str) -> Result<PathBuf, String> {
        if display.chars().any(char::is_control) {
            // It would be a line of its own in the diff and the report.
            return Err(format!(
                "{} holds control characters in its name: not edited",
                display.escape_debug()
            ));
        }
        if display.contains('\u{fffd}') {
            // A name that is not UTF-8 is shown with U+FFFD in place of its bytes: the path
            // built from it may be another file (one named with a real U+FFFD), not the one
            // the edits were computed from.
            return Err(format!(
                "{display} has a name that is not UTF-8 (shown with U+FFFD): tracegate cannot be sure which file it names; not edited"
            ));
        }
        let relative = Path::new(display);
        if relative
            .components()
            .any(|c| !matches!(c, Component::Normal(_)))
        {
            return Err(format!(
                "{display} is not a plain path inside the source root: not edited"
            ));
        }
        let path = self.display_base.join(relative);
        let inside = path
            .strip_prefix(&self.root)
            .map_err(|_| format!("{display} is outside the source root: not edited"))?;
        if inside.components().any(|c| c.as_os_str() == ".terraform") {
            return Err(format!(
                "{display} is under .terraform/ (a downloaded module): tracegate never edits there; fix it at its caller"
            ));
        }
        // A symlinked directory on the way would lead somewhere else: the canonical parent must
        // be the lexical one.
        let parent = path.parent().unwrap_or(&self.root);
        let canonical_parent =
            std::fs::canonicalize(parent).map_err(|e| format!("{display}: {e}: not edited"))?;
        if canonical_parent != parent {
            return Err(format!(
                "{display} is reached through a symlinked directory: tracegate does not write through one"
            ));
        }
        let meta =
            std::fs::symlink_metadata(&path).map_err(|e| format!("{display}: {e}: not edited"))?;
        if meta.file_type().is_symlink() {
            return Err(format!(
                "{display} is a symlink: tracegate does not write through one"
            ));
        }
        if !meta.is_file() {
            return Err(format!("{display} is not a regular file: not edited"));
        }
        Ok(path)
    }
}

/// The findings `fix` acts on: failing (or warning, for a permission hazard with an edit) and
/// not suppressed.
fn wanted(finding: &Finding) -> bool {
    finding.suppression.is_none() && finding.verdict == Verdict::Fail
}

/// Refusals are listed once per place, description and reason.
type RefusalKey = (Option<Location>, String, String);

/// Collects every wanted finding's edit or refusal, once per site, and computes each file's
/// new text. Nothing is written.
pub fn plan(outcome: &Outcome, root: &Root) -> Plan {
    // file → edits, each with the sites that asked for it.
    let mut edits: BTreeMap<String, Vec<(Edit, Site)>> = BTreeMap::new();
    // Where each distinct edit is in its file's list: many instances share one.
    let mut seen: HashMap<Edit, usize> = HashMap::new();
    let mut refused: BTreeMap<RefusalKey, Refused> = BTreeMap::new();
    // The edits of each fix of several edits: applied all together or not at all (a depends_on
    // naming an attachment that was not written would break the configuration).
    let mut groups: Vec<Vec<Edit>> = Vec::new();
    for finding in outcome.plans.iter().flat_map(|p| &p.findings) {
        if !wanted(finding) {
            continue;
        }
        let who = format!("{} {}", finding.rule, finding.display_name());
        let all_in_one_file = |edit: &Edit| edit.start.file == edit.end.file;
        // A failing function without a fix is still one fix leaves failing: it is listed.
        let no_fix;
        let fix = match &finding.fix {
            Some(fix) => fix,
            None => {
                no_fix = Fix {
                    description: format!("make {} pass", finding.display_name()),
                    location: finding.location.clone(),
                    edit: None,
                    refusal: None,
                    more_edits: Vec::new(),
                };
                &no_fix
            }
        };
        match (&fix.edit, &fix.refusal) {
            (Some(edit), None)
                if all_in_one_file(edit)
                    && fix.more_edits.iter().all(|(_, e)| all_in_one_file(e)) =>
            {
                // The first edit is at the fix's site; each further one (a depends_on beside
                // the attachment) at its own place.
                let further = fix
                    .more_edits
                    .iter()
                    .map(|(what, e)| (e, Some(e.start.clone()), what));
                let first = std::iter::once((edit, fix.location.clone(), &fix.description));
                if !fix.more_edits.is_empty() {
                    groups.push(
                        std::iter::once(edit.clone())
                            .chain(fix.more_edits.iter().map(|(_, e)| e.clone()))
                            .collect(),
                    );
                }
                for (edit, location, description) in first.chain(further) {
                    let list = edits.entry(edit.start.file.to_string()).or_default();
                    match seen.get(edit) {
                        Some(&at) => add_finding(&mut list[at].1, who.clone()),
                        None => {
                            seen.insert(edit.clone(), list.len());
                            list.push((
                                edit.clone(),
                                Site {
                                    location: location.or_else(|| Some(edit.start.clone())),
                                    description: description.clone(),
                                    findings: vec![who.clone()],
                                },
                            ));
                        }
                    }
                }
            }
            (_, reason) => {
                let reason = reason.clone().unwrap_or_else(|| {
                    "tracegate knows no literal edit for it (the mode is computed, or the sources do not tell where it is written): change it by hand".to_owned()
                });
                let key = (
                    fix.location.clone(),
                    fix.description.clone(),
                    reason.clone(),
                );
                refused
                    .entry(key)
                    .and_modify(|r| add_finding(&mut r.site, who.clone()))
                    .or_insert_with(|| Refused {
                        site: Site {
                            location: fix.location.clone(),
                            description: fix.description.clone(),
                            findings: vec![who],
                        },
                        reason,
                    });
            }
        }
    }
    let mut out = Plan {
        refused: refused.into_values().collect(),
        ..Plan::default()
    };
    // Until no group is split: a file refused takes every group with an edit in it, and a
    // group taken out takes its edits out of the other files (and so maybe other groups).
    let results = loop {
        let results: Vec<(String, Result<Changed, Failure>)> = edits
            .iter()
            .map(|(display, file_edits)| {
                (display.clone(), change(root, display, file_edits.clone()))
            })
            .collect();
        let failed: Vec<&str> = results
            .iter()
            .filter(|(_, r)| r.is_err())
            .map(|(d, _)| d.as_str())
            .collect();
        let present = |edit: &Edit| {
            edits
                .get(&*edit.start.file)
                .is_some_and(|list| list.iter().any(|(e, _)| e == edit))
        };
        let is_broken = |group: &Vec<Edit>| {
            let split = group.iter().any(|e| !present(e)) && group.iter().any(present);
            let touches_failed = group.iter().any(|e| failed.contains(&&*e.start.file));
            let elsewhere = group
                .iter()
                .any(|e| present(e) && !failed.contains(&&*e.start.file));
            split || (touches_failed && elsewhere)
        };
        let (broken, kept): (Vec<Vec<Edit>>, Vec<Vec<Edit>>) =
            std::mem::take(&mut groups).into_iter().partition(is_broken);
        groups = kept;
        if broken.is_empty() {
            break results;
        }
        for group in broken {
            let why = group
                .iter()
                .find(|e| failed.contains(&&*e.start.file))
                .map(|e| e.start.file.to_string());
            for edit in &group {
                if failed.contains(&&*edit.start.file) {
                    continue;
                }
                let Some(list) = edits.get_mut(&*edit.start.file) else {
                    continue;
                };
                if let Some(at) = list.iter().position(|(e, _)| e == edit) {
                    let (_, site) = list.remove(at);
                    out.refused.push(Refused {
                    site,
                    reason: match &why {
                        Some(file) => format!("the other edits of this fix include one in {file}, which is not edited: not applied alone"),
                        None => "another edit of this fix is not applied: not applied alone".to_owned(),
                    },
                });
                }
            }
        }
        edits.retain(|_, list| !list.is_empty());
    };
    for (_, result) in results {
        match result {
            Ok(Changed::Yes(change)) => out.changes.push(change),
            Ok(Changed::No(sites)) => out.in_place.extend(sites),
            Err((sites, reason)) => out.refused.extend(sites.into_iter().map(|site| Refused {
                site,
                reason: reason.clone(),
            })),
        }
    }
    out
}

fn add_finding(site: &mut Site, who: String) {
    if let Err(at) = site.findings.binary_search(&who) {
        site.findings.insert(at, who);
    }
}

enum Changed {
    Yes(FileChange),
    No(Vec<Site>),
}

type Failure = (Vec<Site>, String);

/// A file's edits applied to its text, checked.
fn change(root: &Root, display: &str, edits: Vec<(Edit, Site)>) -> Result<Changed, Failure> {
    let sites = || edits.iter().map(|(_, s)| s.clone()).collect::<Vec<_>>();
    let path = root.resolve(display).map_err(|reason| (sites(), reason))?;
    let before =
        read_nofollow(&path).map_err(|e| (sites(), format!("{display}: {e}: not edited")))?;
    let crlf = before.contains("\r\n");
    let starts: Vec<usize> = std::iter::once(0)
        .chain(memchr::memchr_iter(b'\n', before.as_bytes()).map(|i| i + 1))
        .collect();
    // Byte ranges, in file order; identical edits were merged already.
    let mut ranges: Vec<(usize, usize, String, &Site)> = Vec::with_capacity(edits.len());
    for (edit, site) in &edits {
        let (Some(start), Some(end)) = (
            offset(&before, &starts, &edit.start),
            offset(&before, &starts, &edit.end),
        ) else {
            return Err((
                sites(),
                format!("{display} no longer has the lines the plan's sources had (edited since?): run tracegate again"),
            ));
        };
        if end < start {
            return Err((
                sites(),
                format!("{display}: an edit ends before it starts: not edited"),
            ));
        }
        let text = if crlf {
            edit.text.replace("\r\n", "\n").replace('\n', "\r\n")
        } else {
            edit.text.clone()
        };
        if start == end && before_a_shared_brace(&before, start) {
            // An insertion at a line's start goes before a block's closing brace: on a line
            // holding anything else it could land inside a comment (a fix that does nothing)
            // or, for a block written on one line, outside the block.
            return Err((
                sites(),
                format!("{display}: the block's closing brace at line {} shares its line with other text (a one-line block, a comment): not edited; add it by hand", edit.start.line),
            ));
        }
        if is_json(display) && !(start < end && json_string(&before[start..end])) {
            return Err((
                sites(),
                format!("{display} is JSON syntax and the edit does not replace a string value there: not edited"),
            ));
        }
        ranges.push((start, end, text, site));
    }
    ranges.sort_by(|a, b| (a.0, a.1, &a.2).cmp(&(b.0, b.1, &b.2)));
    for pair in ranges.windows(2) {
        let (a, b) = (&pair[0], &pair[1]);
        // Two insertions at one point are both kept (in order); a range that overlaps another
        // one would have to guess which wins.
        if b.0 < a.1 {
            return Err((
                sites(),
                format!(
                    "{display}: two fixes edit overlapping text ({} and {}): not edited; apply one by hand",
                    a.3.description, b.3.description
                ),
            ));
        }
    }
    let mut after = String::with_capacity(before.len() + 256);
    let mut at = 0;
    for (start, end, text, _) in &ranges {
        after.push_str(&before[at..*start]);
        after.push_str(text);
        at = *end;
    }
    after.push_str(&before[at..]);
    if after == before {
        return Ok(Changed::No(sites()));
    }
    parses(display, &after).map_err(|e| {
        (
            sites(),
            format!("{display} would no longer parse after the fix ({e}): not edited"),
        )
    })?;
    let mut changed_sites: Vec<Site> = Vec::new();
    for (start, end, text, site) in &ranges {
        if before[*start..*end] != **text && !changed_sites.contains(site) {
            changed_sites.push((*site).clone());
        }
    }
    Ok(Changed::Yes(FileChange {
        display: display.to_owned(),
        path,
        before,
        after,
        sites: changed_sites,
    }))
}

/// Whether `at` starts a line that holds nothing but a closing brace.
/// Whether `at` starts a line that is not a lone closing brace. Lines are inserted only before
/// a block's closing brace; an insertion inside a line (after a block's `}`, into a
/// `depends_on` list) is placed by its column instead.
fn before_a_shared_brace(text: &str, at: usize) -> bool {
    let line_start = at == 0 || text.as_bytes()[at - 1] == b'\n';
    let line = text[at..].split('\n').next().unwrap_or("");
    line_start && line.trim_matches([' ', '\t', '\r']) != "}"
}

fn is_json(display: &str) -> bool {
    display.ends_with(".json")
}

/// Whether `text` is exactly one JSON string.
fn json_string(text: &str) -> bool {
    matches!(
        serde_json::from_str::<serde_json::Value>(text),
        Ok(serde_json::Value::String(_))
    )
}

/// The edited file parses as its syntax does: HCL for `.tf`/`.tfvars`, JSON for `.json`.
fn parses(display: &str, text: &str) -> Result<(), String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if is_json(display) {
        serde_json::from_str::<serde_json::Value>(text)
            .map(|_| ())
            .map_err(|e| e.to_string())
    } else {
        hcl_edit::parser::parse_body(text).map(|_| ()).map_err(|e| {
            e.to_string()
                .lines()
                .next()
                .unwrap_or("parse error")
                .to_owned()
        })
    }
}

/// The byte offset of a 1-based line and character column in `text` (columns count
/// characters, as `LineIndex` does). `None` past the line's end.
fn offset(text: &str, starts: &[usize], location: &Location) -> Option<usize> {
    let line = usize::try_from(location.line.checked_sub(1)?).ok()?;
    let start = *starts.get(line)?;
    let column = location.column.unwrap_or(1).checked_sub(1)? as usize;
    let rest = &text[start..];
    let line_text = rest.split_inclusive('\n').next().unwrap_or("");
    if column == 0 {
        return Some(start);
    }
    match line_text.char_indices().nth(column) {
        Some((i, _)) => Some(start + i),
        // Just past the last character of a file without a final newline.
        None if line_text.chars().count() == column => Some(start + line_text.len()),
        None => None,
    }
}

/// Reads a regular file without following a symlink, of at most `MAX_FILE_BYTES`.
fn read_nofollow(path: &Path) -> io::Result<String> {
    let file = open_nofollow(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(io::Error::other("not a regular file"));
    }
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(io::Error::other(format!(
            "larger than {} MiB",
            MAX_FILE_BYTES >> 20
        )));
    }
    String::from_utf8(bytes).map_err(|_| io::Error::other("not valid UTF-8"))
}

fn open_nofollow(path: &Path) -> io::Result<File> {
    let mut options = File::options();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // O_NONBLOCK: a FIFO swapped in after the check does not block the open.
        options.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
    }
    #[cfg(not(unix))]
    if std::fs::symlink_metadata(path)?.file_type().is_symlink() {
        return Err(io::Error::other("it is a symlink"));
    }
    options.open(path)
}

/// Writes every change: each file to a new temporary file beside it (created exclusively, so
/// never through a link), with the original's permissions, then renamed over it. The file is
/// checked again just before (it must still be the regular file that was read).
pub fn apply(plan: &Plan, root: &Root) -> Result<(), String> {
    for change in &plan.changes {
        let path = root.resolve(&change.display)?;
        if path != change.path {
            return Err(format!("{} moved while fixing: not edited", change.display));
        }
        let now = read_nofollow(&path).map_err(|e| format!("{}: {e}", change.display))?;
        if now != change.before {
            return Err(format!(
                "{} changed while fixing: not edited; run tracegate fix again",
                change.display
            ));
        }
        write_replacing(&path, &change.after)
            .map_err(|e| format!("cannot write {}: {e}", change.display))?;
    }
    Ok(())
}

fn write_replacing(path: &Path, text: &str) -> io::Result<()> {
    let directory = path.parent().unwrap_or(Path::new("."));
    let name = path.file_name().unwrap_or_default();
    let permissions = std::fs::symlink_metadata(path)?.permissions();
    let mut last = None;
    for attempt in 0..100u32 {
        let mut temporary_name = std::ffi::OsString::from(".");
        temporary_name.push(name);
        temporary_name.push(format!(
            ".tracegate-fix-{}-{attempt}.tmp",
            std::process::id()
        ));
        let temporary = directory.join(temporary_name);
        let file = match File::options()
            .write(true)
            .create_new(true)
            .open(&temporary)
        {
            Ok(file) => file,
            Err(error) if error.kind() == io::ErrorKind::AlreadyExists => {
                last = Some(error);
                continue;
            }
            Err(error) => return Err(error),
        };
        let written = (|| {
            let mut file = file;
            file.write_all(text.as_bytes())?;
            file.set_permissions(permissions.clone())?;
            file.sync_all()?;
            std::fs::rename(&temporary, path)
        })();
        if written.is_err() {
            let _ = std::fs::remove_file(&temporary);
        }
        return written;
    }
    Err(last.unwrap_or_else(|| io::Error::other("no temporary name is free")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(line: u32, column: u32) -> Location {
        Location {
            file: "main.tf".into(),
            line,
            column: Some(column),
            byte_column: Some(column),
        }
    }

    #[test]
    fn offsets_count_characters() {
        let text = "ab\né = \"x\"\nlast";
        let starts = [0, 3, 12];
        let offset = |location: &Location| offset(text, &starts, location);
        assert_eq!(offset(&at(1, 1)), Some(0));
        assert_eq!(offset(&at(2, 1)), Some(3));
        // `é` is two bytes: column 3 is the `=`.
        assert_eq!(&text[offset(&at(2, 3)).unwrap()..][..1], "=");
        assert_eq!(offset(&at(3, 5)), Some(text.len()));
        assert_eq!(offset(&at(3, 6)), None);
        assert_eq!(offset(&at(4, 1)), None);
    }

    fn temp_root(name: &str) -> (PathBuf, Root) {
        let dir =
            std::env::temp_dir().join(format!("tracegate-fix-unit-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("inner")).unwrap();
        let root = Root {
            root: std::fs::canonicalize(dir.join("inner")).unwrap(),
            display_base: std::fs::canonicalize(&dir).unwrap(),
        };
        (dir, root)
    }

    fn site(description: &str) -> Site {
        Site {
            location: None,
            description: description.to_owned(),
            findings: vec![format!("R {description}")],
        }
    }

    fn edit(file: &str, start: (u32, u32), end: (u32, u32), text: &str) -> Edit {
        let at = |(line, column): (u32, u32)| Location {
            file: file.into(),
            line,
            column: Some(column),
            byte_column: Some(column),
        };
        Edit {
            start: at(start),
            end: at(end),
            text: text.to_owned(),
        }
    }

    #[test]
    fn only_plain_regular_files_inside_the_root_outside_terraform() {
        let (dir, root) = temp_root("resolve");
        std::fs::write(dir.join("inner/main.tf"), "a = 1\n").unwrap();
        std::fs::write(dir.join("outside.tf"), "a = 1\n").unwrap();
        std::fs::create_dir_all(dir.join("inner/.terraform/modules/m")).unwrap();
        std::fs::write(dir.join("inner/.terraform/modules/m/main.tf"), "a = 1\n").unwrap();
        std::fs::create_dir_all(dir.join("inner/real")).unwrap();
        std::fs::write(dir.join("inner/real/x.tf"), "a = 1\n").unwrap();
        std::os::unix::fs::symlink("real", dir.join("inner/linked")).unwrap();
        assert!(root.resolve("inner/main.tf").is_ok());
        let refused = |display: &str| root.resolve(display).unwrap_err();
        assert!(refused("outside.tf").contains("outside the source root"));
        assert!(refused("inner/../outside.tf").contains("not a plain path"));
        assert!(refused("/etc/passwd").contains("not a plain path"));
        assert!(refused("inner/.terraform/modules/m/main.tf").contains("under .terraform/"));
        assert!(refused("inner/linked/x.tf").contains("symlinked directory"));
        assert!(refused("inner/real").contains("not a regular file"));
        assert!(refused("inner/missing.tf").contains("not edited"));
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn overlapping_edits_are_refused_identical_ones_merged_by_plan() {
        let (dir, root) = temp_root("overlap");
        std::fs::write(dir.join("inner/main.tf"), "a = \"PassThrough\"\nx {\n}\n").unwrap();
        let edits = vec![
            (
                edit("inner/main.tf", (1, 5), (1, 18), "\"Active\""),
                site("one"),
            ),
            (
                edit("inner/main.tf", (1, 10), (1, 18), "\"x\""),
                site("two"),
            ),
        ];
        let Err((sites, reason)) = change(&root, "inner/main.tf", edits) else {
            panic!("overlap accepted")
        };
        assert_eq!(sites.len(), 2);
        assert!(
            reason.contains("two fixes edit overlapping text (one and two)"),
            "{reason}"
        );
        // Two insertions at one point are both made, in a fixed order.
        let edits = vec![
            (edit("inner/main.tf", (3, 1), (3, 1), "c = 2\n"), site("c")),
            (edit("inner/main.tf", (3, 1), (3, 1), "b = 1\n"), site("b")),
        ];
        let Ok(Changed::Yes(change)) = change(&root, "inner/main.tf", edits) else {
            panic!("insertions refused")
        };
        assert_eq!(change.after, "a = \"PassThrough\"\nx {\nb = 1\nc = 2\n}\n");
        // Before a line that holds more than the brace, nothing is inserted.
        std::fs::write(dir.join("inner/main.tf"), "x {\n  /* y\n  */ }\n").unwrap();
        let in_comment = vec![(edit("inner/main.tf", (3, 1), (3, 1), "b = 1\n"), site("b"))];
        let Err((_, reason)) = super::change(&root, "inner/main.tf", in_comment) else {
            panic!("an insertion into a comment was accepted")
        };
        assert!(
            reason.contains("shares its line with other text"),
            "{reason}"
        );
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn an_edit_that_breaks_the_syntax_or_misses_a_json_string_is_refused() {
        let (dir, root) = temp_root("parse");
        std::fs::write(dir.join("inner/main.tf"), "a = \"PassThrough\"\n").unwrap();
        let broken = vec![(edit("inner/main.tf", (1, 5), (1, 18), "{"), site("x"))];
        let Err((_, reason)) = change(&root, "inner/main.tf", broken) else {
            panic!("a broken edit was accepted")
        };
        assert!(reason.contains("would no longer parse"), "{reason}");
        std::fs::write(dir.join("inner/main.tf.json"), "{\"a\": [1, 2]}\n").unwrap();
        let not_a_string = vec![(
            edit("inner/main.tf.json", (1, 7), (1, 13), "\"Active\""),
            site("y"),
        )];
        let Err((_, reason)) = change(&root, "inner/main.tf.json", not_a_string) else {
            panic!("a JSON array was replaced")
        };
        assert!(
            reason.contains("does not replace a string value"),
            "{reason}"
        );
        // A stale position (the file changed since) is refused, not applied elsewhere.
        let stale = vec![(edit("inner/main.tf", (9, 1), (9, 1), "b = 1\n"), site("z"))];
        let Err((_, reason)) = change(&root, "inner/main.tf", stale) else {
            panic!("a stale edit was accepted")
        };
        assert!(reason.contains("no longer has the lines"), "{reason}");
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn json_values_must_be_strings() {
        assert!(json_string("\"PassThrough\""));
        assert!(!json_string("\"a\", \"b\""));
        assert!(!json_string("null"));
    }
}
