#!/usr/bin/env python3
"""A provider double: speaks Terraform's plugin protocol (tfplugin6, through the PyPI package `tf`
for the handshake, TLS and generated stubs) and stands in for hashicorp/aws, hashicorp/awscc,
hashicorp/null, hashicorp/local and hashicorp/external.

    double.py PROVIDER            (run by Terraform as terraform-provider-PROVIDER)

Schemas come from schemas/PROVIDER.json (see README.md beside this file for their sources).
Planning follows the SDKs (see plan_object); apply decides like AWS (the configured tracing mode,
else PassThrough). Lambda functions live in a fake account, a JSON file named by the environment
variable TRACEGATE_DOUBLE_ACCOUNT:

    {"functions": {"<provider>:<function name>": {"mode": "Active", "state": {...},
                                                 "fail_delete": false}}}

A test edits it to change a function "in the console" (drift), to seed a function for import, or
to make a delete fail (deposed objects).

IAM lives in the same account (see README.md, "IAM"): `iam.roles` (name → arn, attached managed
policy ARNs, inline policies), `iam.policies` (customer managed policy ARN → document), on top of
the roles that exist before any apply (PREEXISTING_ROLES) and the AWS managed policies
(AWS_MANAGED_POLICIES). CreateFunction/UpdateFunctionConfiguration with Active tracing evaluate
the execution role's policies as AWS does and refuse with AWS's error when X-Ray is not allowed;
each decision is kept in `xray_checks` ("<provider>:<function name>" → outcome).
"""
import hashlib
import json
import os
import sys
import threading
import time
from pathlib import Path

import msgpack
from msgpack.ext import ExtType

HERE = Path(__file__).resolve().parent
PROVIDER = sys.argv[1] if len(sys.argv) > 1 else "aws"
ACCOUNT = os.environ.get("TRACEGATE_DOUBLE_ACCOUNT", "")
ACCOUNT_ID = "123456789012"
REGION = "us-east-1"
LAMBDA_TYPES = {"aws_lambda_function": "aws", "awscc_lambda_function": "awscc"}
IAM_TYPES = {"aws_iam_role", "aws_iam_policy", "aws_iam_role_policy", "aws_iam_role_policy_attachment",
             "aws_iam_role_policies_exclusive"}
# terraform-provider-aws retries CreateFunction/UpdateFunctionConfiguration for
# lambdaPropagationTimeout (5 minutes) while Lambda answers "The provided execution role does not
# have permissions" (retryFunctionOp, see README.md): the double retries for this many seconds.
RETRY_SECONDS = float(os.environ.get("TRACEGATE_DOUBLE_RETRY_SECONDS", "2"))
# Seconds an IAM grant (attachment, inline policy) takes to apply: a case sets it to make a grant
# arrive after the function's retries have given up (the ordering race).
SLOW_GRANT_SECONDS = float(os.environ.get("TRACEGATE_DOUBLE_SLOW_GRANT_SECONDS", "0"))


class UnknownType:
    def __repr__(self):
        return "UNKNOWN"


UNKNOWN = UnknownType()


# ---------------------------------------------------------------- values (cty msgpack)

def _default(obj):
    if obj is UNKNOWN:
        return ExtType(0, b"")
    raise TypeError(f"cannot encode {obj!r}")


def _ext_hook(code, data):
    # 0: unknown; 12: an unknown with refinements (cty). Both are "unknown" here.
    if code in (0, 12):
        return UNKNOWN
    return ExtType(code, data)


def decode(dynamic):
    if dynamic.msgpack:
        return msgpack.unpackb(dynamic.msgpack, ext_hook=_ext_hook, raw=False, strict_map_key=False)
    if dynamic.json:
        return json.loads(dynamic.json)
    return None


def encode(value):
    from tf.gen import tfplugin_pb2 as pb
    return pb.DynamicValue(msgpack=msgpack.packb(value, default=_default, use_bin_type=True))


# ---------------------------------------------------------------- schemas

def load_schemas():
    return json.loads((HERE / "schemas" / f"{PROVIDER}.json").read_text())


SCHEMAS = load_schemas()

# What the JSON schema dump cannot say: the SDKv2 flags that drive planning, copied from
# hashicorp/terraform-provider-aws internal/service/lambda/function.go (see README.md).
SDK = {
    "aws_lambda_function": {
        "computed_blocks": {"ephemeral_storage", "logging_config", "tracing_config"},
        "defaults": {"memory_size": 128, "timeout": 3, "reserved_concurrent_executions": -1,
                     "publish": False, "package_type": "Zip", "skip_destroy": False},
        "force_new": {"function_name", "package_type"},
    },
    "awscc_lambda_function": {
        "computed_blocks": set(),
        "defaults": {},
        # RequiresReplaceIfConfigured on function_name (function_resource_gen.go).
        "force_new": {"function_name"},
    },
    # hashicorp/terraform-provider-aws internal/service/iam/role.go (see README.md, "IAM"):
    # inline_policy and managed_policy_arns are Optional+Computed sets; path defaults to "/",
    # max_session_duration to 3600, force_detach_policies to false; name, name_prefix and path
    # are ForceNew.
    "aws_iam_role": {
        "computed_blocks": {"inline_policy"},
        "defaults": {"path": "/", "max_session_duration": 3600, "force_detach_policies": False},
        "force_new": {"name", "name_prefix", "path"},
    },
    # internal/service/iam/policy.go: path defaults to "/"; name, name_prefix, path ForceNew.
    "aws_iam_policy": {
        "computed_blocks": set(),
        "defaults": {"path": "/"},
        "force_new": {"name", "name_prefix", "path"},
    },
    # internal/service/iam/role_policy.go and role_policy_attachment.go: every argument ForceNew.
    "aws_iam_role_policy": {"computed_blocks": set(), "defaults": {}, "force_new": {"name", "name_prefix", "role"}},
    "aws_iam_role_policy_attachment": {"computed_blocks": set(), "defaults": {},
                                       "force_new": {"role", "policy_arn"}},
}


