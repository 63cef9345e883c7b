//! The report for people: failures and unknowns with their evidence and fix, one summary line.
//! Every string from the plan goes through `escape::terminal` before it is written.

use super::escape::terminal as clean;
use super::{counts_line, primary_rule, scope_words, undecided_words, Settings};
use crate::finding::{Finding, Location, Verdict};
use crate::outcome::{Gate, InputKind, Outcome, Summary, Undecided, UnknownPolicy};
use std::borrow::Cow;
use std::io::{self, Write};

const RED: &str = "\x1b[1;31m";
const YELLOW: &str = "\x1b[1;33m";
const GREEN: &str = "\x1b[32m";
const CYAN: &str = "\x1b[36m";
const DIM: &str = "\x1b[2m";
const BOLD: &str = "\x1b[1m";
const RESET: &str = "\x1b[0m";

struct Painter {
    color: bool,
    /// The base URI of OSC 8 links (`file:///repo`), when the terminal shows them.
    link_base: Option<String>,
    /// Wrap evidence and fixes at this many columns.
    width: Option<usize>,
}

impl Painter {
    fn paint<'t>(&self, code: &str, text: &'t str) -> Cow<'t, str> {
        if self.color {
            Cow::Owned(format!("{code}{text}{RESET}"))
        } else {
            Cow::Borrowed(text)
        }
    }

    /// `text` (already cleaned) as an OSC 8 hyperlink to `file` when links are on.
    fn link<'t>(&self, file: &str, text: &'t str) -> Cow<'t, str> {
        match &self.link_base {
            Some(base) => Cow::Owned(format!(
                "\x1b]8;;{base}/{}\x1b\\{text}\x1b]8;;\x1b\\",
                uri_path(file)
            )),
            None => Cow::Borrowed(text),
        }
    }

    /// A location as the evidence shows it, `(file:line:col)`, dim, linked to its file.
    fn location(&self, location: &Location) -> Word {
        let shown = clean(&location.to_string()).into_owned();
        let linked = self.link(&location.file, &shown).into_owned();
        Word {
            width: shown.chars().count() + 2,
            text: self.paint(DIM, &format!("({linked})")).into_owned(),
            gap: 2,
        }
    }

    /// Writes `words` after `first` (the line's prefix), wrapping at the width with `rest` as
    /// the prefix of each continuation line, so tree characters stay in their column.
    fn wrapped(
        &self,
        out: &mut dyn Write,
        first: &str,
        rest: &str,
        words: &[Word],
    ) -> io::Result<()> {
        let prefix_width = |p: &str| p.chars().count();
        let mut line = String::from(first);
        let mut used = prefix_width(first);
        let mut at_start = true;
        for word in words {
            let fits = match self.width {
                None => true,
                Some(width) => at_start || used + word.gap + word.width <= width,
            };
            if !fits {
                writeln!(out, "{line}")?;
                line = String::from(rest);
                used = prefix_width(rest);
                at_start = true;
            }
            if !at_start {
                line.extend(std::iter::repeat_n(' ', word.gap));
                used += word.gap;
            }
            line.push_str(&word.text);
            used += word.width;
            at_start = false;
        }
        writeln!(out, "{line}")
    }
}

/// A unit of wrapped text: what it writes (with escapes), how wide it shows, and how many
/// spaces go before it on a line.
struct Word {
    text: String,
    width: usize,
    gap: usize,
}

/// Plain words of cleaned text, split at spaces (a word wider than the line stays whole).
fn words(text: &str) -> Vec<Word> {
    text.split(' ')
        .map(|w| Word {
            text: w.to_owned(),
            width: w.chars().count(),
            gap: 1,
        })
        .collect()
}

/// A repository-relative path as a URI path: unreserved characters and `/` stay, the rest is
/// percent-encoded (so nothing in a file name can end the escape sequence).
pub fn uri_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(byte as char)
            }
            other => out.push_str(&format!("%{other:02X}")),
        }
    }
    out
}

fn label(verdict: Verdict, policy: UnknownPolicy) -> (&'static str, &'static str) {
    match verdict {
        Verdict::Fail => ("FAIL", RED),
        Verdict::Unknown if policy == UnknownPolicy::Fail => ("UNKNOWN", RED),
        Verdict::Unknown => ("UNKNOWN", YELLOW),
        Verdict::Warn => ("WARN", YELLOW),
        Verdict::Pass => ("PASS", GREEN),
        Verdict::Skipped => ("SKIPPED", DIM),
    }
}

