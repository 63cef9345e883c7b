//! D9.AWS.OPE.07: Lambda functions must use Active X-Ray tracing.

use super::{Rule, Target};
use crate::finding::Verdict;

pub static TRACING: Rule = Rule {
    id: "D9.AWS.OPE.07",
    title: "Lambda functions must use Active X-Ray tracing",
    category: "Compute",
    entity: "AWS Lambda",
    risk: "Low",
    security_severity: "3.0",
    description: "Lambda should not have tracingConfig.mode='PassThrough'. Only Active tracing passes; a function \
        that sets no tracing at all fails too, because AWS then applies PassThrough.",
    rationale: "X-Ray shows what a request did inside the function and across services, which cuts investigation \
        and debugging time. With PassThrough, Lambda traces only requests that arrive with a sampled tracing \
        header; with Active, it also asks X-Ray for a sampling decision when no header arrives.",
    remediation: &[
        "Terraform: add `tracing_config { mode = \"Active\" }` to the aws_lambda_function (or set the module input \
         or variable that feeds it to \"Active\").",
        "Console: the function's Configuration → Monitoring and operations tools → Active tracing.",
        "CLI: `aws lambda update-function-configuration --function-name NAME --tracing-config Mode=Active`.",
    ],
    permissions_note: "Active tracing needs the execution role to allow xray:PutTraceSegments and \
        xray:PutTelemetryRecords (AWS managed policy AWSXRayDaemonWriteAccess).",
    compliance: &[
        "CloudGuard Best Practices",
        "SOC 2 (AICPA TSC 2017)",
        "AWS Well-Architected",
        "HITRUST v11.0.0",
        "ISO 27001:2022",
        "MAS TRM",
        "MITRE ATT&CK v11.3",
        "NIST 800-53 Rev 5",
    ],
    references: &[
        "https://docs.aws.amazon.com/lambda/latest/dg/services-xray.html",
        "https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/lambda_function#tracing_config",
        "https://docs.aws.amazon.com/cli/latest/reference/lambda/update-function-configuration.html",
    ],
    passing_value: "Active",
    default_value: "PassThrough",
    on_by_default: true,
    also_reads: &[],
    also_reads_attributes: &[],
    also_reads_in_state: &[],
    targets: &[
        Target {
            resource_type: "aws_lambda_function",
            provider: "hashicorp/aws",
            mode_path: "$.tracing_config[0].mode",
            snippet: "tracing_config {\n  mode = \"Active\"\n}",
        },
        Target {
            resource_type: "awscc_lambda_function",
            provider: "hashicorp/awscc",
            mode_path: "$.tracing_config.mode",
            snippet: "tracing_config = {\n  mode = \"Active\"\n}",
        },
    ],
    follows: None,
    headline,
};

fn headline(verdict: Verdict, mode: Option<&str>) -> String {
    match (verdict, mode) {
        (Verdict::Fail, Some(mode)) => format!("X-Ray tracing is {mode}, not Active"),
        (Verdict::Fail, None) => {
            "no X-Ray tracing mode is set, so AWS applies PassThrough".to_owned()
        }
        (Verdict::Unknown, _) => "the X-Ray tracing mode is known only after apply".to_owned(),
        (Verdict::Pass | Verdict::Warn, _) => "X-Ray tracing is Active".to_owned(),
        (Verdict::Skipped, _) => "not judged".to_owned(),
    }
}
