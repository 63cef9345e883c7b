#!/usr/bin/env python3
"""Writes the hand-made scenario plans under testdata/<scenario>/plan.json.

How they are made: the envelope (key order, `planned_values`, `resource_changes`, `configuration`
with module calls, variables, count/for_each expressions, `timestamp`/`applyable`/`complete`/`errored`)
copies what `terraform show -json` of Terraform 1.11.4 writes for the same structure built from
`terraform_data` resources (see testdata/terraform-envelope/, made by a real terraform run). Provider
plugins cannot be downloaded here, so the Lambda entries are written by hand from the shapes in
DESIGN.md §2, which were checked against the aws and awscc providers' source.

Run `python3 testdata/generate.py` from the repository root to rewrite them; the output is
deterministic.
"""
import copy
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))
AWS = "registry.terraform.io/hashicorp/aws"
AWSCC = "registry.terraform.io/hashicorp/awscc"
MISSING = object()

BASE_AFTER = {
    "architectures": ["x86_64"],
    "description": "",
    "environment": [],
    "filename": "build/fn.zip",
    "handler": "index.handler",
    "memory_size": 128,
    "publish": False,
    "role": "arn:aws:iam::123456789012:role/lambda",
    "runtime": "nodejs20.x",
    "tags": None,
    "timeout": 3,
}
BASE_UNKNOWN = {
    "architectures": [False],
    "arn": True,
    "environment": [],
    "id": True,
    "invoke_arn": True,
    "last_modified": True,
    "qualified_arn": True,
    "version": True,
}


def lambda_change(address, name, actions, tracing=MISSING, tracing_unknown=MISSING, *,
                  module_address=None, index=None, rtype="aws_lambda_function", before=None,
                  deposed=None, after_extra=None, after_sensitive=None, mode="managed"):
    after = dict(BASE_AFTER, function_name=name)
    if after_extra:
        after.update(after_extra)
    unknown = copy.deepcopy(BASE_UNKNOWN)
    if tracing is not MISSING:
        after["tracing_config"] = tracing
    if tracing_unknown is not MISSING:
        unknown["tracing_config"] = tracing_unknown
    if actions == ["delete"]:
        after, unknown = None, {}
    entry = {"address": address}
    if module_address:
        entry["module_address"] = module_address
    entry.update({"mode": mode, "type": rtype, "name": address.split(".")[-1].split("[")[0]})
    if index is not None:
        entry["index"] = index
    entry["provider_name"] = AWSCC if rtype.startswith("awscc") else AWS
    if deposed:
        entry["deposed"] = deposed
    if before is None and actions not in (["create"],):
        before = dict(BASE_AFTER, function_name=name, tracing_config=[{"mode": "PassThrough"}])
    entry["change"] = {
        "actions": actions,
        "before": before,
        "after": after,
        "after_unknown": unknown,
        "before_sensitive": False if before is None else {},
        "after_sensitive": after_sensitive if after_sensitive is not None else ({} if after is not None else False),
    }
    return entry


def config_resource(rtype, name, tracing_expr=MISSING, count=None, for_each=None):
    expressions = {
        "filename": {"constant_value": "build/fn.zip"},
        "function_name": {"constant_value": name},
        "handler": {"constant_value": "index.handler"},
        "role": {"constant_value": "arn:aws:iam::123456789012:role/lambda"},
        "runtime": {"constant_value": "nodejs20.x"},
    }
    if tracing_expr is not MISSING:
        expressions["tracing_config"] = tracing_expr
    resource = {
        "address": f"{rtype}.{name}",
        "mode": "managed",
        "type": rtype,
        "name": name,
        "provider_config_key": "awscc" if rtype.startswith("awscc") else "aws",
        "expressions": expressions,
        "schema_version": 0 if rtype.startswith("awscc") else 0,
    }
    if count is not None:
        resource["count_expression"] = count
    if for_each is not None:
        resource["for_each_expression"] = for_each
    return resource


def planned_values(changes):
    """planned_values.root_module as Terraform nests it (child_modules per module instance)."""
    root = {"resources": []}
    modules = {}
    for change in changes:
        after = change["change"]["after"]
        if after is None or change.get("deposed"):
            continue
        resource = {k: change[k] for k in ("address", "mode", "type", "name", "index", "provider_name") if k in change}
        resource["schema_version"] = 0
        resource["values"] = after
        resource["sensitive_values"] = {}
        module_address = change.get("module_address")
        if module_address:
            modules.setdefault(module_address, {"resources": [], "address": module_address})["resources"].append(resource)
        else:
            root["resources"].append(resource)
    if modules:
        root["child_modules"] = list(modules.values())
    return root


def plan(changes, configuration, variables=None, fmt="1.2", tf="1.11.4"):
    doc = {"format_version": fmt, "terraform_version": tf}
    if variables:
        doc["variables"] = {k: {"value": v} for k, v in variables.items()}
    doc["planned_values"] = {"root_module": planned_values(changes)}
    doc["resource_changes"] = changes
    doc["configuration"] = {
        "provider_config": {"aws": {"name": "aws", "full_name": AWS}},
        "root_module": configuration,
    }
    if fmt >= "1.2":
        doc.update({"timestamp": "2026-11-25T12:00:00Z", "applyable": True, "complete": True, "errored": False})
    return doc


def var(name):
    return {"references": [f"var.{name}"]}


def const(value):
    return {"constant_value": value}


def write(scenario, document, note, *, pretty=False, raw=None):
    folder = os.path.join(HERE, scenario)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "plan.json"), "w", encoding="utf-8") as f:
        if raw is not None:
            f.write(raw)
        elif pretty:
            json.dump(document, f, indent=2)
            f.write("\n")
        else:
            json.dump(document, f, separators=(",", ":"))
            f.write("\n")
    with open(os.path.join(folder, "README.md"), "w", encoding="utf-8") as f:
        f.write(f"# {scenario}\n\n{note}\n\nMade by `testdata/generate.py` (see its docstring for how).\n")


fn = lambda name, **kw: config_resource("aws_lambda_function", name, **kw)


