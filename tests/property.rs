//! Random plans (modes, omissions, unknowns, modules, actions, noise) judged three ways: the fast
//! scanner on a slice, the scanner on a stream, and serde over a plain `serde_json::Value` (the
//! reference path). All must agree with each other and with a small independent model of the rule.

use proptest::prelude::*;
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use tracegate::finding::Finding;
use tracegate::plan::scan::{self, StreamInput};
use tracegate::plan::{self, Document};
use tracegate::resolve::{self, Options};

#[derive(Debug, Clone, Copy)]
enum Mode {
    Active,
    PassThrough,
    Other,
    EmptyList,
    BlockUnknown,
    Computed,
}

#[derive(Debug, Clone)]
struct Function {
    awscc: bool,
    depth: usize,
    mode: Mode,
    actions: Vec<&'static str>,
    deposed: bool,
    data: bool,
    indexed: bool,
}

fn function() -> impl Strategy<Value = Function> {
    (
        any::<bool>(),
        0usize..3,
        prop_oneof![
            Just(Mode::Active),
            Just(Mode::PassThrough),
            Just(Mode::Other),
            Just(Mode::EmptyList),
            Just(Mode::BlockUnknown),
            Just(Mode::Computed)
        ],
        prop_oneof![
            Just(vec!["create"]),
            Just(vec!["update"]),
            Just(vec!["no-op"]),
            Just(vec!["delete"]),
            Just(vec!["delete", "create"]),
            Just(vec!["create", "delete"]),
            Just(vec!["forget"]),
            Just(vec!["forget", "create"]),
            Just(vec!["create", "forget"]),
        ],
        prop::bool::weighted(0.1),
        prop::bool::weighted(0.1),
        any::<bool>(),
    )
        .prop_map(
            |(awscc, depth, mode, actions, deposed, data, indexed)| Function {
                awscc,
                depth,
                mode,
                actions,
                deposed,
                data,
                indexed,
            },
        )
}

/// The rule, written independently of the implementation.
fn expected(f: &Function) -> Option<&'static str> {
    if f.data {
        return None;
    }
    let creating = f.actions.contains(&"create");
    // A deposed object is only ever destroyed; with any other action it is judged like any object.
    if f.actions == ["delete"] || (f.actions.contains(&"forget") && !creating) {
        return Some("skipped");
    }
    Some(match f.mode {
        Mode::Active => "pass",
        Mode::PassThrough | Mode::Other | Mode::EmptyList => "fail",
        Mode::BlockUnknown if creating => "fail",
        Mode::BlockUnknown | Mode::Computed => "unknown",
    })
}

fn address(i: usize, f: &Function) -> (String, Option<String>) {
    let module: Vec<String> = (0..f.depth)
        .map(|d| format!("module.m{d}[\"k.{i}\"]"))
        .collect();
    let module = (!module.is_empty()).then(|| module.join("."));
    let kind = if f.awscc {
        "awscc_lambda_function"
    } else {
        "aws_lambda_function"
    };
    let prefix = if f.data { "data." } else { "" };
    let index = if f.indexed {
        format!("[{i}]")
    } else {
        String::new()
    };
    let local = format!("{prefix}{kind}.f{i}{index}");
    match &module {
        Some(m) => (format!("{m}.{local}"), module),
        None => (local, None),
    }
}

fn plan_json(functions: &[Function], noise: usize) -> Value {
    let mut changes = Vec::new();
    for n in 0..noise {
        changes.push(json!({"address": format!("aws_s3_bucket.b{n}"), "mode": "managed", "type": "aws_s3_bucket",
            "name": format!("b{n}"), "change": {"actions": ["create"], "before": null,
            "after": {"bucket": format!("lambda_function\"{n}"), "tracing_config": [{"mode": "Active"}]},
            "after_unknown": {"id": true}}}));
    }
    for (i, f) in functions.iter().enumerate() {
        let (address, module) = address(i, f);
        let mut after = json!({"function_name": format!("f{i}")});
        let mut unknown = json!({"arn": true});
        let awscc = f.awscc;
        let known = |m: &str| {
            if awscc {
                json!({"mode": m})
            } else {
                json!([{"mode": m}])
            }
        };
        let unknown_mode = if awscc {
            json!({"mode": true})
        } else {
            json!([{"mode": true}])
        };
        match f.mode {
            Mode::Active => after["tracing_config"] = known("Active"),
            Mode::PassThrough => after["tracing_config"] = known("PassThrough"),
            Mode::Other => after["tracing_config"] = known("Disabled"),
            Mode::EmptyList => after["tracing_config"] = json!([]),
            Mode::BlockUnknown => unknown["tracing_config"] = json!(true),
            Mode::Computed => {
                after["tracing_config"] = if f.awscc { json!({}) } else { json!([{}]) };
                unknown["tracing_config"] = unknown_mode;
            }
        }
        let kind = if f.awscc {
            "awscc_lambda_function"
        } else {
            "aws_lambda_function"
        };
        let mut entry = json!({"address": address, "mode": if f.data { "data" } else { "managed" },
            "type": kind, "name": format!("f{i}"),
            "change": {"actions": f.actions, "before": null, "after": after, "after_unknown": unknown}});
        if let Some(m) = module {
            entry["module_address"] = json!(m);
        }
        if f.deposed {
            entry["deposed"] = json!("0000abcd");
        }
        changes.push(entry);
    }
    json!({"format_version": "1.2", "terraform_version": "1.11.4", "planned_values": {"root_module": {}},
           "resource_changes": changes, "configuration": {"root_module": {}}})
}

/// The tracing rule's verdicts (the permission rule's findings share the functions' addresses).
fn verdicts(findings: &[Finding]) -> BTreeMap<String, String> {
    findings
        .iter()
        .filter(|f| f.rule == tracegate::rule::TRACING.id)
        .map(|f| (f.address.clone(), f.verdict.to_string()))
        .collect()
}

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

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn three_paths_agree_with_the_model(functions in prop::collection::vec(function(), 0..12), noise in 0usize..4, pretty in any::<bool>()) {
        let value = plan_json(&functions, noise);
        let text = if pretty { serde_json::to_string_pretty(&value).unwrap() } else { value.to_string() };

        let fast = plan::with_bytes(text.as_bytes(), plan::ReadOptions::default(), |parsed| judge(&parsed.document, parsed.text)).unwrap();
        let mut stream = StreamInput::new(std::io::Cursor::new(text.as_bytes()), 0);
        let streamed = judge(&scan::document(&mut stream, false).unwrap(), &[]);
        let reference = judge(&Document::deserialize(value.clone()).unwrap(), &[]);

        let model: BTreeMap<String, String> = functions
            .iter()
            .enumerate()
            .filter_map(|(i, f)| expected(f).map(|v| (address(i, f).0, v.to_owned())))
            .collect();
        prop_assert_eq!(&verdicts(&fast), &model);
        prop_assert_eq!(&verdicts(&streamed), &model);
        prop_assert_eq!(&verdicts(&reference), &model);
        // Beyond verdicts, the evidence and fixes agree (locations only exist on the slice).
        let strip = |findings: Vec<Finding>| -> Vec<(String, Vec<String>)> {
            findings.into_iter().map(|f| (f.address, f.evidence.into_iter().map(|e| e.message.into_owned()).collect())).collect()
        };
        prop_assert_eq!(strip(fast), strip(reference));
    }
}
