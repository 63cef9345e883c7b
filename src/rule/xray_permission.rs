//! TG.LAMBDA.XRAY.PERMISSION: a function that is (or is told to become) Active must have an
//! execution role that may write to X-Ray, or the apply fails.

use super::{Rule, Target};
use crate::finding::Verdict;

pub static XRAY_PERMISSION: Rule = Rule {
    id: "TG.LAMBDA.XRAY.PERMISSION",
    title: "Active tracing needs an execution role that may write to X-Ray",
    category: "Compute",
    entity: "AWS Lambda",
    risk: "Medium",
    security_severity: "4.0",
    description: "For every function whose tracing is Active after apply, or that D9.AWS.OPE.07 tells to \
        become Active, the execution role must allow xray:PutTraceSegments and xray:PutTelemetryRecords. \
        tracegate follows the function's role to the role in the plan and evaluates what the plan grants it \
        (managed policy attachments, customer and inline policies, policy documents).",
    rationale: "Without the permission, CreateFunction and UpdateFunctionConfiguration with Active tracing \
        fail: \"InvalidParameterValueException: The provided execution role does not have permissions to \
        call PutTraceSegments on XRAY\". Following D9.AWS.OPE.07's advice alone can break the apply; for a \
        function that is already Active, segments are silently dropped.",
    remediation: &[
        "terraform-aws-modules/lambda/aws: set `attach_tracing_policy = true` on the module call.",
        "A role of your own: attach `arn:${data.aws_partition.current.partition}:iam::aws:policy/AWSXRayDaemonWriteAccess` \
         with an `aws_iam_role_policy_attachment`, and list it in the function's `depends_on`.",
        "A grant created in the same apply must be in the function's `depends_on` (or referenced by it), or \
         CreateFunction may run first.",
    ],
    permissions_note: "The grant must exist when Lambda checks it: at CreateFunction, or at the \
        UpdateFunctionConfiguration that turns tracing Active.",
    compliance: &["AWS Well-Architected"],
    references: &[
        "https://docs.aws.amazon.com/lambda/latest/dg/services-xray.html#services-xray-permissions",
        "https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSXRayDaemonWriteAccess.html",
    ],
    passing_value: "granted",
    default_value: "not granted",
    targets: &[Target {
        resource_type: "aws_lambda_function",
        provider: "hashicorp/aws",
        mode_path: "$.role",
        snippet: "resource \"aws_iam_role_policy_attachment\" \"xray\" {\n  role       = aws_iam_role.NAME.name\n  policy_arn = \"arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess\"\n}",
    }],
    on_by_default: true,
    also_reads: &[
        "aws_iam_role",
        "aws_iam_role_policy",
        "aws_iam_role_policy_attachment",
        "aws_iam_role_policies_exclusive",
        "aws_iam_role_policy_attachments_exclusive",
        "aws_iam_policy",
        "aws_iam_policy_document",
    ],
    also_reads_attributes: &[
        "arn",
        "inline_policy",
        "json",
        "managed_policy_arns",
        "name",
        "override_policy_documents",
        "permissions_boundary",
        "policy_arns",
        "policy",
        "policy_arn",
        "policy_names",
        "role",
        "role_name",
        "source_policy_documents",
        "statement",
    ],
    // The policy documents of data sources, which `resource_changes` does not hold: see
    // resolve/xray_permission.rs.
    also_reads_in_state: &["aws_iam_policy_document"],
    follows: Some(super::tracing::TRACING.id),
    headline,
};

fn headline(verdict: Verdict, _mode: Option<&str>) -> String {
    match verdict {
        Verdict::Fail => "its execution role may not write to X-Ray, so the apply with Active tracing fails",
        Verdict::Unknown => "whether its execution role may write to X-Ray is known only after apply",
        Verdict::Warn => "its X-Ray grant is created in the same apply with no dependency, so it may arrive too late",
        Verdict::Pass => "its execution role may write to X-Ray",
        Verdict::Skipped => "not judged",
    }
    .to_owned()
}