def main():
    # Layer 1 basics.
    write("active", plan(
        [lambda_change("aws_lambda_function.api", "api", ["create"], [{"mode": "Active"}], [{}])],
        {"resources": [fn("api", tracing_expr=[{"mode": const("Active")}])]},
    ), "A root function created with `tracing_config { mode = \"Active\" }`: pass.")

    write("passthrough", plan(
        [lambda_change("aws_lambda_function.api", "api", ["create"], [{"mode": "PassThrough"}], [{}])],
        {"resources": [fn("api", tracing_expr=[{"mode": const("PassThrough")}])]},
    ), "A root function created with a literal `mode = \"PassThrough\"`: fail.", pretty=True)

    write("omitted-unknown", plan(
        [lambda_change("aws_lambda_function.api", "api", ["create"], MISSING, True)],
        {"resources": [fn("api")]},
    ), "No tracing_config at create: current providers leave the whole Optional+Computed block in "
       "`after_unknown` and out of `after`. AWS applies PassThrough: fail.")

    write("omitted-empty", plan(
        [lambda_change("aws_lambda_function.api", "api", ["create"], [], [])],
        {"resources": [fn("api")]}, fmt="1.0", tf="1.0.11",
    ), "No tracing_config, as older providers wrote it: `tracing_config = []` (format 1.0): fail.")

    write("mode-unknown", plan(
        [lambda_change("aws_lambda_function.api", "api", ["create"], [{}], [{"mode": True}])],
        {"resources": [fn("api", tracing_expr=[{"mode": {"references": [
            "aws_ssm_parameter.tracing.value", "aws_ssm_parameter.tracing"]}}])]},
    ), "The mode comes from another resource's attribute computed during apply: unknown.")

    # Layer 2: variables and module inputs.
    write("variable", plan(
        [lambda_change("aws_lambda_function.api", "api", ["create"], [{"mode": "PassThrough"}], [{}])],
        {"resources": [fn("api", tracing_expr=[{"mode": var("tracing_mode")}])],
         "variables": {"tracing_mode": {"default": "Active", "description": "X-Ray mode"}}},
        variables={"tracing_mode": "PassThrough"}, fmt="1.1", tf="1.3.9",
    ), "The mode comes from a root variable whose default is Active but which a tfvars file sets to "
       "PassThrough (format 1.1): fail, with `var.tracing_mode = \"PassThrough\" (plan variables)` in the evidence.")

    inner = {
        "resources": [fn("this", tracing_expr=[{"mode": var("mode")}])],
        "variables": {"mode": {"default": None}},
    }
    outer = {
        "module_calls": {"inner": {"source": "./inner", "expressions": {"mode": var("tracing_mode")}, "module": inner}},
        "variables": {"tracing_mode": {"default": "PassThrough"}},
    }
    write("nested-module", plan(
        [
            lambda_change("module.svc.module.inner.aws_lambda_function.this", "svc", ["create"],
                          [{"mode": "PassThrough"}], [{}], module_address="module.svc.module.inner"),
            lambda_change("module.traced.module.inner.aws_lambda_function.this", "traced", ["create"],
                          [{"mode": "Active"}], [{}], module_address="module.traced.module.inner"),
            lambda_change("module.fed.module.inner.aws_lambda_function.this", "fed", ["create"],
                          [{"mode": "PassThrough"}], [{}], module_address="module.fed.module.inner"),
        ],
        {
            "module_calls": {
                "svc": {"source": "./modules/outer", "module": outer},
                "traced": {"source": "./modules/outer", "expressions": {"tracing_mode": const("Active")}, "module": outer},
                "fed": {"source": "./modules/outer", "expressions": {"tracing_mode": var("mode")}, "module": outer},
            },
            "variables": {"mode": {"default": "PassThrough"}},
        },
        variables={"mode": "PassThrough"},
    ), "Two levels of modules. `module.svc` does not set `tracing_mode`, so the outer module's default "
       "PassThrough flows into `module.inner`: fail. `module.traced` passes \"Active\": pass. `module.fed` "
       "passes the root `var.mode` (PassThrough): fail.")

    write("count-for-each", plan(
        [
            lambda_change("aws_lambda_function.counted[0]", "counted-0", ["create"], [{"mode": "Active"}], [{}], index=0),
            lambda_change("aws_lambda_function.counted[1]", "counted-1", ["create"], [{"mode": "Active"}], [{}], index=1),
            lambda_change('aws_lambda_function.each["a"]', "each-a", ["create"], [{"mode": "Active"}], [{}], index="a"),
            lambda_change('aws_lambda_function.each["b"]', "each-b", ["create"], [{"mode": "PassThrough"}], [{}], index="b"),
            lambda_change('module.per_env["prod"].aws_lambda_function.this', "prod", ["create"], MISSING, True,
                          module_address='module.per_env["prod"]'),
        ],
        {
            "resources": [
                fn("counted", tracing_expr=[{"mode": const("Active")}], count=const(2)),
                fn("each", tracing_expr=[{"mode": {"references": ["each.value"]}}], for_each=var("modes")),
            ],
            "module_calls": {"per_env": {"source": "./modules/fn", "for_each_expression": var("envs"),
                                         "module": {"resources": [fn("this")]}}},
            "variables": {"modes": {"default": {"a": "Active", "b": "PassThrough"}}, "envs": {"default": ["prod"]}},
        },
        variables={"modes": {"a": "Active", "b": "PassThrough"}, "envs": ["prod"]},
    ), "Every count and for_each instance is judged, also inside a for_each module: counted[0], counted[1] "
       "and each[\"a\"] pass; each[\"b\"] (PassThrough) and module.per_env[\"prod\"] (omitted) fail.")

    data_entry = lambda_change("data.aws_lambda_function.existing", "existing", ["read"], [{"mode": "PassThrough"}], [{}], mode="data")
    write("data-source", plan(
        [data_entry, lambda_change("aws_lambda_function.api", "api", ["create"], [{"mode": "Active"}], [{}])],
        {"resources": [fn("api", tracing_expr=[{"mode": const("Active")}])]},
    ), "A `data \"aws_lambda_function\"` read with PassThrough is never judged; the managed function passes.")

    write("delete", plan(
        [lambda_change("aws_lambda_function.old", "old", ["delete"])],
        {"resources": []},
    ), "A function the plan deletes: skipped.")

    write("replace", plan(
        [
            lambda_change("aws_lambda_function.api", "api", ["delete", "create"], [{"mode": "Active"}], [{}]),
            lambda_change("aws_lambda_function.worker", "worker", ["create", "delete"], MISSING, True),
        ],
        {"resources": [fn("api", tracing_expr=[{"mode": const("Active")}]), fn("worker")]},
    ), "Replacements are judged on `after`: api (delete-then-create, Active) passes; worker "
       "(create-before-destroy, block omitted, so unknown at create) fails.")

    write("update-keeps-active", plan(
        [lambda_change("aws_lambda_function.api", "api", ["update"], [{"mode": "Active"}], [{}],
                       before=dict(BASE_AFTER, function_name="api", memory_size=256, tracing_config=[{"mode": "Active"}]))],
        {"resources": [fn("api")]},
    ), "An update whose configuration no longer has a tracing_config block: the Optional+Computed block "
       "keeps the prior Active value in `after`, so the function stays traced: pass.")

    write("no-op", plan(
        [
            lambda_change("aws_lambda_function.stable", "stable", ["no-op"], [{"mode": "PassThrough"}], [{}]),
            lambda_change("aws_lambda_function.new", "new", ["create"], [{"mode": "Active"}], [{}]),
        ],
        {"resources": [fn("stable", tracing_expr=[{"mode": const("PassThrough")}]),
                       fn("new", tracing_expr=[{"mode": const("Active")}])]},
    ), "An unchanged (no-op) PassThrough function is judged (fail) unless --changed-only skips it; the "
       "new Active function passes.")

    write("awscc", plan(
        [
            lambda_change("awscc_lambda_function.traced", "traced", ["create"], {"mode": "Active"}, {}, rtype="awscc_lambda_function"),
            lambda_change("awscc_lambda_function.plain", "plain", ["create"], MISSING, True, rtype="awscc_lambda_function"),
            lambda_change("awscc_lambda_function.passing", "passing", ["create"], {"mode": "PassThrough"}, {}, rtype="awscc_lambda_function"),
        ],
        {"resources": [
            config_resource("awscc_lambda_function", "traced", tracing_expr=const({"mode": "Active"})),
            config_resource("awscc_lambda_function", "plain"),
            config_resource("awscc_lambda_function", "passing", tracing_expr=var("tracing")),
        ], "variables": {"tracing": {"default": {"mode": "PassThrough"}}}},
        variables={"tracing": {"mode": "PassThrough"}},
    ), "hashicorp/awscc functions: `tracing_config` is a single nested object. traced (Active) passes; "
       "plain (omitted, unknown at create) fails; passing gets the whole object from a variable: fail.")

    write("opentofu-forget", plan(
        [
            lambda_change("aws_lambda_function.moved", "moved", ["forget", "create"], [{"mode": "PassThrough"}], [{}]),
            lambda_change("aws_lambda_function.released", "released", ["forget"], [{"mode": "PassThrough"}], [{}]),
        ],
        {"resources": [fn("moved", tracing_expr=[{"mode": const("PassThrough")}])]},
        tf="1.9.0",
    ), "OpenTofu 1.9 writes actions as [\"forget\",\"create\"]: judged on after (PassThrough: fail). "
       "[\"forget\"] alone leaves the function unmanaged: skipped.")

    write("deposed", plan(
        [
            lambda_change("aws_lambda_function.api", "api", ["delete"], deposed="00000001"),
            lambda_change("aws_lambda_function.api", "api", ["no-op"], [{"mode": "Active"}], [{}]),
        ],
        {"resources": [fn("api", tracing_expr=[{"mode": const("Active")}])]},
    ), "A deposed object left by an interrupted create-before-destroy is destroyed: skipped; the current "
       "object (Active) passes.")

    secret = "s3cr3t-token-do-not-print"
    write("sensitive", plan(
        [lambda_change("aws_lambda_function.api", "api", ["create"], [{"mode": "PassThrough"}], [{}],
                       after_extra={"environment": [{"variables": {"TOKEN": secret}}]},
                       after_sensitive={"environment": [{"variables": True}]})],
        {"resources": [fn("api", tracing_expr=[{"mode": var("tracing_mode")}])],
         "variables": {"tracing_mode": {"sensitive": True}, "token": {"sensitive": True}}},
        variables={"tracing_mode": "PassThrough", "token": secret},
    ), f"Sensitive values: the environment holds `{secret}` (marked in after_sensitive) and the mode "
       "comes from a variable declared `sensitive = true`. Neither value may appear in any output.")

    hostile = 'evil%0A::error::pwned\n|<b>\x1b[31mred'
    write("hostile-names", plan(
        [lambda_change(f'aws_lambda_function.each["{hostile}"]', "hostile", ["create"], [{"mode": "PassThrough"}], [{}], index=hostile)],
        {"resources": [fn("each", tracing_expr=[{"mode": const("PassThrough")}], for_each=var("names"))]},
    ), "An instance key holding a workflow command, a newline, `|`, `<` and an ANSI escape: text output "
       "must show them escaped.")

    # Format versions.
    for fmt, tf in (("1.0", "1.0.11"), ("1.1", "1.3.9"), ("1.2", "1.11.4"), ("1.3", "1.14.0")):
        write(f"format-{fmt}", plan(
            [lambda_change("aws_lambda_function.api", "api", ["create"], [{"mode": "Active"}], [{}])],
            {"resources": [fn("api", tracing_expr=[{"mode": const("Active")}])]}, fmt=fmt, tf=tf,
        ), f"Plan format_version {fmt}" + (" (newer than known: read with a warning)." if fmt == "1.3" else "."))

    future = plan([], {"resources": []}, fmt="2.0", tf="2.0.0")
    write("bad-format-2.0", future, "format_version 2.0: a major version tracegate does not read, exit 2.")

    # State JSON (`terraform show -json` without a plan).
    state = {"format_version": "1.0", "terraform_version": "1.11.4", "values": {"root_module": {
        "resources": [
            {"address": "aws_lambda_function.api", "mode": "managed", "type": "aws_lambda_function", "name": "api",
             "provider_name": AWS, "schema_version": 0,
             "values": dict(BASE_AFTER, function_name="api", tracing_config=[{"mode": "Active"}]), "sensitive_values": {}},
        ],
        "child_modules": [{"address": "module.jobs", "resources": [
            {"address": "module.jobs.aws_lambda_function.nightly", "mode": "managed", "type": "aws_lambda_function",
             "name": "nightly", "provider_name": AWS, "schema_version": 0,
             "values": dict(BASE_AFTER, function_name="nightly", tracing_config=[{"mode": "PassThrough"}]), "sensitive_values": {}},
        ]}],
    }}}
    write("state", state, "A state JSON (`terraform show -json` with no plan): judged from its values. "
          "api (Active) passes; module.jobs nightly (PassThrough) fails.")

    base = plan([lambda_change("aws_lambda_function.api", "api", ["create"], [{"mode": "Active"}], [{}])],
                {"resources": [fn("api", tracing_expr=[{"mode": const("Active")}])]})
    body = json.dumps(base, separators=(",", ":"))
    write("wrapper-debug", None, "setup-terraform wrapper output with `::debug::` lines after the JSON: "
          "recovered with a warning.",
          raw="[command]/home/runner/work/_temp/terraform-bin show -json tf.plan\n" + body +
              "\n::debug::stderr: \n::debug::exitcode: 0\n")


