//! A large plan's `resource_changes` is read ahead in runs from where its key and its entries
//! probably are (`plan/ahead.rs`); the walk uses a run only when it arrives exactly there. These
//! plans are over the read-ahead size and put decoy keys where the guesses find them first, or
//! break an entry inside the part read ahead: the results and errors must be the one-thread ones
//! (the stream reader, which never reads ahead) and the generator's truth.

use std::collections::BTreeMap;
use tracegate::finding::Finding;
use tracegate::plan::scan::{self, StreamInput};
use tracegate::plan::{self, Document};
use tracegate::resolve::{self, Options};

#[path = "../examples/gen_plan.rs"]
#[allow(dead_code)]
mod gen_plan;

fn judge(document: &Document, text: &[u8]) -> Vec<Finding> {
    let (kind, _) = plan::classify(document).expect("a plan");
    resolve::judge(
        document,
        kind,
        resolve::PlanText::of(text),
        "plan.json",
        Options::default(),
        None,
    )
    .findings
}

/// The tracing rule's verdicts (the permission rule's findings share the functions' addresses).
fn verdicts(findings: &[Finding]) -> BTreeMap<String, String> {
    findings
        .iter()
        .filter(|f| f.rule == tracegate::rule::TRACING.id)
        .map(|f| (f.address.clone(), f.verdict.to_string()))
        .collect()
}

type Read = Result<BTreeMap<String, String>, String>;

/// Verdicts read from the slice (with read-ahead) and from a stream (without).
fn both(text: &[u8]) -> (Read, Read) {
    let slice = plan::with_bytes(text, plan::ReadOptions::default(), |parsed| {
        verdicts(&judge(&parsed.document, parsed.text))
    })
    .map_err(|e| e.to_string());
    let mut input = StreamInput::new(std::io::Cursor::new(text), 0);
    let stream = scan::document(&mut input, false)
        .map(|document| verdicts(&judge(&document, &[])))
        .map_err(|e| e.to_string());
    (slice, stream)
}

fn generated() -> (String, gen_plan::Counts) {
    let mut out = Vec::new();
    let counts = gen_plan::generate(1_400, 3, 10, &mut out).unwrap();
    assert!(out.len() > 9 << 20, "over the read-ahead size");
    (String::from_utf8(out).unwrap(), counts)
}

fn count(verdicts: &BTreeMap<String, String>, verdict: &str) -> usize {
    verdicts.values().filter(|v| *v == verdict).count()
}

#[test]
fn read_ahead_agrees_with_one_thread_and_the_truth() {
    let (text, counts) = generated();
    let (slice, stream) = both(text.as_bytes());
    let slice = slice.unwrap();
    assert_eq!(Ok(slice.clone()), stream);
    assert_eq!(slice.len(), counts.functions);
    assert_eq!(count(&slice, "pass"), counts.pass);
    assert_eq!(count(&slice, "fail"), counts.fail);
    assert_eq!(count(&slice, "unknown"), counts.unknown);
}