fn write_finding(
    finding: &Finding,
    run: &Outcome,
    painter: &Painter,
    out: &mut dyn Write,
) -> io::Result<()> {
    let (word, code) = label(finding.verdict, run.unknown_policy);
    let mode = match (&finding.mode, finding.verdict) {
        // A finding of another rule than the tracing one names its rule instead.
        _ if finding.rule != crate::rule::ALL[0].id => finding.rule.to_owned(),
        (Some(mode), _) => format!("mode {}", clean(mode)),
        (None, Verdict::Fail) => "no mode set".to_owned(),
        (None, Verdict::Unknown) => "mode known only after apply".to_owned(),
        (None, _) => String::new(),
    };
    writeln!(
        out,
        "{} {}  {}",
        painter.paint(code, &format!("{word:<7}")),
        painter.paint(BOLD, &clean(&finding.display_name())),
        painter.paint(DIM, &mode)
    )?;
    let last = finding.evidence.len().saturating_sub(1);
    for (i, step) in finding.evidence.iter().enumerate() {
        let (branch, under) = if i == last {
            ("└─", "   ")
        } else {
            ("├─", "│  ")
        };
        let mut line = words(&clean(&step.message));
        if let Some(location) = &step.location {
            line.push(painter.location(location));
        }
        painter.wrapped(
            out,
            &format!("        {} ", painter.paint(DIM, branch)),
            &format!("        {}", painter.paint(DIM, under)),
            &line,
        )?;
    }
    if let Some(fix) = &finding.fix {
        let mut line = words(&clean(&fix.description));
        if let Some(location) = &fix.location {
            let mut word = painter.location(location);
            // The fix's location is not dimmed, and sits one space from the text.
            let shown = clean(&location.to_string()).into_owned();
            word.text = format!("({})", painter.link(&location.file, &shown));
            word.gap = 1;
            line.push(word);
        }
        painter.wrapped(
            out,
            &format!("        {} ", painter.paint(CYAN, "fix:")),
            "             ",
            &line,
        )?;
        if let Some(edit) = &fix.edit {
            let (sign, verb) = if edit.start == edit.end {
                ("+", "insert at")
            } else {
                ("~", "replace at")
            };
            let shown = clean(&edit.start.to_string()).into_owned();
            let at = painter.link(&edit.start.file, &shown);
            writeln!(
                out,
                "             {}",
                painter.paint(DIM, &format!("{verb} {at}:"))
            )?;
            for line in edit.text.trim_end_matches('\n').lines() {
                writeln!(
                    out,
                    "             {}",
                    painter.paint(GREEN, &format!("{sign} {}", clean(line)))
                )?;
            }
        }
    }
    Ok(())
}

pub fn write(run: &Outcome, style: &Settings, out: &mut dyn Write) -> io::Result<()> {
    let painter = Painter {
        color: style.color,
        link_base: style.link_base.clone().filter(|_| style.hyperlinks),
        width: style.width.map(|w| w.max(40)),
    };
    for plan in &run.plans {
        let kind = match plan.kind {
            InputKind::Plan => "plan",
            InputKind::State => "state",
        };
        let mut about = vec![kind.to_owned()];
        if let Some(version) = &plan.format_version {
            about.push(format!("format {}", clean(version)));
        }
        if let Some(version) = &plan.terraform_version {
            about.push(format!("Terraform {}", clean(version)));
        }
        if let Some(root) = &run.source_root {
            about.push(format!("sources {}", clean(root)));
        }
        let count = Summary::of(&plan.findings).functions;
        let scope = scope_words(&plan.scope);
        if !style.quiet {
            writeln!(
                out,
                "{}: {count} Lambda function{} ({}){}",
                painter.paint(BOLD, &clean(&plan.path)),
                if count == 1 { "" } else { "s" },
                about.join(", "),
                if scope.is_empty() {
                    String::new()
                } else {
                    format!("; {}", scope.join("; "))
                }
            )?;
        }
        // Findings are sorted by file: a header each time the file changes groups them.
        let mut current_file: Option<&str> = None;
        for finding in &plan.findings {
            let shown = if style.quiet {
                run.fails_gate(finding)
            } else {
                style.verbose || matches!(finding.verdict, Verdict::Fail | Verdict::Unknown)
            };
            if !shown {
                continue;
            }
            let file = finding.primary_location().map(|l| &*l.file);
            if !style.quiet
                && file.is_some()
                && file != current_file
                && file != Some(plan.path.as_str())
            {
                writeln!(
                    out,
                    "  {}",
                    painter.paint(DIM, &format!("── {}", clean(file.unwrap_or_default())))
                )?;
            }
            current_file = file;
            write_finding(finding, run, &painter, out)?;
        }
        if !style.quiet {
            writeln!(out)?;
        }
    }
    let gate = match run.gate() {
        Gate::Pass => painter.paint(GREEN, "gate passed"),
        Gate::Fail => painter.paint(RED, "gate failed"),
        Gate::Error => painter.paint(
            RED,
            undecided_words(run.undecided().unwrap_or(Undecided::InputUnreadable)),
        ),
    };
    let rule = primary_rule(run);
    writeln!(
        out,
        "{}: {}: {gate} ({} {})",
        env!("CARGO_PKG_NAME"),
        counts_line(run),
        rule.id,
        rule.title,
    )
}
