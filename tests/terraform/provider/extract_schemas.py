#!/usr/bin/env python3
"""Writes schemas/aws.json and schemas/awscc.json from the provider schema dumps in
lonegunmanb/terraform-aws-schema and lonegunmanb/terraform-awscc-schema (the output of
`terraform providers schema -json` for a real provider build, wrapped in Go files).

Run it only to refresh the committed schemas:
    extract_schemas.py AWS_SCHEMA_GIT_DIR AWSCC_SCHEMA_GIT_DIR
Descriptions are dropped; everything else (types, optional/required/computed/sensitive flags,
block nesting, min/max items) is kept as the dump has it.
"""
import json
import re
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

AWS = {
    "resource": [
        "aws_lambda_function", "aws_iam_role", "aws_iam_policy", "aws_iam_role_policy",
        "aws_iam_role_policy_attachment", "aws_iam_role_policies_exclusive", "aws_cloudwatch_log_group", "aws_lambda_permission",
        "aws_ssm_parameter", "aws_lambda_event_source_mapping",
        "aws_lambda_function_event_invoke_config", "aws_lambda_function_recursion_config",
        "aws_lambda_function_url", "aws_lambda_layer_version",
        "aws_lambda_provisioned_concurrency_config", "aws_s3_object",
    ],
    "data": [
        "aws_arn", "aws_caller_identity", "aws_cloudwatch_log_group", "aws_iam_policy",
        "aws_iam_policy_document", "aws_partition", "aws_region",
    ],
}
AWSCC = {"resource": ["awscc_lambda_function"], "data": []}


def camel(name):
    first, *rest = name.split("_")
    return first + "".join(p[:1].upper() + p[1:] for p in rest)


def strip(node):
    if isinstance(node, dict):
        # Only the text fields: an attribute may itself be named "description".
        return {k: strip(v) for k, v in node.items()
                if not (k in ("description", "description_kind", "deprecated") and not isinstance(v, dict))}
    if isinstance(node, list):
        return [strip(v) for v in node]
    return node


def load(git_dir, kind, name):
    path = f"generated/{kind}/{camel(name)}.go"
    text = subprocess.run(["git", "--git-dir", git_dir, "show", f"HEAD:{path}"], check=True,
                          capture_output=True, text=True).stdout
    body = re.search(r"= `(.*)`\n", text, re.S).group(1).replace('` + "`" + `', "`")
    return strip(json.loads(body))


def extract(git_dir, wanted, out):
    commit = subprocess.run(["git", "--git-dir", git_dir, "rev-parse", "HEAD"], check=True,
                            capture_output=True, text=True).stdout.strip()
    schemas = {"source_commit": commit, "resource_schemas": {}, "data_source_schemas": {}}
    for name in wanted["resource"]:
        schemas["resource_schemas"][name] = load(git_dir, "resource", name)
    for name in wanted["data"]:
        schemas["data_source_schemas"][name] = load(git_dir, "data", name)
    (HERE / "schemas" / out).write_text(json.dumps(schemas, indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":
    extract(sys.argv[1], AWS, "aws.json")
    extract(sys.argv[2], AWSCC, "awscc.json")
