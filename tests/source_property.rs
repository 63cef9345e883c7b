//! For random source trees over one plan: adding sources never turns a plan-decided `fail` into
//! `pass` or `unknown`, unless the plan itself marks the deciding value unknown; a plan-decided
//! `pass` stays a pass; and a secret the plan marks sensitive is never printed.

use proptest::prelude::*;
use serde_json::{json, Value};
use std::path::PathBuf;
use tracegate::finding::Verdict;
use tracegate::plan::{self, ReadOptions};
use tracegate::resolve::{self, Options};
use tracegate::source::SourceTree;

/// What the plan shows for the function.
#[derive(Debug, Clone, Copy)]
enum PlanShape {
    Active,
    PassThrough,
    /// The whole block unknown at create (omitted, or a dynamic block).
    BlockUnknown,
    /// `[]`.
    NoBlock,
    /// The mode unknown.
    ModeUnknown,
}

/// What a `for_each` (or a mode) refers to.
#[derive(Debug, Clone, Copy)]
enum Operand {
    EmptyList,
    OneItem,
    Variable,
    LocalChain,
    /// An attribute of a resource the plan creates and marks unknown.
    PlanUnknown,
    /// An attribute of a resource the plan already has (known).
    PlanKnown,
    /// `x[0].attr` of the known resource.
    PlanKnownIndexed,
    /// An attribute of a resource the plan does not hold.
    NotInPlan,
    /// Something tracegate does not evaluate.
    ForExpression,
    Splat,
}