def sdk(type_name):
    return SDK.get(type_name, {"computed_blocks": set(), "defaults": {}, "force_new": set()})


def type_bytes(t):
    return json.dumps(t, separators=(",", ":")).encode()


def to_pb_attribute(pb, name, a):
    attr = pb.Schema.Attribute(name=name, required=a.get("required", False),
                               optional=a.get("optional", False),
                               computed=a.get("computed", False),
                               sensitive=a.get("sensitive", False))
    if "nested_type" in a:
        nt = a["nested_type"]
        nesting = getattr(pb.Schema.Object, nt["nesting_mode"].upper())
        attr.nested_type.CopyFrom(pb.Schema.Object(
            attributes=[to_pb_attribute(pb, n, x) for n, x in sorted(nt["attributes"].items())],
            nesting=nesting))
    else:
        attr.type = type_bytes(a["type"])
    return attr


def to_pb_block(pb, b):
    block = pb.Schema.Block(
        attributes=[to_pb_attribute(pb, n, a) for n, a in sorted(b.get("attributes", {}).items())])
    for name, bt in sorted(b.get("block_types", {}).items()):
        block.block_types.append(pb.Schema.NestedBlock(
            type_name=name, block=to_pb_block(pb, bt["block"]),
            nesting=getattr(pb.Schema.NestedBlock, bt["nesting_mode"].upper()),
            min_items=bt.get("min_items", 0), max_items=bt.get("max_items", 0)))
    return block


def to_pb_schema(pb, s):
    return pb.Schema(version=s.get("version", 0), block=to_pb_block(pb, s["block"]))


PROVIDER_SCHEMA = {
    "aws": {"attributes": {
        "region": {"optional": True, "type": "string"},
        "access_key": {"optional": True, "type": "string"},
        "secret_key": {"optional": True, "type": "string"},
        "skip_credentials_validation": {"optional": True, "type": "bool"},
        "skip_requesting_account_id": {"optional": True, "type": "bool"},
        "skip_metadata_api_check": {"optional": True, "type": "string"},
    }},
    "awscc": {"attributes": {"region": {"optional": True, "type": "string"}}},
}
# provider_meta "aws" { user_agent = [...] } as the terraform-aws-lambda module writes it.
PROVIDER_META = {"aws": {"attributes": {"user_agent": {"optional": True, "type": ["list", "string"]}}}}


def resource_schema(type_name):
    return SCHEMAS["resource_schemas"][type_name]["block"]


def data_schema(type_name):
    return SCHEMAS["data_source_schemas"][type_name]["block"]


# ---------------------------------------------------------------- shaping values to a schema

def null_of_block(block):
    out = {n: None for n in block.get("attributes", {})}
    for n, bt in block.get("block_types", {}).items():
        out[n] = None if bt["nesting_mode"] == "single" else ([] if bt["nesting_mode"] in ("list", "set") else {})
    return out


def shape(block, value):
    """Makes a JSON state object conform to a schema block (missing attributes null)."""
    if value is None:
        return None
    out = {}
    for n, a in block.get("attributes", {}).items():
        v = value.get(n)
        if v is not None and "nested_type" in a:
            v = shape_nested(a["nested_type"], v)
        out[n] = v
    for n, bt in block.get("block_types", {}).items():
        v = value.get(n)
        mode = bt["nesting_mode"]
        if mode in ("single", "group"):
            out[n] = shape(bt["block"], v) if v is not None else (null_of_block(bt["block"]) if mode == "group" else None)
        elif mode == "map":
            out[n] = {k: shape(bt["block"], e) for k, e in (v or {}).items()}
        else:
            out[n] = [shape(bt["block"], e) for e in (v or [])]
    return out


def shape_nested(nt, v):
    inner = {"attributes": nt["attributes"]}
    mode = nt["nesting_mode"]
    if mode == "single":
        return shape(inner, v)
    if mode == "map":
        return {k: shape(inner, e) for k, e in v.items()}
    return [shape(inner, e) for e in v]


# ---------------------------------------------------------------- planning like the SDKs

def plan_object(block, config, prior, create, meta, top=True):
    """The planned new object.

    - a configured value wins (known or not);
    - an unset attribute with an SDK default gets the default;
    - an unset Computed attribute (Optional+Computed or computed-only) is unknown on create and
      keeps its prior value on update;
    - an unset Optional+Computed block (SDKv2 `Optional: true, Computed: true` list of one) is
      unknown on create and keeps its prior value on update;
    - other unset values are null.
    """
    config = config or {}
    out = {}
    for name, a in block.get("attributes", {}).items():
        c = config.get(name)
        p = prior.get(name) if prior else None
        if c is not None:
            if c is not UNKNOWN and "nested_type" in a and a["nested_type"]["nesting_mode"] == "single":
                c = plan_object({"attributes": a["nested_type"]["attributes"]}, c,
                                p if isinstance(p, dict) else None, create, meta, False)
            out[name] = c
        elif top and name in meta["defaults"]:
            out[name] = meta["defaults"][name]
        elif a.get("computed"):
            out[name] = UNKNOWN if create else p
        else:
            out[name] = None
    for name, bt in block.get("block_types", {}).items():
        c = config.get(name)
        p = prior.get(name) if prior else None
        mode = bt["nesting_mode"]
        if c is UNKNOWN:
            out[name] = c
        elif mode in ("list", "set"):
            if not c and top and name in meta["computed_blocks"]:
                out[name] = UNKNOWN if create else p
            else:
                prior_list = p if isinstance(p, list) else []
                out[name] = [plan_object(bt["block"], e,
                                         prior_list[i] if mode == "list" and i < len(prior_list) else None,
                                         create or not (mode == "list" and i < len(prior_list)), meta, False)
                             for i, e in enumerate(c or [])]
        elif mode in ("single", "group"):
            out[name] = plan_object(bt["block"], c, p, create, meta, False) if c is not None else (
                null_of_block(bt["block"]) if mode == "group" else None)
        else:
            out[name] = {k: plan_object(bt["block"], e, None, True, meta, False) for k, e in (c or {}).items()}
    return out