def sources():
    """testdata/sources: a plan for the .tf tree beside it (written by hand; see its README)."""
    lam = lambda_change
    reg = {"create": {"default": True}, "function_name": {"default": ""}, "tracing_mode": {"default": None}}
    registry_module = {"resources": [fn("this", count={"references": ["var.create"]})], "variables": reg}
    changes = [
        lam("aws_lambda_function.literal", "literal", ["create"], [{"mode": "PassThrough"}], [{}]),
        lam("aws_lambda_function.omitted", "omitted", ["create"], MISSING, True),
        lam("aws_lambda_function.by_default", "by-default", ["create"], [{"mode": "PassThrough"}], [{}]),
        lam("aws_lambda_function.by_tfvars", "by-tfvars", ["create"], [{"mode": "PassThrough"}], [{}]),
        lam("module.local_fn.aws_lambda_function.this", "local", ["create"], [{"mode": "PassThrough"}], [{}],
            module_address="module.local_fn"),
        lam("module.worker.aws_lambda_function.this[0]", "worker", ["create"], MISSING, True,
            module_address="module.worker", index=0),
        lam("module.api.aws_lambda_function.this[0]", "api", ["create"], [{"mode": "Active"}], [{}],
            module_address="module.api", index=0),
        lam("module.cfg.aws_lambda_function.this", "cfg", ["create"], MISSING, True, module_address="module.cfg"),
        lam("module.wrapper.module.lambda.aws_lambda_function.this[0]", "wrapped", ["create"],
            [{"mode": "PassThrough"}], [{}], module_address="module.wrapper.module.lambda", index=0),
        lam("module.from_ssm.aws_lambda_function.this[0]", "from-ssm", ["create"], MISSING, True,
            module_address="module.from_ssm", index=0),
        # What the dynamic block of from_ssm depends on, as Terraform plans it: created in this
        # plan, with the values the provider computes marked unknown.
        {"address": "aws_ssm_parameter.tracing", "mode": "managed", "type": "aws_ssm_parameter",
         "name": "tracing", "provider_name": AWS,
         "change": {"actions": ["create"], "before": None,
                    "after": {"name": "/lambda/tracing-mode", "type": "String", "tags": None},
                    "after_unknown": {"arn": True, "id": True, "value": True, "version": True,
                                      "tags_all": True, "insecure_value": True},
                    "before_sensitive": False, "after_sensitive": {"value": True}}},
        {"address": "random_shuffle.mode", "mode": "managed", "type": "random_shuffle", "name": "mode",
         "provider_name": "registry.terraform.io/hashicorp/random",
         "change": {"actions": ["create"], "before": None,
                    "after": {"input": ["Active", "PassThrough"], "keepers": None, "result_count": 1, "seed": None},
                    "after_unknown": {"id": True, "input": [False, False], "result": True},
                    "before_sensitive": False, "after_sensitive": {"input": [False, False], "result": []}}},
    ]
    configuration = {
        "resources": [
            fn("literal", tracing_expr=[{"mode": const("PassThrough")}]),
            fn("omitted"),
            fn("by_default", tracing_expr=[{"mode": var("default_mode")}]),
            fn("by_tfvars", tracing_expr=[{"mode": var("tfvars_mode")}]),
        ],
        "module_calls": {
            "local_fn": {"source": "./modules/fn", "expressions": {"name": const("local")},
                         "module": {"resources": [fn("this", tracing_expr=[{"mode": var("tracing_mode")}])],
                                    "variables": {"name": {}, "tracing_mode": {"default": "PassThrough"}}}},
            "worker": {"source": "terraform-aws-modules/lambda/aws", "version_constraint": "7.20.0",
                       "expressions": {"function_name": const("worker")}, "module": registry_module},
            "api": {"source": "terraform-aws-modules/lambda/aws", "version_constraint": "7.20.0",
                    "expressions": {"function_name": const("api"), "tracing_mode": const("Active")},
                    "module": registry_module},
            "cfg": {"source": "example/lambda-cfg/aws", "version_constraint": "1.0.0",
                    "expressions": {"function_name": const("cfg")},
                    "module": {"resources": [fn("this")],
                               "variables": {"function_name": {}, "tracing_config": {"default": None}}}},
            "wrapper": {"source": "./modules/wrapper", "expressions": {"mode": {"references": ["local.wrapper_mode"]}},
                        "module": {"module_calls": {"lambda": {
                            "source": "terraform-aws-modules/lambda/aws", "version_constraint": "7.20.0",
                            "expressions": {"function_name": const("wrapped"), "tracing_mode": var("mode")},
                            "module": registry_module}}, "variables": {"mode": {}}}},
            "from_ssm": {"source": "terraform-aws-modules/lambda/aws", "version_constraint": "7.20.0",
                         "expressions": {"function_name": const("from-ssm"), "tracing_mode": {
                             "references": ["aws_ssm_parameter.tracing.value", "aws_ssm_parameter.tracing"]}},
                         "module": registry_module},
        },
        "variables": {"role": {"default": "arn:aws:iam::123456789012:role/lambda"},
                      "default_mode": {"default": "PassThrough"}, "tfvars_mode": {"default": "Active"},
                      "override_mode": {"default": None}},
    }
    write("sources", plan(changes, configuration, variables={
        "role": "arn:aws:iam::123456789012:role/lambda", "default_mode": "PassThrough",
        "tfvars_mode": "PassThrough", "override_mode": None}),
        "The source layer's scenarios: the `.tf` tree here (with a committed `.terraform/modules` and its "
        "`modules.json`; the registry-style modules are trimmed copies, and several module keys share one "
        "directory to keep the fixture small) and a plan written for it. See main.tf for what each "
        "function shows: a literal PassThrough, an omitted block, a variable default, a tfvars value, a "
        "local module, the registry module's dynamic pattern with and without the input, the object "
        "pattern, a wrapper module passing a local through, and a dynamic block that depends on an "
        "apply-time value.")