#[test]
fn decoy_keys_where_the_guesses_look_first_change_nothing() {
    let (text, counts) = generated();
    let decoy_change = r#"{"resource_changes":[{"address":"aws_lambda_function.decoy","mode":"managed","type":"aws_lambda_function","name":"decoy","change":{"actions":["create"],"after":{"tracing_config":[{"mode":"Active"}]},"after_unknown":{}}}]}"#;
    let decoy_prior = r#"{"prior_state":{"values":{"root_module":{"resources":[{"address":"aws_lambda_function.ghost","mode":"managed","type":"aws_lambda_function","name":"ghost","values":{"tracing_config":[{"mode":"PassThrough"}]}}]}}}}"#;
    // The first `"resource_changes"` is now inside `variables`, before `planned_values`; the last
    // `"prior_state"` inside the configuration's variables, after the real one.
    let text = text
        .replacen(
            r#""variables":{"region":{"value":"eu-west-1"}}"#,
            &format!(r#""variables":{{"region":{{"value":{decoy_change}}}}}"#),
            1,
        )
        .replacen(
            r#""variables":{"region":{"default":"eu-west-1"}}"#,
            &format!(r#""variables":{{"region":{{"default":{decoy_prior}}}}}"#),
            1,
        );
    assert!(text.contains("decoy") && text.contains("ghost"));
    let (slice, stream) = both(text.as_bytes());
    let slice = slice.unwrap();
    assert_eq!(Ok(slice.clone()), stream);
    assert_eq!(slice.len(), counts.functions);
    assert!(!slice.contains_key("aws_lambda_function.decoy"));
    assert!(!slice.contains_key("aws_lambda_function.ghost"));
}

#[test]
fn an_error_in_the_part_read_ahead_is_the_one_thread_error() {
    let (text, _) = generated();
    // Broken grammar in a judged entry of `resource_changes` (read in runs on both threads),
    // and separately in `prior_state` (read by the walk after them).
    let changes = text.find(r#""resource_changes":["#).unwrap();
    let prior = text.find(r#""prior_state":"#).unwrap();
    for (from, what) in [(changes, "resource_changes"), (prior, "prior_state")] {
        let at = from + text[from..].find(r#""mode":"Active""#).unwrap();
        let mut broken = text.clone().into_bytes();
        broken[at + 6] = b';';
        let (slice, stream) = both(&broken);
        let error = slice.expect_err(what);
        assert_eq!(Err(error.clone()), stream, "{what}");
        assert!(error.contains("line 1, column"), "{what}: {error}");
    }
    // Truncated inside `resource_changes`.
    let cut = changes + (text.len() - changes) / 3;
    let (slice, stream) = both(&text.as_bytes()[..cut]);
    assert!(slice.is_err());
    assert_eq!(slice, stream);
}

/// `resource_changes` is read in runs from guessed entry starts (`,{"address":"`, about every
/// MiB); here guesses land inside entries, on lists of objects that look like entries (one a
/// judged function): some of them (decoys early in each entry) or nearly all (decoys at its
/// end too), and one entry holds a long such list. No run that started inside an entry is
/// chained: what is read is the one-thread result and the truth.
#[test]
fn run_guesses_inside_entries_change_nothing() {
    let (text, counts) = generated();
    let fake = r#"{"address":"aws_lambda_function.fake","mode":"managed","type":"aws_lambda_function","name":"fake","change":{"actions":["create"],"after":{"tracing_config":[{"mode":"PassThrough"}]},"after_unknown":{}}}"#;
    let decoys = format!(r#"[{{"address":"x"}},{fake},{{"address":"y"}}]"#);
    let changes = text.find(r#""resource_changes":["#).unwrap();
    let prior = text.find(r#""prior_state":"#).unwrap();
    let (head, rest) = text.split_at(changes);
    let (middle, tail) = rest.split_at(prior - changes);
    for at_the_end_too in [false, true] {
        let mut middle =
            middle.replace(r#""after":{"#, &format!(r#""after":{{"decoys":{decoys},"#));
        if at_the_end_too {
            middle = middle.replace(
                r#""after_sensitive":{}"#,
                &format!(r#""after_sensitive":{{"decoys":{decoys}}}"#),
            );
        }
        // One entry with a list of 2 MiB of them: guesses fall inside it run after run.
        let long = format!(
            r#"{{"address":"x"}}{}"#,
            r#",{"address":"x"}"#.repeat(130_000)
        );
        let first = middle.find(r#""after":{"#).unwrap() + r#""after":{"#.len();
        middle.insert_str(first, &format!(r#""long":[{long}],"#));
        let text = format!("{head}{middle}{tail}");
        let (slice, stream) = both(text.as_bytes());
        let slice = slice.unwrap();
        assert_eq!(Ok(slice.clone()), stream);
        assert!(!slice.contains_key("aws_lambda_function.fake"));
        assert_eq!(slice.len(), counts.functions);
        assert_eq!(count(&slice, "pass"), counts.pass);
        assert_eq!(count(&slice, "fail"), counts.fail);
    }
}

/// The helper reads the last runs of `resource_changes` first: an error it finds there is
/// reported only when the walk reaches it, and an earlier error comes first, as on one thread.
#[test]
fn the_first_error_in_resource_changes_is_the_one_reported() {
    let (text, _) = generated();
    let changes = text.find(r#""resource_changes":["#).unwrap();
    let prior = text.find(r#""prior_state":"#).unwrap();
    let first = changes + text[changes..].find(r#""mode":"Active""#).unwrap();
    let last = changes + text[changes..prior].rfind(r#""mode":"Active""#).unwrap();
    assert!(last - first > 2 << 20, "the two are runs apart");
    for breaks in [vec![last], vec![first, last]] {
        let mut broken = text.clone().into_bytes();
        for &at in &breaks {
            broken[at + 6] = b';';
        }
        let (slice, stream) = both(&broken);
        let error = slice.expect_err("broken");
        assert_eq!(Err(error.clone()), stream, "{breaks:?}");
    }
}

/// A decoy `"prior_state"` (and a `"configuration"` after it) inside a value the walk only
/// skips: a helper that took the last `"prior_state"` for the real one built the decoy's
/// configuration (a 30 MB map of variables: about 400 MB) or its modules (7 million `{}`: about
/// 500 MB), and a plan broken at its first byte waited for it (attack reviews, 2026-12-03). Only
/// `resource_changes` is read ahead: under a 450 MB address space these plans end as the
/// one-thread read ends.
#[cfg(target_os = "linux")]
#[test]
fn a_decoy_configuration_is_not_built_ahead() {
    let (text, _) = generated();
    let variables: Vec<String> = (0..3_000_000).map(|i| format!(r#""{i:x}":{{}}"#)).collect();
    let configuration = format!(
        r#","zz":{{"prior_state":{{}},"configuration":{{"root_module":{{"variables":{{{}}}}}}}}}}}"#,
        variables.join(",")
    );
    let modules = format!(
        r#","zz":{{"prior_state":{{"values":{{"root_module":{{"child_modules":[{{}}{}]}}}}}}}}}}"#,
        ",{}".repeat(7_000_000)
    );
    let dir = std::env::temp_dir().join(format!("tracegate-decoy-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for decoy in [configuration, modules] {
        let plan = format!("{}{decoy}", &text[..text.rfind('}').unwrap()]);
        let broken = plan.replacen(':', ";", 1);
        for (name, body, code, error) in [
            ("plan.json", &plan, 1, None),
            (
                "broken.json",
                &broken,
                2,
                Some("invalid JSON (expected `:` at line 1, column 18)"),
            ),
        ] {
            let path = dir.join(name);
            std::fs::write(&path, body).unwrap();
            let script = format!(
                "ulimit -v 450000; exec {} check {} --format json > /dev/null",
                env!("CARGO_BIN_EXE_tracegate"),
                path.display()
            );
            let out = std::process::Command::new("sh")
                .args(["-c", &script])
                .output()
                .unwrap();
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(code), "{name}: {stderr}");
            if let Some(error) = error {
                assert!(stderr.contains(error), "{name}: {stderr}");
            }
        }
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
