//! The README cannot go stale: every fenced block that starts with `$ tracegate …` is run from the
//! repository root, and what the block shows after the command must be what the terminal shows
//! (stderr, then stdout; trailing spaces ignored).
//!
//! A block preceded by `<!-- readme-test: lines -->` shows a subset: each shown line must appear
//! in the output, in order, and a shown line ending in `…` matches any line that starts with the
//! text before it. Nothing else is skipped.

mod common;
use common::{command, run_with};

struct Example {
    line: usize,
    args: Vec<String>,
    expected: Vec<String>,
    subset: bool,
}

/// Words of a command line: spaces split, single and double quotes group.
fn split(command: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut quote = None;
    let mut any = false;
    for c in command.chars() {
        match (quote, c) {
            (None, '\'' | '"') => {
                quote = Some(c);
                any = true;
            }
            (Some(q), c) if c == q => quote = None,
            (None, ' ') => {
                if any {
                    words.push(std::mem::take(&mut word));
                    any = false;
                }
            }
            (_, c) => {
                word.push(c);
                any = true;
            }
        }
    }
    assert!(quote.is_none(), "unclosed quote in {command:?}");
    if any {
        words.push(word);
    }
    words
}

fn examples(readme: &str) -> Vec<Example> {
    let mut examples = Vec::new();
    let lines: Vec<&str> = readme.lines().collect();
    let mut i = 0;
    while i < lines.len() {
        let fence = lines[i].trim_start();
        if !fence.starts_with("```") {
            i += 1;
            continue;
        }
        let indent = lines[i].len() - fence.len();
        let start = i;
        i += 1;
        let mut body = Vec::new();
        while i < lines.len() && !lines[i].trim_start().starts_with("```") {
            body.push(lines[i].get(indent..).unwrap_or(lines[i].trim_start()));
            i += 1;
        }
        i += 1;
        let Some(command) = body.first().and_then(|l| l.strip_prefix("$ tracegate ")) else {
            continue;
        };
        let subset = start > 0
            && lines[..start]
                .iter()
                .rev()
                .find(|l| !l.trim().is_empty())
                .is_some_and(|l| l.trim() == "<!-- readme-test: lines -->");
        examples.push(Example {
            line: start + 1,
            args: split(command),
            expected: body[1..].iter().map(|l| l.trim_end().to_owned()).collect(),
            subset,
        });
    }
    examples
}

fn matches(shown: &str, actual: &str) -> bool {
    match shown.strip_suffix('…') {
        Some(prefix) => actual.starts_with(prefix),
        None => shown == actual,
    }
}

#[test]
fn every_tracegate_block_in_the_readme_shows_what_it_prints() {
    let readme = std::fs::read_to_string(common::root().join("README.md")).unwrap();
    let examples = examples(&readme);
    assert!(
        examples.len() >= 4,
        "the README's examples were not found: {}",
        examples.len()
    );
    let mut failures = Vec::new();
    for example in &examples {
        let args: Vec<&str> = example.args.iter().map(String::as_str).collect();
        let outcome = run_with(command(&args), None);
        let actual: Vec<String> = format!("{}{}", outcome.stderr, outcome.stdout)
            .lines()
            .map(|l| l.trim_end().to_owned())
            .collect();
        let ok = if example.subset {
            let mut rest = actual.iter();
            example
                .expected
                .iter()
                .all(|shown| rest.any(|line| matches(shown, line)))
        } else {
            // Trailing blank lines of the block are not output.
            let mut expected = example.expected.clone();
            while expected.last().is_some_and(|l| l.is_empty()) {
                expected.pop();
            }
            let mut actual = actual.clone();
            while actual.last().is_some_and(|l| l.is_empty()) {
                actual.pop();
            }
            expected.len() == actual.len()
                && expected.iter().zip(&actual).all(|(e, a)| matches(e, a))
        };
        if !ok {
            failures.push(format!(
                "README.md:{} `tracegate {}`{}\n--- README shows\n{}\n--- it prints\n{}",
                example.line,
                example.args.join(" "),
                if example.subset { " (lines)" } else { "" },
                example.expected.join("\n"),
                actual.join("\n")
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn the_splitter_groups_quotes() {
    assert_eq!(
        split("check a.json --plan-path '$.mock.valid' \"b c\""),
        ["check", "a.json", "--plan-path", "$.mock.valid", "b c"]
    );
}
