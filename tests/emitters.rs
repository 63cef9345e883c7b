//! The report formats on one hand-built `Outcome`, without the plan reader or the resolver: every
//! verdict, evidence with and without locations, fixes with and without edits, both kinds of
//! suppression, an input failure and hostile strings. Resolver wording changes touch only the
//! resolver's tests; a format change shows here, one snapshot per format.

use tracegate::finding::{
    fingerprint, Baseline, Edit, Evidence, Finding, Fix, Location, Suppression, SuppressionKind,
    Verdict,
};
use tracegate::outcome::{
    FailOn, InputFailure, InputKind, Outcome, PlanResult, PlanScope, UnknownPolicy,
};
use tracegate::report::{self, Format, Settings};

const RULE: &str = "D9.AWS.OPE.07";
const HOSTILE: &str = "evil%0A::error::pwned\n|<b>\u{1b}[31m[x](https://e.test) @team \u{202e}";

fn at(file: &str, line: u32, column: Option<u32>) -> Option<Location> {
    Some(Location {
        file: file.into(),
        line,
        column,
    })
}

fn finding(address: &str, verdict: Verdict, mode: Option<&str>) -> Finding {
    Finding {
        rule: RULE,
        address: address.to_owned(),
        resource_type: "aws_lambda_function",
        deposed: None,
        verdict,
        mode: mode.map(str::to_owned),
        actions: &["create"],
        evidence: Vec::new(),
        fix: None,
        location: None,
        suppression: None,
        baseline: None,
        fingerprint: fingerprint(RULE, address, None),
    }
}

fn outcome() -> Outcome {
    let mut fail = finding(
        "aws_lambda_function.passthrough",
        Verdict::Fail,
        Some("PassThrough"),
    );
    fail.evidence = vec![
        Evidence::at(
            "var.mode = \"PassThrough\" (its default)",
            at("variables.tf", 3, Some(13)),
        ),
        Evidence::new(
            "PassThrough: Lambda traces only requests that arrive with a sampled tracing header",
        ),
    ];
    fail.fix = Some(Box::new(Fix {
        description: "set mode = \"Active\"".to_owned(),
        location: at("main.tf", 12, Some(12)),
        edit: Some(Edit {
            start: Location {
                file: "main.tf".into(),
                line: 12,
                column: Some(12),
            },
            end: Location {
                file: "main.tf".into(),
                line: 12,
                column: Some(25),
            },
            text: "\"Active\"".to_owned(),
            byte_columns: [12, 25],
        }),
        refusal: None,
    }));
    fail.location = at("main.tf", 10, Some(1));

    let mut omitted = finding("aws_lambda_function.omitted", Verdict::Fail, None);
    omitted.evidence = vec![Evidence::at(
        "the plan sends no tracing_config: AWS applies PassThrough",
        at("plan.json", 1, Some(420)),
    )];
    omitted.fix = Some(Box::new(Fix {
        description: "add tracing_config { mode = \"Active\" }".to_owned(),
        location: None,
        edit: None,
        refusal: None,
    }));

    let mut unknown = finding(
        "module.ssm.aws_lambda_function.this[0]",
        Verdict::Unknown,
        None,
    );
    unknown.evidence = vec![Evidence::new(
        "aws_ssm_parameter.mode.value is known only after apply",
    )];

    let mut pass = finding("aws_lambda_function.active", Verdict::Pass, Some("Active"));
    pass.evidence = vec![Evidence::new(
        "the plan has tracing_config[0].mode = \"Active\"",
    )];

    let mut skipped = finding("aws_lambda_function.deleted", Verdict::Skipped, None);
    skipped.actions = &["delete"];
    skipped.evidence = vec![Evidence::new("deleted by this plan: not judged")];

    let mut in_source = finding("aws_lambda_function.legacy", Verdict::Skipped, None);
    in_source.suppression = Some(Box::new(Suppression {
        kind: SuppressionKind::InSource,
        justification: "retired next quarter".to_owned(),
        location: at("main.tf", 30, None),
        suppressed_verdict: Verdict::Fail,
    }));
    let mut external = finding("aws_lambda_function.vendor", Verdict::Skipped, None);
    external.suppression = Some(Box::new(Suppression {
        kind: SuppressionKind::External,
        justification: "owned by the vendor".to_owned(),
        location: at(".tracegate.toml", 4, None),
        suppressed_verdict: Verdict::Unknown,
    }));

    let mut hostile = finding(
        &format!("aws_lambda_function.each[\"{HOSTILE}\"]"),
        Verdict::Fail,
        Some(HOSTILE),
    );
    fail.baseline = Some(Baseline::New);
    omitted.baseline = Some(Baseline::Existing);
    hostile.evidence = vec![Evidence::at(HOSTILE, at(HOSTILE, 2, Some(1)))];
    hostile.fix = Some(Box::new(Fix {
        description: HOSTILE.to_owned(),
        location: None,
        edit: None,
        refusal: None,
    }));

    Outcome {
        fail_on: FailOn::All,
        plans: vec![PlanResult {
            path: "infra/plan.json".to_owned(),
            kind: InputKind::Plan,
            format_version: Some("1.2".to_owned()),
            terraform_version: Some("1.11.4".to_owned()),
            warnings: vec!["a warning about this plan".to_owned()],
            findings: vec![
                fail, omitted, unknown, pass, skipped, in_source, external, hostile,
            ],
            scope: PlanScope {
                complete: Some(false),
                errored: false,
                refresh_only: false,
                from_prior_state: 2,
                deferred: 1,
            },
        }],
        errors: vec![InputFailure {
            path: "broken.json".to_owned(),
            message: format!("truncated JSON {HOSTILE}"),
        }],
        unknown_policy: UnknownPolicy::Warn,
        source_root: Some("infra".to_owned()),
        diagnostics: Vec::new(),
    }
}