def escape():
    """testdata/escape: a plan for a source tree that tries to lead tracegate out of its root."""
    write("escape/root", plan([
        lambda_change("aws_lambda_function.api", "api", ["create"], MISSING, True),
        lambda_change("module.climb.aws_lambda_function.api", "climb", ["create"], MISSING, True,
                      module_address="module.climb"),
        lambda_change("module.absolute.aws_lambda_function.api", "absolute", ["create"], MISSING, True,
                      module_address="module.absolute"),
    ], {"resources": [fn("api")]}),
        "A hostile source tree: `module \"climb\"` has `source = \"../outside/mod\"`, `modules.json` maps "
        "`absolute` to `/etc`, and `leak.tf` is a symlink to `../outside/main.tf`. With `--source-root "
        "testdata/escape/root`, none of them may be read: those modules get \"sources not available\" in "
        "their evidence and the verdicts rest on the plan.")


def suppressions():
    """testdata/suppressions: a plan for the .tf tree and .tracegate.toml beside it."""
    names = ["ignored_above", "ignored_inline", "no_reason", "by_file", "expired"]
    changes = [lambda_change(f"aws_lambda_function.{n}", n.replace("_", "-"), ["create"], MISSING, True) for n in names]
    changes.append(lambda_change("module.legacy.aws_lambda_function.old", "old", ["create"], MISSING, True,
                                 module_address="module.legacy"))
    write("suppressions", plan(changes, {"resources": [fn(n) for n in names], "module_calls": {
        "legacy": {"source": "./modules/legacy", "module": {"resources": [fn("old")]}}}}),
        "Suppressions: an ignore comment above a resource and one on its header line (suppressed, "
        "inSource), one without a reason (still fails, and says so), a `.tracegate.toml` entry "
        "(suppressed, external), an expired entry (still fails, and says so), and a glob over a module.")


def foreign_ignores():
    """testdata/foreign-ignores: a plan for the .tf tree (other tools' skip comments) beside it."""
    names = ["checkov_in_body", "checkov_no_reason", "checkov_other_check", "trivy_above",
             "trivy_expired", "trivy_no_reason", "tfsec_inline", "tfsec_workspace", "in_strings",
             "trivy_in_body"]
    changes = [lambda_change(f"aws_lambda_function.{n}", n.replace("_", "-"), ["create"], MISSING, True) for n in names]
    changes.append(lambda_change("module.vendor.aws_lambda_function.this", "vendor", ["create"], MISSING, True,
                                 module_address="module.vendor"))
    write("foreign-ignores", plan(changes, {"resources": [fn(n) for n in names], "module_calls": {
        "vendor": {"source": "registry.terraform.io/example/lambda/aws", "version_constraint": "1.0.0",
                   "module": {"resources": [fn("this")]}}}}),
        "Other tools' skip comments under `foreign_ignores = true` (`.tracegate.toml`): Checkov's in the "
        "block's body, Trivy's above the header and tfsec's on the header line with a future `:exp:` suppress "
        "(inSource, with the tool and the comment); without a reason, expired, scoped to a workspace "
        "(`:ws:`), for another check, inside a string or heredoc, Trivy's in the body, or in a downloaded "
        "module under `.terraform/`, they do not, and the evidence says why where it can.")


