//! Suppressions: an ignore comment on or directly above the resource (or module call) header, or
//! an entry in `.tracegate.toml` at the source root. An ignore comment counts only when it is a
//! real HCL comment (hcl-edit's trivia around the block: the lines before its header, or the rest
//! of the header line after `{`), never marker text inside a string, and only in a file of the
//! repository that Terraform reads: not in a downloaded module under `.terraform/`, not in a
//! JSON file (JSON has no comments), not in an ignored name (those are never read). A suppressed
//! finding becomes `skipped`, keeps its verdict in `suppression`, and does not fail the gate. A
//! suppression needs a reason; an expired one stops suppressing and says so.
//!
//! Under `foreign_ignores = true`, the skip comments of Checkov, Trivy and tfsec count too, in the
//! same places (Checkov's also on the comment lines at the top level of the block's body, where
//! Checkov's docs put them), when they name a check that means D9.AWS.OPE.07 and give a reason.

use crate::config::{Ignore, CONFIG_FILE};
use crate::finding::{
    Evidence, Finding, ForeignTool, Location, Suppression, SuppressionKind, Verdict,
};
use crate::plan::address;
use crate::source::module::Found;
use crate::source::SourceTree;
use crate::support::date::Date;
use hcl_edit::structure::Block;
use hcl_edit::{Decorate, Span};

const MARKER: &str = "tracegate:ignore[";

/// The ids other tools give the check that D9.AWS.OPE.07 is, as their docs and sources name them:
/// - Checkov: `CKV_AWS_50` "X-Ray tracing is enabled for Lambda"; skip syntax
///   `#checkov:skip=<check_id>:<suppression_comment>` (checkov docs, "Suppressing and Skipping
///   Policies"; `checkov/common/comment/enum.py`: `COMMENT_REGEX =
///   (checkov:skip=|bridgecrew:skip=|cortex:skip=) *([A-Za-z_\d]+(?:,[A-Za-z_\d]+)*)?(:[^\n]*)?`).
/// - Trivy: `AVD-AWS-0066`, long id `aws-lambda-enable-tracing` (trivy-checks
///   `checks/cloud/aws/lambda/enable_tracing`); `#trivy:ignore:<id>[:exp:YYYY-MM-DD][:ws:<name>]`
///   (trivy docs, "Filtering", "By Inline Comments"; an ignore matches a rule's AVD id or long id).
/// - tfsec: `aws-lambda-enable-tracing` (or its AVD id); `#tfsec:ignore:<id>[:exp:YYYY-MM-DD]
///   [:ws:<name>]`, several on one line (tfsec docs, "Ignoring Checks"; defsec's `IsIgnored`
///   matches the AVD id or the long id).
///
/// Only D9.AWS.OPE.07 has counterparts; a wildcard (`tfsec:ignore:*`) is not one.
fn foreign_ids(tool: ForeignTool, rule: &str) -> &'static [&'static str] {
    if rule != crate::rule::TRACING.id {
        return &[];
    }
    match tool {
        ForeignTool::Checkov => &["CKV_AWS_50"],
        ForeignTool::Trivy | ForeignTool::Tfsec => &["AVD-AWS-0066", "aws-lambda-enable-tracing"],
    }
}