PROVIDER_CONFIG = {"region": REGION}


def aws_plan_customisations(block, config, planned):
    """What the aws provider's CustomizeDiff does for every resource: `region` (Optional+Computed)
    defaults to the provider's region, and `tags_all` is `tags` (no default_tags here)."""
    attrs = block.get("attributes", {})
    if "region" in attrs and (config or {}).get("region") is None:
        planned["region"] = PROVIDER_CONFIG["region"]
    if "tags_all" in attrs:
        tags = (config or {}).get("tags")
        planned["tags_all"] = tags if tags is not None else {}


# ---------------------------------------------------------------- apply: what AWS decides

def fake_string(type_name, attr, obj):
    name = obj.get("function_name") or obj.get("name") or obj.get("role") or type_name
    if not isinstance(name, str):
        name = type_name
    service = type_name.split("_")[1] if "_" in type_name else type_name
    if type_name in IAM_TYPES:
        return iam_fake_string(type_name, attr, obj)
    if attr == "id":
        if type_name in ("aws_lambda_function", "awscc_lambda_function", "aws_iam_role",
                         "aws_cloudwatch_log_group", "aws_ssm_parameter"):
            return name
        digest = hashlib.sha256(json.dumps(obj, sort_keys=True, default=repr).encode()).hexdigest()
        return f"{type_name}-{digest[:12]}"
    if attr in ("arn", "qualified_arn", "invoke_arn", "qualified_invoke_arn", "response_streaming_invoke_arn"):
        suffix = ":$LATEST" if attr.startswith("qualified") else ""
        return f"arn:aws:{service}:{REGION}:{ACCOUNT_ID}:{type_name}:{name}{suffix}"
    if attr == "last_modified":
        return "2024-01-01T00:00:00.000+0000"
    if attr == "version":
        return "$LATEST"
    return f"{attr}-of-{name}"


def fill_unknowns(type_name, block, obj, top=True, root=None):
    """Replaces what is still unknown after planning by what the cloud would set."""
    root = root if root is not None else obj
    out = dict(obj)
    for name, a in block.get("attributes", {}).items():
        v = out.get(name)
        if v is UNKNOWN:
            out[name] = fake_value(type_name, name, a, root, top)
        elif v is not None and "nested_type" in a and a["nested_type"]["nesting_mode"] == "single":
            out[name] = fill_unknowns(type_name, {"attributes": a["nested_type"]["attributes"]}, v, False, root)
    for name, bt in block.get("block_types", {}).items():
        v = out.get(name)
        if v is UNKNOWN:
            out[name] = computed_block(type_name, name, root)
        elif isinstance(v, list):
            out[name] = [fill_unknowns(type_name, bt["block"], e, False, root) for e in v]
        elif isinstance(v, dict) and bt["nesting_mode"] in ("single", "group"):
            out[name] = fill_unknowns(type_name, bt["block"], v, False, root)
    return out


def fake_value(type_name, name, a, root, top):
    if type_name == "awscc_lambda_function" and name == "tracing_config" and top:
        return {"mode": "PassThrough"}
    if type_name == "awscc_lambda_function" and name == "mode":
        return "PassThrough"
    if "nested_type" in a:
        nt = a["nested_type"]
        if nt["nesting_mode"] == "single":
            return {n: None for n in nt["attributes"]}
        return [] if nt["nesting_mode"] in ("list", "set") else {}
    t = a["type"]
    if t == "string":
        return fake_string(type_name, name, root)
    if t == "number":
        return 0
    if t == "bool":
        return False
    if isinstance(t, list) and t[0] in ("list", "set"):
        return []
    if isinstance(t, list) and t[0] == "map":
        return {}
    return None


def computed_block(type_name, name, root):
    fn = root.get("function_name") or "function"
    if name == "tracing_config":
        return [{"mode": "PassThrough"}]
    if name == "ephemeral_storage":
        return [{"size": 512}]
    if name == "logging_config":
        return [{"application_log_level": "", "log_format": "Text", "log_group": f"/aws/lambda/{fn}",
                 "system_log_level": ""}]
    return []


# ---------------------------------------------------------------- the fake account

ACCOUNT_LOCK = threading.RLock()  # Terraform applies resources in parallel, on gRPC threads.


def account_read():
    if not ACCOUNT or not Path(ACCOUNT).exists():
        return {"functions": {}}
    return json.loads(Path(ACCOUNT).read_text())


def account_write(data):
    if ACCOUNT:
        tmp = Path(ACCOUNT + ".tmp")
        tmp.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n")
        tmp.replace(ACCOUNT)