def config():
    """testdata/config: a plan for the `.tracegate.toml [check]` tests, and the files they copy."""
    write("config", plan([
        lambda_change("aws_lambda_function.new_fail", "new_fail", ["create"], PASSTHROUGH),
        lambda_change("aws_lambda_function.old_fail", "old_fail", ["no-op"], PASSTHROUGH),
        lambda_change("aws_lambda_function.unknown_mode", "unknown_mode", ["create"], [{}], [{"mode": True}]),
    ], {"resources": [fn("new_fail"), fn("old_fail"), fn("unknown_mode", tracing_expr=[{"mode": {"references": [
        "aws_ssm_parameter.tracing.value", "aws_ssm_parameter.tracing"]}}])]}),
        "For `.tracegate.toml [check]` (tests/config.rs): a function this plan creates PassThrough (fails "
        "under every setting), one deployed PassThrough and left so (fails unless `fail_on = \"new\"`, "
        "skipped under `changed_only`), and one whose mode is known only after apply (fails only under "
        "`unknown = \"fail\"`). `every-key.toml` sets each key; `weakening.toml` each key that weakens "
        "the gate. Judged here with the defaults (no `.tracegate.toml` in this folder).")


def lambda_values(name, tracing=MISSING):
    """A Lambda function's attribute object as the aws provider plans or stores it."""
    values = dict(BASE_AFTER, function_name=name)
    if tracing is not MISSING:
        values["tracing_config"] = tracing
    return values


def from_envelope(envelope, functions, mutate=None):
    """A plan from a real Terraform 1.11.4 plan of terraform_data resources (testdata/envelopes/):
    the document's keys, their order and every plan-kind field (errored, complete, applyable,
    prior_state, resource_drift, deposed keys, checks) are Terraform's own; each terraform_data
    resource becomes an aws_lambda_function of the same name, whose attribute objects are given by
    `functions`: name -> {"after": ..., "after_unknown": ..., "before": ..., "state": ...}."""
    with open(os.path.join(HERE, "envelopes", f"{envelope}.json"), encoding="utf-8") as f:
        doc = json.load(f)

    def convert(entry, kind):
        if entry.get("type") != "terraform_data":
            return entry
        name = entry["name"]
        spec = functions[name]
        entry["address"] = entry["address"].replace("terraform_data.", "aws_lambda_function.")
        if "previous_address" in entry:
            entry["previous_address"] = entry["previous_address"].replace("terraform_data.", "aws_lambda_function.")
        entry["type"] = "aws_lambda_function"
        if "provider_name" in entry:
            entry["provider_name"] = AWS
        if "provider_config_key" in entry:
            entry["provider_config_key"] = "aws"
        if kind == "change":
            change = entry["change"]
            deposed = entry.get("deposed")
            if change.get("before") is not None:
                change["before"] = spec.get("deposed_state" if deposed else "before", spec.get("state"))
            if change.get("after") is not None:
                change["after"] = spec["after"]
                change["after_unknown"] = spec.get("after_unknown", dict(BASE_UNKNOWN))
        elif kind == "state":
            if "values" in entry:
                entry["values"] = spec.get("deposed_state" if entry.get("deposed_key") else "state", spec.get("state"))
        elif kind == "planned":
            if "values" in entry:
                entry["values"] = spec["after"]
        elif kind == "config":
            entry["expressions"] = spec.get("expressions", {})
        return entry

    def modules(module, kind):
        module["resources"] = [convert(r, kind) for r in module.get("resources", [])]
        for child in module.get("child_modules", []):
            modules(child, kind)
        if not module["resources"]:
            del module["resources"]

    for key, kind in (("resource_changes", "change"), ("resource_drift", "change")):
        doc[key] = [convert(r, kind) for r in doc.get(key, [])] or doc.pop(key, None)
        if doc.get(key) is None:
            doc.pop(key, None)
    if "planned_values" in doc and "resources" in doc["planned_values"]["root_module"]:
        modules(doc["planned_values"]["root_module"], "planned")
    if "prior_state" in doc:
        modules(doc["prior_state"]["values"]["root_module"], "state")
    modules(doc["configuration"]["root_module"], "config")
    doc["configuration"]["provider_config"] = {"aws": {"name": "aws", "full_name": AWS}}
    for check in doc.get("checks", []):
        for item in [check["address"]] + [i["address"] for i in check.get("instances", [])]:
            if item.get("type") == "terraform_data":
                item["type"] = "aws_lambda_function"
            item["to_display"] = item["to_display"].replace("terraform_data.", "aws_lambda_function.")
    doc.pop("relevant_attributes", None)
    if mutate:
        mutate(doc)
    return doc


ACTIVE = [{"mode": "Active"}]
PASSTHROUGH = [{"mode": "PassThrough"}]