/// The comments a suppression may come from: their place, their text, and whether only
/// Checkov's syntax counts there (the block's body).
struct Comment {
    at: Location,
    text: String,
    body: bool,
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

/// What another tool's skip comment says, when it names a check meaning `rule`.
#[derive(Debug, PartialEq, Eq)]
struct Foreign {
    tool: ForeignTool,
    /// The reason (may be empty: then it does not suppress).
    reason: String,
    /// `:exp:` as written, when there is one.
    expires: Option<String>,
    /// `:ws:`: Terraform workspace the ignore is scoped to.
    workspace: Option<String>,
}

/// The text of a comment after its opener (`#`, `//`, `/*`) and the spaces after it; `None` when
/// the line is not a comment.
fn comment_body(line: &str) -> Option<&str> {
    let line = line.trim_start();
    let body = line
        .strip_prefix('#')
        .or_else(|| line.strip_prefix("//"))
        .or_else(|| line.strip_prefix("/*"))?;
    let body = body.trim();
    Some(body.strip_suffix("*/").unwrap_or(body).trim_end())
}

/// Another tool's skip comment on a line, when it names a check meaning `rule`. The skip must
/// open the comment (a mention in the middle of a sentence is not one).
fn foreign_comment(line: &str, rule: &str) -> Option<Foreign> {
    let body = comment_body(line)?;
    for prefix in ["checkov:skip=", "bridgecrew:skip=", "cortex:skip="] {
        if let Some(rest) = body.strip_prefix(prefix) {
            let (ids, reason) = rest.split_once(':').unwrap_or((rest, ""));
            let names = ids
                .split(',')
                .map(str::trim)
                .any(|id| foreign_ids(ForeignTool::Checkov, rule).contains(&id));
            return names.then(|| Foreign {
                tool: ForeignTool::Checkov,
                reason: reason.trim().to_owned(),
                expires: None,
                workspace: None,
            });
        }
    }
    // `tfsec:ignore:a tfsec:ignore:b:exp:2026-01-01 reason`: ignores, then the reason.
    let mut rest = body;
    let mut found = None;
    loop {
        let tool = if rest.starts_with("tfsec:ignore:") {
            ForeignTool::Tfsec
        } else if rest.starts_with("trivy:ignore:") {
            ForeignTool::Trivy
        } else {
            break;
        };
        let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        let token = &rest["tfsec:ignore:".len()..end];
        rest = rest[end..].trim_start();
        let mut parts = token.split(':');
        let id = parts.next().unwrap_or("");
        let mut expires = None;
        let mut workspace = None;
        while let Some(key) = parts.next() {
            let value = parts.next().unwrap_or("").to_owned();
            match key {
                "exp" => expires = Some(value),
                "ws" => workspace = Some(value),
                // An option tracegate does not know: the ignore means something it cannot judge.
                _ => workspace = Some(format!("{key}:{value}")),
            }
        }
        if found.is_none() && foreign_ids(tool, rule).contains(&id) {
            found = Some(Foreign {
                tool,
                reason: String::new(),
                expires,
                workspace,
            });
        }
    }
    found.map(|f| Foreign {
        reason: rest.trim().to_owned(),
        ..f
    })
}

fn suppress(finding: &mut Finding, suppression: Suppression, how: &str) {
    finding.evidence.push(Evidence::at(
        format!("suppressed by {how}: {}", suppression.justification),
        suppression.location.clone(),
    ));
    finding.suppression = Some(Box::new(Suppression {
        suppressed_verdict: finding.verdict,
        ..suppression
    }));
    finding.verdict = Verdict::Skipped;
    finding.fix = None;
}

/// A decor piece of `file` that ends at byte `end` (or starts at `start`), split into lines with
/// where each is. The piece is checked against the file's text, never assumed.
fn lines_of(found: &Found<Block>, piece: &str, start: usize, body: bool, out: &mut Vec<Comment>) {
    let file = found.file;
    if file.text.get(start..start + piece.len()) != Some(piece) {
        return;
    }
    let mut offset = start;
    for line in piece.split('\n') {
        if comment_body(line).is_some() {
            let mut at = file.location(Some(offset..offset));
            at.column = None;
            out.push(Comment {
                at,
                text: line.to_owned(),
                body,
            });
        }
        offset += line.len() + 1;
    }
}

/// The comments around a block's header that may suppress it, with their lines: the trivia
/// before the header on its own line, the line directly above when it is a comment line, and
/// the rest of the header line after `{`. All of it is hcl-edit's decor (whitespace and comments
/// only), so marker text inside a string never shows up here. With `body`, also the comment lines
/// at the top level of the block's body (where Checkov's skips go).
fn block_comments(found: Found<Block>, body: bool) -> Vec<Comment> {
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
                out.push(Comment {
                    at: at(header.line),
                    text: same.to_owned(),
                    body: false,
                });
            }
            if let Some(above) = lines.next() {
                if above.trim_start().starts_with(['#', '/']) {
                    out.push(Comment {
                        at: at(header.line.saturating_sub(1)),
                        text: above.to_owned(),
                        body: false,
                    });
                }
            }
        }
    }
    // A one-line block (`{ … }` on the header line) has no such decor: its text is not trivia.
    if let Some(after) = found.item.body.decor().prefix() {
        let after: &str = after;
        out.push(Comment {
            at: at(header.line),
            text: after.lines().next().unwrap_or("").to_owned(),
            body: false,
        });
        if body {
            if let Some(start) = found.item.body.span().map(|s| s.start) {
                // The lines after the header line: the body's own trivia.
                let mut rest = Vec::new();
                lines_of(&found, after, start, true, &mut rest);
                out.extend(rest.into_iter().filter(|c| c.at.line != header.line));
            }
        }
    }
    if body {
        for item in found.item.body.iter() {
            let Some(item_span) = item.span() else {
                continue;
            };
            if let Some(prefix) = item.decor().prefix() {
                let prefix: &str = prefix;
                let start = item_span.start.saturating_sub(prefix.len());
                lines_of(&found, prefix, start, true, &mut out);
            }
            if let Some(suffix) = item.decor().suffix() {
                lines_of(&found, suffix, item_span.end, true, &mut out);
            }
        }
    }
    out
}