#[derive(Debug, Clone, Copy)]
enum Source {
    Omitted,
    Literal(&'static str),
    BlockWithoutMode,
    Dynamic(Operand),
    ModeFrom(Operand),
}

fn operand() -> impl Strategy<Value = Operand> {
    prop_oneof![
        Just(Operand::EmptyList),
        Just(Operand::OneItem),
        Just(Operand::Variable),
        Just(Operand::LocalChain),
        Just(Operand::PlanUnknown),
        Just(Operand::PlanKnown),
        Just(Operand::PlanKnownIndexed),
        Just(Operand::NotInPlan),
        Just(Operand::ForExpression),
        Just(Operand::Splat),
    ]
}

fn source() -> impl Strategy<Value = Source> {
    prop_oneof![
        Just(Source::Omitted),
        Just(Source::Literal("Active")),
        Just(Source::Literal("PassThrough")),
        Just(Source::BlockWithoutMode),
        operand().prop_map(Source::Dynamic),
        operand().prop_map(Source::ModeFrom),
    ]
}

fn plan_shape() -> impl Strategy<Value = PlanShape> {
    prop_oneof![
        Just(PlanShape::Active),
        Just(PlanShape::PassThrough),
        Just(PlanShape::BlockUnknown),
        Just(PlanShape::NoBlock),
        Just(PlanShape::ModeUnknown),
    ]
}

/// The expression an operand stands for, as a list (`for_each`) or a mode string.
fn expression(operand: Operand, as_list: bool) -> String {
    let value = match operand {
        Operand::EmptyList => return "[]".to_owned(),
        Operand::OneItem => return "[1]".to_owned(),
        Operand::Variable => "var.secret",
        Operand::LocalChain => "local.second",
        Operand::PlanUnknown => "aws_ssm_parameter.created.value",
        Operand::PlanKnown => "aws_ssm_parameter.existing.value",
        Operand::PlanKnownIndexed => "aws_ssm_parameter.counted[0].value",
        Operand::NotInPlan => "aws_ssm_parameter.absent.value",
        Operand::ForExpression => "[for m in [\"Active\"] : m][0]",
        Operand::Splat => "aws_ssm_parameter.counted[*].value[0]",
    };
    if as_list {
        format!("{value} == \"Active\" ? [1] : []")
    } else {
        value.to_owned()
    }
}

/// Whether the deciding value is one the plan marks unknown.
fn plan_marks_unknown(source: Source) -> bool {
    matches!(
        source,
        Source::Dynamic(Operand::PlanUnknown) | Source::ModeFrom(Operand::PlanUnknown)
    )
}

const SECRET: &str = "s3cr3t-value-never-shown";

fn tf(source: Source) -> String {
    let body = match source {
        Source::Omitted => String::new(),
        Source::Literal(mode) => format!("  tracing_config {{\n    mode = \"{mode}\"\n  }}\n"),
        Source::BlockWithoutMode => "  tracing_config {\n  }\n".to_owned(),
        Source::Dynamic(operand) => format!(
            "  dynamic \"tracing_config\" {{\n    for_each = {}\n    content {{\n      mode = \"Active\"\n    }}\n  }}\n",
            expression(operand, true)
        ),
        Source::ModeFrom(operand) => format!(
            "  tracing_config {{\n    mode = {}\n  }}\n",
            expression(operand, false)
        ),
    };
    format!(
        "variable \"secret\" {{\n  type      = string\n  sensitive = \"true\"\n}}\n\nlocals {{\n  first  = var.secret\n  second = local.first\n}}\n\nresource \"aws_ssm_parameter\" \"created\" {{\n  name = \"created\"\n}}\nresource \"aws_ssm_parameter\" \"existing\" {{\n  name = \"existing\"\n}}\nresource \"aws_ssm_parameter\" \"counted\" {{\n  count = 1\n  name  = \"counted\"\n}}\n\nresource \"aws_lambda_function\" \"api\" {{\n  function_name = \"api\"\n{body}}}\n"
    )
}

fn plan_json(shape: PlanShape) -> Value {
    let (tracing, unknown) = match shape {
        PlanShape::Active => (json!([{"mode": "Active"}]), json!([{}])),
        PlanShape::PassThrough => (json!([{"mode": "PassThrough"}]), json!([{}])),
        PlanShape::BlockUnknown => (Value::Null, json!(true)),
        PlanShape::NoBlock => (json!([]), json!([])),
        PlanShape::ModeUnknown => (json!([{}]), json!([{"mode": true}])),
    };
    let mut after = json!({"function_name": "api"});
    if !tracing.is_null() {
        after["tracing_config"] = tracing;
    }
    let ssm = |address: &str, name: &str, actions: Value, unknown: Value| {
        json!({"address": address, "mode": "managed", "type": "aws_ssm_parameter", "name": name,
               "change": {"actions": actions, "after": {"name": name}, "after_unknown": unknown}})
    };
    json!({
        "format_version": "1.2",
        "terraform_version": "1.11.4",
        "variables": {"secret": {"value": SECRET}},
        "planned_values": {},
        "resource_changes": [
            {"address": "aws_lambda_function.api", "mode": "managed", "type": "aws_lambda_function",
             "name": "api", "change": {"actions": ["create"], "after": after,
             "after_unknown": {"tracing_config": unknown}, "after_sensitive": {}}},
            ssm("aws_ssm_parameter.created", "created", json!(["create"]), json!({"value": true, "arn": true})),
            ssm("aws_ssm_parameter.existing", "existing", json!(["no-op"]), json!({})),
            ssm("aws_ssm_parameter.counted[0]", "counted", json!(["no-op"]), json!({}))
        ],
        "configuration": {"root_module": {
            "resources": [{"address": "aws_lambda_function.api", "mode": "managed",
                           "type": "aws_lambda_function", "name": "api", "expressions": {}}],
            "variables": {"secret": {"sensitive": true}}}}
    })
}

fn judge(plan: &[u8], tree: Option<&SourceTree>) -> (Verdict, String) {
    plan::with_bytes(
        plan,
        ReadOptions {
            plan_path: None,
            other_resources: tree.is_some(),
            ..ReadOptions::default()
        },
        |parsed| {
            let (kind, _) = plan::classify(&parsed.document).unwrap();
            let judged = resolve::judge(
                &parsed.document,
                kind,
                resolve::PlanText {
                    bytes: parsed.text,
                    counts: Some(&parsed.counts),
                    line_offset: 0,
                },
                "plan.json",
                Options::default(),
                tree,
            );
            let finding = judged.findings.into_iter().next().expect("one function");
            (finding.verdict, serde_json::to_string(&finding).unwrap())
        },
    )
    .unwrap()
}

fn scratch(case: u64) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("source-property-{case}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn sources_only_make_a_verdict_more_precise(shape in plan_shape(), source in source(), case in any::<u64>()) {
        let plan = plan_json(shape).to_string();
        let (alone, _) = judge(plan.as_bytes(), None);
        let dir = scratch(case);
        std::fs::write(dir.join("main.tf"), tf(source)).unwrap();
        let tree = SourceTree::open(&dir).unwrap().expect("a .tf file");
        let (with_sources, shown) = judge(plan.as_bytes(), Some(&tree));
        let _ = std::fs::remove_dir_all(&dir);
        match alone {
            Verdict::Fail => prop_assert!(
                with_sources == Verdict::Fail
                    || (with_sources == Verdict::Unknown && plan_marks_unknown(source)),
                "a plan-decided fail became {with_sources:?} for {shape:?} / {source:?}: {shown}"
            ),
            Verdict::Pass => prop_assert_eq!(with_sources, Verdict::Pass, "{:?} / {:?}", shape, source),
            Verdict::Unknown => prop_assert!(with_sources != Verdict::Pass, "{shape:?} / {source:?}"),
            Verdict::Warn | Verdict::Skipped => {}
        }
        prop_assert!(!shown.contains(SECRET), "the secret was shown: {}", shown);
    }
}