def function_key(type_name, name):
    return f"{LAMBDA_TYPES[type_name]}:{name}"


def mode_of_state(type_name, state):
    tc = state.get("tracing_config")
    if type_name == "awscc_lambda_function":
        return (tc or {}).get("mode") or "PassThrough"
    return (tc[0].get("mode") if tc else None) or "PassThrough"


def with_mode(type_name, state, mode):
    state = dict(state)
    if type_name == "awscc_lambda_function":
        state["tracing_config"] = {"mode": mode}
    else:
        state["tracing_config"] = [{"mode": mode}]
    return state


def read_live(type_name, state):
    """The function as the account has it now, or None when it is gone."""
    name = state.get("function_name") or state.get("id")
    fn = account_read()["functions"].get(function_key(type_name, name))
    if fn is None:
        return None
    return with_mode(type_name, state, fn["mode"])


# ---------------------------------------------------------------- IAM: what AWS keeps and decides

# AWS managed policies, their documents as the AWS Managed Policy Reference Guide shows them
# (default versions; URLs in README.md, "IAM").
AWS_MANAGED_POLICIES = {
    "arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess": {
        "Version": "2012-10-17",
        "Statement": [{"Sid": "AWSXRayDaemonWriteAccess", "Effect": "Allow",
                       "Action": ["xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules",
                                  "xray:GetSamplingTargets", "xray:GetSamplingStatisticSummaries"],
                       "Resource": ["*"]}]},
    "arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess": {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow",
                       "Action": ["xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules",
                                  "xray:GetSamplingTargets", "xray:GetSamplingStatisticSummaries"],
                       "Resource": ["*"]}]},
    "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole": {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow",
                       "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
                       "Resource": "*"}]},
    "arn:aws:iam::aws:policy/AdministratorAccess": {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]},
}
BASIC = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
XRAY_DAEMON = "arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess"

# Roles that exist in the account before any apply, outside every configuration: `lambda` (which
# the older cases name by a literal ARN) can write to X-Ray, `lambda-no-xray` cannot.
PREEXISTING_ROLES = {
    "lambda": {"arn": f"arn:aws:iam::{ACCOUNT_ID}:role/lambda", "managed": [BASIC, XRAY_DAEMON], "inline": {}},
    "lambda-no-xray": {"arn": f"arn:aws:iam::{ACCOUNT_ID}:role/lambda-no-xray", "managed": [BASIC], "inline": {}},
}
XRAY_ACTIONS = ("xray:PutTraceSegments", "xray:PutTelemetryRecords")


def unique_suffix(obj):
    """Terraform's id.UniqueId() is a timestamp and a counter (26 digits); the double derives the
    digits from the object, so that a plan made twice is the same."""
    digest = hashlib.sha256(json.dumps(obj, sort_keys=True, default=repr).encode()).hexdigest()
    return f"{int(digest, 16) % 10 ** 26:026d}"


def iam_name(obj):
    name = obj.get("name")
    if isinstance(name, str):
        return name
    prefix = obj.get("name_prefix")
    prefix = prefix if isinstance(prefix, str) else "terraform-"
    return prefix + unique_suffix({k: v for k, v in obj.items() if v is not UNKNOWN})


def iam_path(obj):
    path = obj.get("path")
    return path if isinstance(path, str) else "/"


def iam_fake_string(type_name, attr, obj):
    if type_name == "aws_iam_role":
        name = iam_name(obj)
        return {"arn": f"arn:aws:iam::{ACCOUNT_ID}:role{iam_path(obj)}{name}", "id": name, "name": name,
                "name_prefix": obj.get("name_prefix") if isinstance(obj.get("name_prefix"), str) else "",
                "unique_id": "AROA" + unique_suffix({"role": name})[:17],
                "create_date": "2024-01-01T00:00:00Z"}.get(attr, f"{attr}-of-{name}")
    if type_name == "aws_iam_policy":
        name = iam_name(obj)
        arn = f"arn:aws:iam::{ACCOUNT_ID}:policy{iam_path(obj)}{name}"
        return {"arn": arn, "id": arn, "name": name,
                "name_prefix": obj.get("name_prefix") if isinstance(obj.get("name_prefix"), str) else "",
                "policy_id": "ANPA" + unique_suffix({"policy": name})[:17]}.get(attr, f"{attr}-of-{name}")
    if type_name == "aws_iam_role_policy":
        name = iam_name(obj)
        # internal/service/iam/role_policy.go: the id is "<role name>:<policy name>".
        return {"id": f"{obj.get('role')}:{name}", "name": name,
                "name_prefix": obj.get("name_prefix") if isinstance(obj.get("name_prefix"), str) else ""}.get(
            attr, f"{attr}-of-{name}")
    if type_name == "aws_iam_role_policy_attachment" and attr == "id":
        # internal/service/iam/role_policy_attachment.go: id.PrefixedUniqueId(role + "-").
        return f"{obj.get('role')}-{unique_suffix(obj)}"
    if type_name == "aws_iam_role_policies_exclusive" and attr == "id":
        return str(obj.get("role_name"))
    return f"{attr}-of-{type_name}"


def iam_of(data):
    iam = data.setdefault("iam", {})
    iam.setdefault("roles", {})
    iam.setdefault("policies", {})
    return iam


def role_by_name(data, name):
    role = (data.get("iam") or {}).get("roles", {}).get(name)
    if role is None and name in PREEXISTING_ROLES and name not in (data.get("iam") or {}).get("deleted_roles", []):
        role = PREEXISTING_ROLES[name]
    return role