fn render(format: Format) -> String {
    let settings = Settings {
        color: false,
        verbose: true,
        category: Some("infra/prod".to_owned()),
        ..Settings::default()
    };
    let mut out = Vec::new();
    report::write(format, &outcome(), &settings, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

fn json(format: Format) -> serde_json::Value {
    serde_json::from_str(&render(format)).unwrap()
}

#[test]
fn text() {
    insta::assert_snapshot!(render(Format::Text));
}

#[test]
fn github() {
    insta::assert_snapshot!(render(Format::Github));
}

#[test]
fn markdown() {
    insta::assert_snapshot!(render(Format::Markdown));
}

#[test]
fn junit() {
    insta::assert_snapshot!(render(Format::Junit));
}

#[test]
fn json_report() {
    insta::assert_json_snapshot!(json(Format::Json), {
        ".tool.version" => "[version]",
        ".tool.rules" => "[rules: see tests/snapshots.rs rules_command]",
    });
}

#[test]
fn sarif() {
    insta::assert_json_snapshot!(json(Format::Sarif), {
        ".runs[].tool.driver.version" => "[version]",
        ".runs[].tool.driver.semanticVersion" => "[version]",
        ".runs[].tool.driver.rules" => "[rules: see tests/reports.rs sarif_rule_metadata]",
    });
}

#[test]
fn rdjson() {
    insta::assert_json_snapshot!(json(Format::Rdjson), {
        ".source.url" => "[repository]",
        ".diagnostics[].source.url" => "[repository]",
    });
}

#[test]
fn gitlab() {
    insta::assert_json_snapshot!(json(Format::Gitlab));
}

#[test]
fn text_for_a_terminal_links_locations_and_wraps() {
    let settings = Settings {
        color: true,
        hyperlinks: true,
        link_base: Some("file:///work/repo".to_owned()),
        width: Some(60),
        ..Settings::default()
    };
    let mut out = Vec::new();
    report::write(Format::Text, &outcome(), &settings, &mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    // OSC 8 around the location, to the file under the base; the hostile file name is
    // percent-encoded, so nothing in it can end the escape sequence.
    assert!(
        text.contains(
            "\x1b]8;;file:///work/repo/variables.tf\x1b\\variables.tf:3:13\x1b]8;;\x1b\\"
        ),
        "{text}"
    );
    assert!(text.contains("\x1b]8;;file:///work/repo/evil%250A%3A%3Aerror"));
    assert!(!text.contains("\x1b]8;;file:///work/repo/evil%0A::"));
    // Links need the setting: plain colour has none.
    let mut out = Vec::new();
    let coloured = Settings {
        color: true,
        ..Settings::default()
    };
    report::write(Format::Text, &outcome(), &coloured, &mut out).unwrap();
    assert!(!String::from_utf8(out).unwrap().contains("\x1b]8;"));
    insta::assert_snapshot!(text);
}