def scope():
    """Plan kinds where the apply leaves functions that resource_changes does not list."""
    write("errored", from_envelope("errored", {
        "ok": {"after": lambda_values("ok", ACTIVE), "after_unknown": dict(BASE_UNKNOWN, tracing_config=[{}]),
               "expressions": {"tracing_config": [{"mode": const("Active")}]}},
        "bad": {"expressions": {}},
    }), "An errored plan (Terraform 1.6+ saves a partial plan after an error; here a failed precondition, "
        "envelope from testdata/envelopes/errored.json): the one function it holds (Active) is judged, "
        "the gate is not decided (exit 2) and one line says to fix the plan first.")

    write("targeted", from_envelope("target", {
        "a": {"state": lambda_values("a", ACTIVE), "after": lambda_values("a", ACTIVE),
              "after_unknown": dict(BASE_UNKNOWN, tracing_config=[{}], arn=False, id=False, invoke_arn=False,
                                    qualified_arn=False, version=False),
              "expressions": {"tracing_config": [{"mode": const("Active")}]}},
        "b": {"state": lambda_values("b", PASSTHROUGH),
              "expressions": {"tracing_config": [{"mode": const("Active")}]}},
    }), "A -target plan (complete: false; envelope from testdata/envelopes/target.json): the targeted "
        "function (Active) passes; aws_lambda_function.b is not in resource_changes, stays PassThrough "
        "after the apply and is judged from prior state: fail (skipped with --changed-only).")

    write("targeted-opentofu", from_envelope("target", {
        "a": {"state": lambda_values("a", ACTIVE), "after": lambda_values("a", ACTIVE),
              "after_unknown": dict(BASE_UNKNOWN, tracing_config=[{}]),
              "expressions": {"tracing_config": [{"mode": const("Active")}]}},
        "b": {"state": lambda_values("b", PASSTHROUGH), "expressions": {}},
    }, mutate=lambda doc: [doc.pop(k) for k in ("applyable", "complete")] and doc.update(terraform_version="1.10.0")),
        "An OpenTofu -exclude (or -target) plan: OpenTofu writes no `complete`, so only prior_state shows "
        "that aws_lambda_function.b is left out; it is judged from prior state: fail. Envelope: "
        "testdata/envelopes/target.json without `complete`/`applyable`, as OpenTofu's jsonplan writes it.")

    write("refresh-only", from_envelope("refresh_only", {
        "b": {"state": lambda_values("b", PASSTHROUGH), "before": lambda_values("b", PASSTHROUGH),
              "after": lambda_values("b", PASSTHROUGH), "after_unknown": {},
              "expressions": {"tracing_config": [{"mode": const("Active")}]}},
        "keep": {"state": lambda_values("keep", ACTIVE), "expressions": {"tracing_config": [{"mode": const("Active")}]}},
    }), "A -refresh-only plan (envelope from testdata/envelopes/refresh_only.json: no resource_changes, "
        "planned_values without resources, a moved function in resource_drift): every function is judged "
        "from the refreshed state in prior_state. b stays PassThrough (the config change is not applied): "
        "fail; keep is Active: pass.")

    def add_deferred(doc):
        doc["terraform_version"] = "1.10.0"
        doc["complete"] = False
        doc["deferred_changes"] = [{
            "reason": "instance_count_unknown",
            "resource_change": {
                "address": "module.fns[*].aws_lambda_function.f[*]", "module_address": "module.fns[*]",
                "mode": "managed", "type": "aws_lambda_function", "name": "f", "index_unknown": True,
                "provider_name": AWS,
                "change": {"actions": ["create"], "before": None, "after_unknown": True,
                           "before_sensitive": False, "after_sensitive": False}}}]
        doc["prior_state"]["values"]["root_module"]["child_modules"] = [{
            "resources": [{"address": 'module.fns["a"].aws_lambda_function.f[0]', "mode": "managed",
                           "type": "aws_lambda_function", "name": "f", "index": 0, "provider_name": AWS,
                           "schema_version": 0, "values": lambda_values("f", PASSTHROUGH), "sensitive_values": {}}],
            "address": 'module.fns["a"]'}]
    write("deferred", from_envelope("target", {
        "a": {"state": lambda_values("a", ACTIVE), "after": lambda_values("a", ACTIVE),
              "after_unknown": dict(BASE_UNKNOWN, tracing_config=[{}]),
              "expressions": {"tracing_config": [{"mode": const("Active")}]}},
        "b": {"state": lambda_values("b", ACTIVE), "expressions": {"tracing_config": [{"mode": const("Active")}]}},
    }, mutate=add_deferred), "Deferred changes (Terraform 1.9+ with deferral, Stacks): the shape of "
        "`deferred_changes` is copied from Terraform's internal/command/jsonplan (DeferredResourceChange, "
        "v1.10+ `[*]` address with index_unknown, a wholly unknown change), on the envelope of "
        "testdata/envelopes/target.json; release builds reject -allow-deferral, so no real plan can be made "
        "here. The deferred function is unknown and also covers the existing instance "
        "module.fns[\"a\"].aws_lambda_function.f[0]; --unknown fail fails the gate.")

    write("deposed-kept", from_envelope("deposed", {
        "x": {"state": lambda_values("x", ACTIVE), "deposed_state": lambda_values("x", PASSTHROUGH),
              "before": lambda_values("x", ACTIVE), "after": lambda_values("x", ACTIVE),
              "after_unknown": dict(BASE_UNKNOWN, tracing_config=[{}]),
              "expressions": {"tracing_config": [{"mode": const("Active")}]}},
    }, mutate=lambda doc: doc["resource_changes"].pop()), "A deposed object the plan does not destroy "
        "(envelope from testdata/envelopes/deposed.json, a real create_before_destroy whose provisioner "
        "failed, with the deposed object's delete taken out as a -target plan would leave it): the current "
        "object (Active) passes; the deposed object 522d8f92 is still a deployed PassThrough function: fail, "
        "with its own key and fingerprint.")


def plan_shapes():
    """Shapes Terraform never writes, and the awscc object set without a mode."""
    create = ["create"]
    write("odd-shapes", plan(
        [
            lambda_change("aws_lambda_function.update_forget", "update_forget", ["update", "forget"], ACTIVE, [{}]),
            lambda_change("aws_lambda_function.forget_noop", "forget_noop", ["forget", "no-op"], ACTIVE, [{}]),
            lambda_change("aws_lambda_function.known_but_unknown", "known_but_unknown", create, PASSTHROUGH, [{"mode": True}]),
            lambda_change("aws_lambda_function.active_but_unknown", "active_but_unknown", create, ACTIVE, True),
            lambda_change("aws_lambda_function.second_without_mode", "second_without_mode", create, [{"mode": "Active"}, {}], [{}, {}]),
            lambda_change("aws_lambda_function.second_unknown", "second_unknown", create, [{"mode": "Active"}, {}], [{}, {"mode": True}]),
            lambda_change("aws_lambda_function.wholly_unknown", "wholly_unknown", create),
        ],
        {"resources": [fn(n) for n in ("update_forget", "forget_noop", "known_but_unknown", "active_but_unknown",
                                        "second_without_mode", "second_unknown", "wholly_unknown")]},
    ), "Shapes Terraform never writes get no benefit of the doubt: [\"update\",\"forget\"] and "
       "[\"forget\",\"no-op\"] are unknown; a known PassThrough that after_unknown also marks unknown fails; "
       "a known Active marked unknown is unknown; a second tracing_config block without a mode fails, one "
       "with an unknown mode is unknown. wholly_unknown is how Terraform writes an object it cannot plan "
       "at all (jsonplan marshalResourceChange: no `after`, `after_unknown: true`): unknown.")
    odd = os.path.join(HERE, "odd-shapes", "plan.json")
    with open(odd, encoding="utf-8") as f:
        document = json.load(f)
    for change in document["resource_changes"]:
        if change["name"] == "wholly_unknown":
            change["change"] = {"actions": ["create"], "before": None, "after_unknown": True,
                                "before_sensitive": False, "after_sensitive": False}
    for resource in document["planned_values"]["root_module"]["resources"]:
        if resource["name"] == "wholly_unknown":
            resource.pop("values")
            resource["sensitive_values"] = False
    with open(odd, "w", encoding="utf-8") as f:
        json.dump(document, f, separators=(",", ":"))
        f.write("\n")

    write("awscc-empty-object", plan(
        [
            lambda_change("awscc_lambda_function.empty", "empty", create, {}, {"mode": True}, rtype="awscc_lambda_function"),
            lambda_change("awscc_lambda_function.from_ssm", "from_ssm", create, {}, {"mode": True}, rtype="awscc_lambda_function"),
            lambda_change("aws_lambda_function.null_mode", "null_mode", create, [{"mode": None}], [{}]),
        ],
        {"resources": [
            config_resource("awscc_lambda_function", "empty", tracing_expr=const({})),
            config_resource("awscc_lambda_function", "from_ssm",
                            tracing_expr={"references": ["aws_ssm_parameter.mode.value", "aws_ssm_parameter.mode"]}),
            fn("null_mode", tracing_expr=[{"mode": const(None)}]),
        ]},
    ), "hashicorp/awscc `tracing_config = {}`: the object set without a mode, which the framework plans "
       "as unknown at create; AWS then applies PassThrough: fail. from_ssm sets the object from an "
       "apply-time value: unknown. An aws tracing_config block whose mode is null: fail.")