def role_name_of_arn(arn):
    # arn:aws:iam::123456789012:role/some/path/name → name
    if not isinstance(arn, str) or ":role/" not in arn:
        return None
    return arn.rsplit("/", 1)[-1]


def policy_documents(data, role):
    """(label, document) for every policy the role has now: managed (AWS or customer) and inline."""
    docs = []
    for arn in role.get("managed", []):
        doc = AWS_MANAGED_POLICIES.get(arn)
        if doc is None:
            text = (data.get("iam") or {}).get("policies", {}).get(arn)
            doc = json.loads(text) if isinstance(text, str) else None
        if doc is not None:
            docs.append((arn, doc))
    for name, text in sorted(role.get("inline", {}).items()):
        try:
            docs.append((f"inline {name}", json.loads(text)))
        except (TypeError, ValueError):
            pass
    return docs


def as_list(v):
    if v is None:
        return []
    return v if isinstance(v, list) else [v]


def wildcard(pattern, value):
    """IAM's action/resource match: case-insensitive for actions, `*` any run, `?` one character."""
    import fnmatch
    return fnmatch.fnmatchcase(value.lower(), pattern.lower().replace("[", "[[]"))


def statement_applies(st, action):
    """Whether a statement covers the action on X-Ray's only resource, "*". Approximations (README):
    a statement with a Condition never applies (Allow or Deny), Resource must hold "*" (X-Ray has no
    resource types, so AWS evaluates these actions against "*"), NotResource applies unless it
    holds "*"."""
    if st.get("Condition"):
        return False
    if "Action" in st:
        if not any(isinstance(a, str) and wildcard(a, action) for a in as_list(st["Action"])):
            return False
    elif "NotAction" in st:
        if any(isinstance(a, str) and wildcard(a, action) for a in as_list(st["NotAction"])):
            return False
    else:
        return False
    if "Resource" in st:
        return any(r == "*" for r in as_list(st["Resource"]))
    if "NotResource" in st:
        return not any(r == "*" for r in as_list(st["NotResource"]))
    return False


def evaluate_xray(docs):
    """AWS's order for one identity: an explicit Deny wins, then an Allow, else the implicit deny.
    Returns (allowed, why)."""
    for action in XRAY_ACTIONS:
        allowed_by = None
        for label, doc in docs:
            for i, st in enumerate(as_list(doc.get("Statement"))):
                if not isinstance(st, dict) or not statement_applies(st, action):
                    continue
                where = f"{label} statement {st.get('Sid') or i}"
                if st.get("Effect") == "Deny":
                    return False, f"{action} explicitly denied by {where}"
                if st.get("Effect") == "Allow" and allowed_by is None:
                    allowed_by = where
        if allowed_by is None:
            return False, f"nothing allows {action}"
    return True, f"allowed by {allowed_by}"


def xray_check(role_arn):
    """What Lambda says of the role now: None when it may be used with Active tracing, else AWS's
    error message."""
    with ACCOUNT_LOCK:
        data = account_read()
    role = role_by_name(data, role_name_of_arn(role_arn))
    if role is None or role.get("arn") != role_arn:
        return "InvalidParameterValueException: The role defined for the function cannot be assumed by Lambda.", \
            "the role does not exist"
    ok, why = evaluate_xray(policy_documents(data, role))
    if ok:
        return None, why
    return "InvalidParameterValueException: The provided execution role does not have permissions to call " \
           "PutTraceSegments on XRAY", why


def wait_for_xray(role_arn):
    """The provider's retryFunctionOp: retry while Lambda refuses the role, up to the window."""
    deadline = time.monotonic() + RETRY_SECONDS
    while True:
        error, why = xray_check(role_arn)
        if error is None or time.monotonic() >= deadline:
            return error, why
        time.sleep(0.2)


def record_xray(type_name, name, role_arn, when, error, why):
    with ACCOUNT_LOCK:
        data = account_read()
        data.setdefault("xray_checks", {})[function_key(type_name, name)] = {
            "outcome": "denied" if error else "granted", "role": role_arn, "when": when, "why": why}
        account_write(data)