/// Comments that count for a finding: at the resource's header (and, with `body`, in its body)
/// and at each module call's header on its path.
fn comments(finding: &Finding, sources: &SourceTree, body: bool) -> Vec<Comment> {
    let Some(parsed) = address::parse(&finding.address) else {
        return Vec::new();
    };
    if parsed.modules.len() > crate::source::MAX_MODULE_DEPTH {
        return Vec::new();
    }
    let mut out = Vec::new();
    if let Ok(module) = sources.module(&parsed.modules).as_ref() {
        if let Some(resource) = module.resource(&parsed.resource_type, &parsed.name) {
            out.extend(block_comments(resource, body));
        }
    }
    for depth in 1..=parsed.modules.len() {
        if let Ok(parent) = sources.module(&parsed.modules[..depth - 1]).as_ref() {
            if let Some(call) = parent.module_call(&parsed.modules[depth - 1]) {
                // A skip in a module call's body is about the call, not the functions inside.
                out.extend(block_comments(call, false));
            }
        }
    }
    out
}

/// What the tool calls its comments.
fn comment_kind(tool: ForeignTool) -> &'static str {
    match tool {
        ForeignTool::Checkov => "skip comment",
        ForeignTool::Trivy | ForeignTool::Tfsec => "ignore comment",
    }
}

/// Whether another tool's skip comment suppresses: `Ok(reason)`, or `Err(why not)` for the
/// evidence.
fn foreign_verdict(foreign: &Foreign, today: Date) -> Result<String, String> {
    let tool = foreign.tool.name();
    let kind = comment_kind(foreign.tool);
    if let Some(workspace) = &foreign.workspace {
        return Err(format!(
            "the {tool} ignore comment is scoped to `{workspace}`, which tracegate cannot tell from a plan, so it does not suppress"
        ));
    }
    if let Some(expires) = &foreign.expires {
        let Some(date) = Date::parse(expires) else {
            return Err(format!(
                "the {tool} ignore comment has exp:{expires}, which is not a date (YYYY-MM-DD), so it does not suppress"
            ));
        };
        // tfsec and Trivy: an ignore holds while now is before the date (defsec `IsIgnored`).
        if today >= date {
            return Err(format!(
                "the {tool} ignore comment expired on {date} and no longer suppresses"
            ));
        }
    }
    if !visible(&foreign.reason) {
        let example = match foreign.tool {
            ForeignTool::Checkov => "`#checkov:skip=CKV_AWS_50:why`",
            ForeignTool::Trivy => {
                "`#trivy:ignore:AVD-AWS-0066 why` (the reason after it, on its line)"
            }
            ForeignTool::Tfsec => {
                "`#tfsec:ignore:aws-lambda-enable-tracing why` (the reason after it, on its line)"
            }
        };
        return Err(format!(
            "the {tool} {kind} has no reason, so it does not suppress: write {example}"
        ));
    }
    Ok(foreign.reason.clone())
}