def other_change(address, rtype, actions, after, after_unknown, *, index=None, provider=AWS):
    """A non-Lambda resource change, as Terraform writes one."""
    entry = {"address": address, "mode": "managed", "type": rtype, "name": address.split(".")[-1].split("[")[0]}
    if index is not None:
        entry["index"] = index
    entry["provider_name"] = provider
    before = None if actions == ["create"] else dict(after)
    entry["change"] = {"actions": actions, "before": before, "after": after, "after_unknown": after_unknown,
                       "before_sensitive": False if before is None else {}, "after_sensitive": {}}
    return entry


DYNAMIC = """resource "aws_lambda_function" "api" {{
  function_name = "api"
  role          = "arn:aws:iam::123456789012:role/lambda"
  filename      = "build/fn.zip"
  handler       = "index.handler"
  runtime       = "nodejs20.x"

  dynamic "tracing_config" {{
    for_each = {for_each}
    content {{
      mode = "Active"
    }}
  }}
}}
"""


def write_tf(scenario, files):
    folder = os.path.join(HERE, scenario)
    os.makedirs(folder, exist_ok=True)
    for name, text in files.items():
        with open(os.path.join(folder, name), "w", encoding="utf-8") as f:
            f.write(text)


def source_attacks():
    """Source trees written as the attack each stops, with the plan Terraform writes for them."""
    omitted_api = lambda_change("aws_lambda_function.api", "api", ["create"], MISSING, True)
    api_config = {"resources": [fn("api")]}
    ssm = {"name": "/lambda/mode", "type": "String", "value": "Active", "arn": "arn:aws:ssm:eu-west-1:123456789012:parameter/lambda/mode"}
    cases = {
        "known-index": ("aws_ssm_parameter.mode[0].value == \"Active\" ? [1] : []",
                        [other_change("aws_ssm_parameter.mode[0]", "aws_ssm_parameter", ["no-op"], ssm, {}, index=0)],
                        'resource "aws_ssm_parameter" "mode" {\n  count = 1\n  name  = "/lambda/mode"\n  type  = "String"\n  value = "Active"\n}\n',
                        "`x[0].attr` of a resource the plan already has (no-op, its value known): "
                        "before, `[0]` made it \"computed by the provider during apply\", so the function became "
                        "unknown and the gate passed. Now the plan decides: it sends no block at create: fail."),
        "known-splat": ("length(aws_ssm_parameter.mode[*].arn) > 5 ? [1] : []",
                        [other_change("aws_ssm_parameter.mode[0]", "aws_ssm_parameter", ["no-op"], ssm, {}, index=0)],
                        'resource "aws_ssm_parameter" "mode" {\n  count = 1\n  name  = "/lambda/mode"\n  type  = "String"\n  value = "Active"\n}\n',
                        "`x[*].attr` of an existing resource: known to the plan, so not unknown: fail."),
        "known-computed": ("aws_ssm_parameter.mode.arn == \"\" ? [] : [1]",
                           [other_change("aws_ssm_parameter.mode", "aws_ssm_parameter", ["no-op"], ssm, {})],
                           'resource "aws_ssm_parameter" "mode" {\n  name  = "/lambda/mode"\n  type  = "String"\n  value = "Active"\n}\n',
                           "A computed attribute (arn) of a resource that already exists: the plan knows it "
                           "(no-op, after_unknown {}), so it is not unknown: the verdict rests on the plan: fail."),
        "unknown-new": ("aws_ssm_parameter.mode.arn == \"\" ? [] : [1]",
                        [other_change("aws_ssm_parameter.mode", "aws_ssm_parameter", ["create"],
                                      {"name": "/lambda/mode", "type": "String", "value": "Active"},
                                      {"arn": True, "id": True, "version": True})],
                        'resource "aws_ssm_parameter" "mode" {\n  name  = "/lambda/mode"\n  type  = "String"\n  value = "Active"\n}\n',
                        "The same for_each over a resource created in this plan, whose arn the plan marks "
                        "unknown: whether the block is sent is known only after apply: unknown."),
    }
    for scenario, (for_each, others, extra_tf, note) in cases.items():
        folder = f"source-attacks/{scenario}"
        write(folder, plan([omitted_api] + others, api_config), note)
        write_tf(folder, {"main.tf": DYNAMIC.format(for_each=for_each) + "\n" + extra_tf})

    # A secret through a variable whose declaration says sensitive = "true" (Terraform takes it as true).
    secret = "hunter2-do-not-print"
    for scenario, declaration in (("sensitive-string", '"true"'), ("sensitive-parenthesis", "(true)")):
        folder = f"source-attacks/{scenario}"
        write(folder, plan(
            [lambda_change("aws_lambda_function.api", "api", ["create"], PASSTHROUGH, [{}])],
            {"resources": [fn("api", tracing_expr=[{"mode": {"references": ["var.token"]}}])],
             "variables": {"token": {"sensitive": True}}},
            variables={"token": secret}),
            f"A variable declared `sensitive = {declaration}`, which the plan's configuration marks "
            "sensitive, feeds the mode through a conditional: its value must never be printed.")
        write_tf(folder, {"main.tf": (
            'variable "token" {\n  type      = string\n  sensitive = ' + declaration + '\n}\n\n'
            'resource "aws_lambda_function" "api" {\n  function_name = "api"\n'
            '  tracing_config {\n    mode = var.token == "x" ? "Active" : "PassThrough"\n  }\n}\n')})

    # lifecycle.ignore_changes keeps the deployed PassThrough while the sources say Active.
    folder = "source-attacks/ignore-changes"
    write(folder, plan(
        [lambda_change("aws_lambda_function.api", "api", ["update"], PASSTHROUGH, [{}])],
        {"resources": [fn("api", tracing_expr=[{"mode": const("Active")}])]}),
        "`lifecycle { ignore_changes = [tracing_config] }`: Terraform keeps the deployed PassThrough "
        "(processIgnoreChanges), so the plan shows it although the sources say Active. Not a stale plan: "
        "the fix removes the lifecycle entry.")
    write_tf(folder, {"main.tf": (
        'resource "aws_lambda_function" "api" {\n  function_name = "api"\n\n  tracing_config {\n'
        '    mode = "Active"\n  }\n\n  lifecycle {\n    ignore_changes = [tracing_config]\n  }\n}\n')})

    # A passing function whose sources tracegate cannot evaluate: no words about an omitted block.
    folder = "source-attacks/undecided-active"
    write(folder, plan(
        [lambda_change("aws_lambda_function.api", "api", ["no-op"], ACTIVE, [{}])],
        {"resources": [fn("api")]}),
        "An unchanged Active function whose dynamic for_each tracegate does not evaluate: it passes, and "
        "its evidence says nothing about a block the plan does not send.")
    write_tf(folder, {"main.tf": DYNAMIC.format(for_each="[for m in [\"Active\"] : m]")})
    with open(os.path.join(HERE, "source-attacks", "README.md"), "w", encoding="utf-8") as f:
        f.write("# source-attacks\n\nSource trees written as the attack each stops (see each folder's "
                "README), with the plan Terraform writes for them; made by `testdata/generate.py`, judged by "
                "`tests/source_truth.rs` with `--source-root` the folder.\n")