def iam_apply(t, prior, new):
    """Writes what an IAM resource's create, update or delete leaves in the account. Returns an
    error message or None."""
    if t != "aws_iam_role" and new is not None and SLOW_GRANT_SECONDS and t in (
            "aws_iam_role_policy_attachment", "aws_iam_role_policy"):
        time.sleep(SLOW_GRANT_SECONDS)  # outside the lock: other resources go on meanwhile
    with ACCOUNT_LOCK:
        data = account_read()
        iam = iam_of(data)
        roles = iam["roles"]
        if t == "aws_iam_role":
            if prior is not None and (new is None or prior.get("name") != new.get("name")):
                roles.pop(prior.get("name"), None)
            if new is not None:
                role = roles.setdefault(new["name"], {"managed": [], "inline": {}})
                role["arn"] = new["arn"]
                # managed_policy_arns and inline_policy, where configured, are exclusive.
                if new.get("managed_policy_arns"):
                    role["managed"] = sorted(set(role["managed"]) | set(new["managed_policy_arns"]))
                    if prior is not None:
                        for arn in set(prior.get("managed_policy_arns") or []) - set(new["managed_policy_arns"]):
                            role["managed"].remove(arn)
                for ip in new.get("inline_policy") or []:
                    if ip.get("name") and ip.get("policy"):
                        role["inline"][ip["name"]] = ip["policy"]
        elif t == "aws_iam_policy":
            if prior is not None:
                iam["policies"].pop(prior.get("arn"), None)
            if new is not None:
                iam["policies"][new["arn"]] = new["policy"]
        elif t == "aws_iam_role_policy_attachment":
            if prior is not None and prior.get("role") in roles:
                managed = roles[prior["role"]]["managed"]
                if prior.get("policy_arn") in managed:
                    managed.remove(prior["policy_arn"])
            if new is not None:
                role = roles.get(new["role"])
                if role is None and new["role"] in PREEXISTING_ROLES:
                    role = roles[new["role"]] = json.loads(json.dumps(PREEXISTING_ROLES[new["role"]]))
                if role is None:
                    return f"NoSuchEntity: The role with name {new['role']} cannot be found."
                if new["policy_arn"] not in AWS_MANAGED_POLICIES and new["policy_arn"] not in iam["policies"]:
                    return f"NoSuchEntity: Policy {new['policy_arn']} does not exist or is not attachable."
                if new["policy_arn"] not in role["managed"]:
                    role["managed"].append(new["policy_arn"])
        elif t == "aws_iam_role_policy":
            if prior is not None and prior.get("role") in roles:
                roles[prior["role"]]["inline"].pop(prior.get("name"), None)
            if new is not None:
                role = roles.get(new["role"])
                if role is None and new["role"] in PREEXISTING_ROLES:
                    role = roles[new["role"]] = json.loads(json.dumps(PREEXISTING_ROLES[new["role"]]))
                if role is None:
                    return f"NoSuchEntity: The role with name {new['role']} cannot be found."
                role["inline"][new["name"]] = new["policy"]
        elif t == "aws_iam_role_policies_exclusive" and new is not None:
            role = roles.get(new["role_name"])
            if role is None:
                return f"NoSuchEntity: The role with name {new['role_name']} cannot be found."
            keep = set(new.get("policy_names") or [])
            role["inline"] = {k: v for k, v in role["inline"].items() if k in keep}
        account_write(data)
    return None


def policy_document_json(config):
    """data "aws_iam_policy_document" as the provider renders it (internal/service/iam/
    policy_document_data_source.go and policy_model.go): Version, Id, Statement in that order; in
    a statement Sid (left out when empty), Effect, Action, NotAction, Resource, NotResource,
    Principal, NotPrincipal, Condition; a set of one string is written as that string, a larger
    set sorted in reverse; `json` indented by two spaces, `minified_json` compact."""
    def strings(values):
        values = [v for v in (values or []) if isinstance(v, str)]
        if len(values) == 1:
            return values[0]
        return sorted(values, reverse=True)

    def principals(blocks):
        out = {}
        for b in blocks or []:
            ids = strings(b.get("identifiers"))
            if len(blocks) == 1 and b.get("type") == "*" and ids == "*":
                return "*"
            out[b.get("type")] = ids
        return out

    statements = []
    for s in config.get("statement") or []:
        st = {}
        if s.get("sid"):
            st["Sid"] = s["sid"]
        st["Effect"] = s.get("effect") or "Allow"
        for key, attr in (("Action", "actions"), ("NotAction", "not_actions"), ("Resource", "resources"),
                          ("NotResource", "not_resources")):
            if s.get(attr):
                st[key] = strings(s[attr])
        if s.get("principals"):
            st["Principal"] = principals(s["principals"])
        if s.get("not_principals"):
            st["NotPrincipal"] = principals(s["not_principals"])
        if s.get("condition"):
            cond = {}
            for c in s["condition"]:
                cond.setdefault(c["test"], {}).setdefault(c["variable"], []).extend(c.get("values") or [])
            st["Condition"] = {t: {k: (v[0] if len(v) == 1 else v) for k, v in vs.items()} for t, vs in cond.items()}
        statements.append(st)
    doc = {"Version": config.get("version") or "2012-10-17"}
    if config.get("policy_id"):
        doc["Id"] = config["policy_id"]
    if statements:
        doc["Statement"] = statements
    return json.dumps(doc, indent=2), json.dumps(doc, separators=(",", ":"))


def managed_policy_data(config):
    """data "aws_iam_policy": an AWS managed or customer policy looked up by ARN (or name)."""
    arn = config.get("arn")
    name = config.get("name")
    with ACCOUNT_LOCK:
        data = account_read()
    customer = (data.get("iam") or {}).get("policies", {})
    if not isinstance(arn, str) and isinstance(name, str):
        arn = next((a for a in list(AWS_MANAGED_POLICIES) + list(customer) if a.rsplit("/", 1)[-1] == name), None)
    if arn in AWS_MANAGED_POLICIES:
        text = json.dumps(AWS_MANAGED_POLICIES[arn], indent=2)
    elif arn in customer:
        text = customer[arn]
    else:
        return None
    tail = arn.split(":policy", 1)[1]
    return {"arn": arn, "id": arn, "name": tail.rsplit("/", 1)[-1], "path": tail.rsplit("/", 1)[0] + "/",
            "policy": text, "policy_id": "ANPA" + unique_suffix({"policy": arn})[:17], "description": "",
            "attachment_count": 0, "tags": {}}


# ---------------------------------------------------------------- data sources