/// Applies suppressions to judged findings. Only failing and unknown findings are suppressed.
/// `foreign` honours Checkov's, Trivy's and tfsec's skip comments (`foreign_ignores = true`).
pub fn apply(
    findings: &mut [Finding],
    ignores: &[Ignore],
    foreign: bool,
    sources: Option<&SourceTree>,
    today: Date,
) {
    for finding in findings.iter_mut() {
        if !matches!(finding.verdict, Verdict::Fail | Verdict::Unknown) {
            continue;
        }
        if let Some(sources) = sources {
            let mut suppressed = false;
            for comment in comments(finding, sources, foreign) {
                if !comment.body {
                    if let Some(reason) = ignore_comment(&comment.text, finding.rule) {
                        if !visible(&reason) {
                            finding.evidence.push(Evidence::at(
                                format!("the ignore comment has no reason, so it does not suppress: write `# {MARKER}{}] why`", finding.rule),
                                Some(comment.at),
                            ));
                            continue;
                        }
                        let suppression = Suppression {
                            kind: SuppressionKind::InSource,
                            justification: reason,
                            location: Some(comment.at),
                            suppressed_verdict: finding.verdict,
                            tool: None,
                            comment: None,
                        };
                        suppress(finding, suppression, "an ignore comment");
                        suppressed = true;
                        break;
                    }
                }
                if !foreign {
                    continue;
                }
                let Some(skip) = foreign_comment(&comment.text, finding.rule) else {
                    continue;
                };
                // Only Checkov puts its skips in the body.
                if comment.body && skip.tool != ForeignTool::Checkov {
                    continue;
                }
                match foreign_verdict(&skip, today) {
                    Err(why) => finding.evidence.push(Evidence::at(why, Some(comment.at))),
                    Ok(reason) => {
                        let how = format!("a {} {}", skip.tool.name(), comment_kind(skip.tool));
                        let suppression = Suppression {
                            kind: SuppressionKind::InSource,
                            justification: reason,
                            location: Some(comment.at),
                            suppressed_verdict: finding.verdict,
                            tool: Some(skip.tool),
                            comment: Some(comment.text.trim().to_owned()),
                        };
                        suppress(finding, suppression, &how);
                        suppressed = true;
                        break;
                    }
                }
            }
            if suppressed {
                continue;
            }
        }
        for entry in ignores {
            if entry.rule.as_deref().is_some_and(|r| r != finding.rule)
                || !glob(&entry.address, &finding.address)
            {
                continue;
            }
            let reason = entry.reason.as_deref().map(str::trim).unwrap_or("");
            if !visible(reason) {
                finding.evidence.push(Evidence::at(
                    format!(
                        "the {CONFIG_FILE} entry for {} has no reason, so it does not suppress",
                        entry.address
                    ),
                    Some(entry.location.clone()),
                ));
                continue;
            }
            if let Some(expires) = entry.expires {
                if today > expires {
                    finding.evidence.push(Evidence::at(
                        format!("the {CONFIG_FILE} entry for {} expired on {expires} and no longer suppresses", entry.address),
                        Some(entry.location.clone()),
                    ));
                    continue;
                }
            }
            let suppression = Suppression {
                kind: SuppressionKind::External,
                justification: reason.to_owned(),
                location: Some(entry.location.clone()),
                suppressed_verdict: finding.verdict,
                tool: None,
                comment: None,
            };
            suppress(finding, suppression, CONFIG_FILE);
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
}