def bad_inputs():
    """Inputs that are not plans. Each must give exit 2 and one line naming problem and remedy."""
    folder = os.path.join(HERE, "bad")
    os.makedirs(folder, exist_ok=True)
    good = json.dumps(plan([lambda_change("aws_lambda_function.api", "api", ["create"], [{"mode": "Active"}], [{}])],
                           {"resources": [fn("api", tracing_expr=[{"mode": const("Active")}])]}), indent=2)
    files = {
        "empty.json": b"",
        "whitespace.json": b"  \n\t\n",
        "plan-text.txt": b"Terraform used the selected providers to generate the following execution plan.\n"
                         b"  + create\n\nTerraform will perform the following actions:\n",
        "truncated.json": good.encode()[: len(good) // 2],
        "array.json": b'[{"format_version": "1.2"}]\n',
        "terraform.tfvars": b'tracing_mode = "PassThrough"\n',
        "main.tf": b'resource "aws_lambda_function" "api" {\n  function_name = "api"\n}\n',
        "invalid-utf8.json": good.replace('"function_name": "api"', '"function_name": "ap\udcff"')
                                 .encode("utf-8", "surrogateescape"),
        "deep.json": b'{"format_version":"1.2","variables":{"x":{"value":' + b'[' * 200 + b']' * 200 + b'}}}\n',
        "cloudformation.json": json.dumps({"AWSTemplateFormatVersion": "2010-09-09", "Resources": {
            "Fn": {"Type": "AWS::Lambda::Function", "Properties": {"TracingConfig": {"Mode": "PassThrough"}}}}},
            indent=2).encode(),
        "terraform.tfstate": json.dumps({"version": 4, "terraform_version": "1.11.4", "serial": 3,
                                         "lineage": "0d5ad1c5-0000-4000-8000-000000000000", "outputs": {},
                                         "resources": [], "check_results": None}, indent=2).encode(),
        "utf16.json": "\ufeff".encode("utf-16-le") + good.encode("utf-16-le"),
        "trailing.json": good.encode() + b"\n{\"second\": \"document\"}\n",
        "empty-object.json": b"{}\n",
        "string.json": b'"plan.json"\n',
        # A second resource_changes (empty) after the first would hide its PassThrough function.
        "duplicate-key.json": ('{"format_version":"1.2","planned_values":{},"resource_changes":['
                               + json.dumps(lambda_change("aws_lambda_function.api", "api", ["create"],
                                                          [{"mode": "PassThrough"}], [{}]))
                               + '],"resource_changes":[]}\n').encode(),
        # Two tracing_config values in one after: the first would be hidden by the second.
        "duplicate-attribute.json": ('{"format_version":"1.2","planned_values":{},"resource_changes":[{"address":'
                                     '"aws_lambda_function.api","mode":"managed","type":"aws_lambda_function",'
                                     '"name":"api","change":{"actions":["create"],"after":{"tracing_config":'
                                     '[{"mode":"PassThrough"}],"tracing_config":[{"mode":"Active"}]},'
                                     '"after_unknown":{}}}]}\n').encode(),
        # A raw control character in a top-level key: invalid JSON, from a file as on stdin.
        "control-key.json": b'{"format_version":"1.2","x\x01y":1,"planned_values":{},"resource_changes":[]}\n',
        # A PassThrough function without a "type": skipping it as "not a Lambda" would hide it.
        "missing-type.json": ('{"format_version":"1.2","planned_values":{},"resource_changes":[{"address":'
                              '"aws_lambda_function.api","mode":"managed","name":"api","change":{"actions":'
                              '["create"],"after":{"tracing_config":[{"mode":"PassThrough"}]},"after_unknown":{}}}]}\n').encode(),
        # A wrapper-looking first line that holds a plan of its own, before a harmless one.
        "wrapper-json.txt": ('[command]' + json.dumps(plan([lambda_change("aws_lambda_function.api", "api", ["create"],
                                                                   PASSTHROUGH, [{}])], {"resources": []}),
                                                          separators=(",", ":"))
                             + '\n{"format_version":"1.2","planned_values":{},"resource_changes":[]}\n').encode(),
    }
    for name, content in files.items():
        with open(os.path.join(folder, name), "wb") as f:
            f.write(content)
    with open(os.path.join(folder, "README.md"), "w", encoding="utf-8") as f:
        f.write("# bad\n\nInputs that are not plans, made by `testdata/generate.py`: each must give exit 2 and "
                "one line that names the problem and the remedy, never a panic. `invalid-utf8.json` holds a "
                "0xFF byte inside a string; `utf16.json` is a plan saved as UTF-16LE with a BOM (as PowerShell's "
                "`>` writes it); `deep.json` nests 200 levels inside `variables` (skipped parts of a plan are scanned without recursion and may nest deeper); `terraform.tfstate` is a raw state file; `duplicate-key.json` and `duplicate-attribute.json` repeat a key whose second value would hide the first; `missing-type.json` drops the `type` of a PassThrough function; `wrapper-json.txt` hides a plan on a setup-terraform-looking first line.\n")
    # An envelope for --plan-path whose repeated key would hide the first plan (last-wins in serde_json).
    envelope = ('{"mock":{"valid":' + json.dumps(plan([lambda_change("aws_lambda_function.api", "api", ["create"],
                                                                        PASSTHROUGH, [{}])], {"resources": []}),
                                                   separators=(",", ":"))
                + ',"valid":{"format_version":"1.2","planned_values":{},"resource_changes":[]}}}\n')
    os.makedirs(os.path.join(HERE, "plan-path-duplicate"), exist_ok=True)
    with open(os.path.join(HERE, "plan-path-duplicate", "envelope.json"), "w", encoding="utf-8") as f:
        f.write(envelope)
    with open(os.path.join(HERE, "plan-path-duplicate", "README.md"), "w", encoding="utf-8") as f:
        f.write("# plan-path-duplicate\n\nAn envelope for `--plan-path '$.mock.valid'` that repeats `valid`: "
                "the first holds a PassThrough function, the second an empty plan that last-wins parsing would "
                "judge. Refused as an input error. Made by `testdata/generate.py`.\n")


if __name__ == "__main__":
    main()
    sources()
    escape()
    scope()
    plan_shapes()
    source_attacks()
    suppressions()
    foreign_ignores()
    config()
    bad_inputs()