def read_data(type_name, config):
    block = data_schema(type_name)
    out = dict(config)
    fixed = {
        "aws_caller_identity": {"account_id": ACCOUNT_ID, "arn": f"arn:aws:iam::{ACCOUNT_ID}:user/double",
                                "user_id": "AIDADOUBLE", "id": ACCOUNT_ID},
        "aws_partition": {"partition": "aws", "dns_suffix": "amazonaws.com", "id": "aws",
                          "reverse_dns_prefix": "com.amazonaws"},
        "aws_region": {"name": REGION, "region": REGION, "id": REGION, "endpoint": f"{REGION}.amazonaws.com",
                       "description": "US East (N. Virginia)"},
    }.get(type_name, {})
    for k, v in fixed.items():
        if k in block.get("attributes", {}) and out.get(k) is None:
            out[k] = v
    if type_name == "aws_iam_policy_document":
        text, minified = policy_document_json(config)
        out["json"] = text
        out["minified_json"] = minified
        out["id"] = str(int(hashlib.sha256(text.encode()).hexdigest()[:8], 16))
    if type_name == "aws_iam_policy":
        found = managed_policy_data(config)
        if found is not None:
            out.update(found)
    if type_name == "external":
        out["result"] = {}
        out["id"] = "-"
    for name, a in block.get("attributes", {}).items():
        if out.get(name) is None and a.get("computed"):
            out[name] = fake_value(type_name, name, a, out, True)
    return shape(block, out)


# ---------------------------------------------------------------- the gRPC service

def make_servicer():
    from tf.gen import tfplugin_pb2 as pb
    from tf.gen import tfplugin_pb2_grpc as rpc

    def diag(summary, detail=""):
        return pb.Diagnostic(severity=pb.Diagnostic.ERROR, summary=summary, detail=detail)

    class Double(rpc.ProviderServicer):
        def GetMetadata(self, request, context):
            return pb.GetMetadata.Response(
                server_capabilities=pb.ServerCapabilities(plan_destroy=True),
                resources=[pb.GetMetadata.ResourceMetadata(type_name=n) for n in SCHEMAS["resource_schemas"]],
                data_sources=[pb.GetMetadata.DataSourceMetadata(type_name=n) for n in SCHEMAS["data_source_schemas"]])

        def GetProviderSchema(self, request, context):
            resp = pb.GetProviderSchema.Response(
                provider=to_pb_schema(pb, {"block": PROVIDER_SCHEMA.get(PROVIDER, {"attributes": {}})}),
                provider_meta=to_pb_schema(pb, {"block": PROVIDER_META.get(PROVIDER, {"attributes": {}})}),
                server_capabilities=pb.ServerCapabilities(plan_destroy=True))
            for n, s in SCHEMAS["resource_schemas"].items():
                resp.resource_schemas[n].CopyFrom(to_pb_schema(pb, s))
            for n, s in SCHEMAS["data_source_schemas"].items():
                resp.data_source_schemas[n].CopyFrom(to_pb_schema(pb, s))
            return resp

        def ValidateProviderConfig(self, request, context):
            return pb.ValidateProviderConfig.Response()

        def ValidateResourceConfig(self, request, context):
            config = decode(request.config) or {}
            diags = []
            if request.type_name == "aws_lambda_function":
                blocks = config.get("tracing_config")
                for tc in blocks if isinstance(blocks, list) else []:
                    if not isinstance(tc, dict):
                        continue
                    mode = tc.get("mode")
                    if mode is not None and mode is not UNKNOWN and mode not in ("Active", "PassThrough"):
                        diags.append(diag("invalid value for tracing_config.0.mode",
                                          f'expected one of Active, PassThrough, got "{mode}"'))
            return pb.ValidateResourceConfig.Response(diagnostics=diags)

        def ValidateDataResourceConfig(self, request, context):
            return pb.ValidateDataResourceConfig.Response()

        def ConfigureProvider(self, request, context):
            config = decode(request.config) or {}
            if isinstance(config.get("region"), str):
                PROVIDER_CONFIG["region"] = config["region"]
            return pb.ConfigureProvider.Response()

        def UpgradeResourceState(self, request, context):
            raw = json.loads(request.raw_state.json) if request.raw_state.json else None
            return pb.UpgradeResourceState.Response(
                upgraded_state=encode(shape(resource_schema(request.type_name), raw)))

        def ReadResource(self, request, context):
            state = decode(request.current_state)
            if state is not None and request.type_name in LAMBDA_TYPES:
                state = read_live(request.type_name, state)
            return pb.ReadResource.Response(new_state=encode(state), private=request.private)

        def PlanResourceChange(self, request, context):
            proposed = decode(request.proposed_new_state)
            prior = decode(request.prior_state)
            if proposed is None:
                return pb.PlanResourceChange.Response(planned_state=request.proposed_new_state,
                                                      legacy_type_system=True)
            config = decode(request.config)
            block = resource_schema(request.type_name)
            meta = sdk(request.type_name)
            planned = plan_object(block, config, prior, prior is None, meta)
            if PROVIDER == "aws":
                aws_plan_customisations(block, config, planned)
            replace = []
            if prior is not None:
                # An unset awscc function_name keeps its prior value, so RequiresReplaceIfConfigured
                # needs no test of its own here.
                for name in sorted(meta["force_new"]):
                    if planned.get(name) is UNKNOWN or planned.get(name) != prior.get(name):
                        replace.append(pb.AttributePath(steps=[pb.AttributePath.Step(attribute_name=name)]))
                if request.type_name == "null_resource" and planned.get("triggers") != prior.get("triggers"):
                    replace.append(pb.AttributePath(steps=[pb.AttributePath.Step(attribute_name="triggers")]))
            return pb.PlanResourceChange.Response(planned_state=encode(planned), requires_replace=replace,
                                                  legacy_type_system=True)

        def ApplyResourceChange(self, request, context):
            t = request.type_name
            if t in IAM_TYPES:
                return self.apply_iam(request)
            if t in LAMBDA_TYPES:
                refused = self.xray_gate(request)
                if refused is not None:
                    return refused
            with ACCOUNT_LOCK:
                return self.apply(request)

        def apply_iam(self, request):
            planned = decode(request.planned_state)
            prior = decode(request.prior_state)
            t = request.type_name
            new = fill_unknowns(t, resource_schema(t), planned) if planned is not None else None
            error = iam_apply(t, prior, new)
            if error:
                verb = "creating" if prior is None else ("deleting" if new is None else "updating")
                return pb.ApplyResourceChange.Response(
                    new_state=request.prior_state if prior is not None else encode(None), legacy_type_system=True,
                    diagnostics=[diag(f"{verb} {t}", error)])
            return pb.ApplyResourceChange.Response(new_state=encode(new), private=request.planned_private,
                                                   legacy_type_system=True)

        def xray_gate(self, request):
            """CreateFunction / UpdateFunctionConfiguration with Active tracing: Lambda checks that
            the execution role may call PutTraceSegments and PutTelemetryRecords; the provider
            retries the refusal for a while (retryFunctionOp), then fails. Checked when the
            function is created Active, switched to Active, or given another role while Active."""
            planned = decode(request.planned_state)
            prior = decode(request.prior_state)
            t = request.type_name
            if planned is None:
                return None
            new = fill_unknowns(t, resource_schema(t), planned)
            if mode_of_state(t, new) != "Active":
                return None
            if prior is not None and mode_of_state(t, prior) == "Active" and prior.get("role") == new.get("role"):
                return None
            name = new.get("function_name")
            when = "create" if prior is None else "update"
            error, why = wait_for_xray(new.get("role"))
            record_xray(t, name, new.get("role"), when, error, why)
            if error is None:
                return None
            operation = "CreateFunction" if prior is None else "UpdateFunctionConfiguration"
            summary = f"creating Lambda Function ({name})" if prior is None else f"updating Lambda Function ({name}) configuration"
            return pb.ApplyResourceChange.Response(
                new_state=encode(None) if prior is None else request.prior_state, legacy_type_system=True,
                diagnostics=[diag(summary, f"operation error Lambda: {operation}, https response error StatusCode: 400, {error}")])

        def apply(self, request):
            planned = decode(request.planned_state)
            prior = decode(request.prior_state)
            t = request.type_name
            if planned is None:
                if t in LAMBDA_TYPES and prior is not None:
                    data = account_read()
                    key = function_key(t, prior.get("function_name"))
                    if data["functions"].get(key, {}).get("fail_delete"):
                        return pb.ApplyResourceChange.Response(
                            new_state=request.prior_state, legacy_type_system=True,
                            diagnostics=[diag("deleting Lambda Function", "the double's account refuses (fail_delete)")])
                    data["functions"].pop(key, None)
                    account_write(data)
                return pb.ApplyResourceChange.Response(new_state=encode(None), legacy_type_system=True)
            new = fill_unknowns(t, resource_schema(t), planned)
            if t in LAMBDA_TYPES:
                data = account_read()
                key = function_key(t, new["function_name"])
                if prior is None and key in data["functions"]:
                    return pb.ApplyResourceChange.Response(new_state=encode(None), legacy_type_system=True, diagnostics=[diag(
                        "creating Lambda Function", f"ResourceConflictException: Function already exist: {new['function_name']}")])
                fn = data["functions"].setdefault(key, {})
                fn["mode"] = mode_of_state(t, new)
                new = with_mode(t, new, fn["mode"])
                account_write(data)
            return pb.ApplyResourceChange.Response(new_state=encode(new), private=request.planned_private,
                                                   legacy_type_system=True)

        def ImportResourceState(self, request, context):
            t = request.type_name
            if t not in LAMBDA_TYPES:
                return pb.ImportResourceState.Response(diagnostics=[diag(f"the double cannot import {t}")])
            fn = account_read()["functions"].get(function_key(t, request.id))
            if fn is None:
                return pb.ImportResourceState.Response(
                    diagnostics=[diag("Cannot import non-existent remote object", f"no function {request.id}")])
            block = resource_schema(t)
            state = shape(block, dict(fn.get("state") or {}, id=request.id, function_name=request.id))
            state = fill_unknowns(t, block, {k: (UNKNOWN if v is None and block["attributes"].get(k, {}).get("computed") else v)
                                             for k, v in state.items()})
            for k, v in sdk(t)["defaults"].items():
                if state.get(k) is None:
                    state[k] = v
            state = with_mode(t, state, fn["mode"])
            return pb.ImportResourceState.Response(imported_resources=[
                pb.ImportResourceState.ImportedResource(type_name=t, state=encode(state))])

        def ReadDataSource(self, request, context):
            config = decode(request.config)
            return pb.ReadDataSource.Response(state=encode(read_data(request.type_name, config)))

        def GetFunctions(self, request, context):
            return pb.GetFunctions.Response()

        def StopProvider(self, request, context):
            return pb.StopProvider.Response()

    return Double


def main():
    import tf.provider
    import tf.runner

    servicer = make_servicer()
    # tf.runner.run_provider does the go-plugin handshake, TLS and the controller services; it
    # builds tf.provider.ProviderServicer(provider): hand it ours instead.
    tf.provider.ProviderServicer = lambda _provider: servicer()

    class Named:
        def full_name(self):
            return f"registry.terraform.io/hashicorp/{PROVIDER}"

    tf.runner.run_provider(Named(), sys.argv)


if __name__ == "__main__":
    main()
