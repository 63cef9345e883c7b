#!/usr/bin/env python3
"""Builds every case under testdata/real/ with a real `terraform` against the provider double.

    regen.py --out DIR [CASE...]

For each case (a folder with case.json and .tf files) it runs, in a scratch directory:
  1. the case's `steps` (apply an earlier configuration, drift the fake account, ...);
  2. `terraform plan -out=tfplan` of the case's own .tf files, then `terraform show -json tfplan`
     → DIR/CASE/plan.json (normalised, see normalise_plan);
  3. `terraform apply tfplan` (exactly that plan) and reads the double's fake account: the mode
     each Lambda function ends with, or that it is gone → DIR/CASE/truth.json;
  4. DIR/CASE/README.md (what the case tests and how it was made) and DIR/README.md (the index).
It writes nothing else, so DIR can be a scratch copy to diff against the committed plans.
"""
import argparse
import concurrent.futures
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
CASES = REPO / "testdata" / "real"
VENDOR = CASES / "_vendor"
DOUBLE = HERE / "provider" / "double.py"
PROVIDERS = {"aws": "6.47.0", "awscc": "1.96.0", "null": "3.2.4", "local": "2.5.3", "external": "2.3.5"}
LAMBDA_TYPES = {"aws_lambda_function": "aws", "awscc_lambda_function": "awscc"}
GENERATED = {"plan.json", "truth.json", "README.md", "modules.json"}
REGISTRY = {"terraform-aws-lambda": ("registry.terraform.io/terraform-aws-modules/lambda/aws", "8.8.1")}
# "refused": CreateFunction with Active tracing failed on the execution role's X-Ray permission,
# so the function was never made; rule 1 still judges the mode the plan asks for (Active).
VERDICT = {"Active": "pass", "PassThrough": "fail", "deleted": "absent-or-skipped", "refused": "pass"}
XRAY_EXPECT = {"pass", "fail", "unknown", "warning"}


class CaseError(Exception):
    pass


def make_mirror(scratch):
    """An unpacked filesystem mirror whose providers are all the double."""
    mirror = scratch / "mirror"
    for name, version in PROVIDERS.items():
        d = mirror / "registry.terraform.io" / "hashicorp" / name / version / "linux_amd64"
        d.mkdir(parents=True)
        exe = d / f"terraform-provider-{name}_v{version}"
        exe.write_text(f'#!/bin/sh\nexec "{sys.executable}" "{DOUBLE}" {name} "$@"\n')
        exe.chmod(0o755)
    rc = scratch / "cli.tfrc"
    rc.write_text(
        "provider_installation {\n"
        f'  filesystem_mirror {{\n    path    = "{mirror}"\n    include = ["registry.terraform.io/hashicorp/*"]\n  }}\n'
        '  direct {\n    exclude = ["registry.terraform.io/hashicorp/*"]\n  }\n}\n'
        "disable_checkpoint = true\n")
    return rc


class Run:
    def __init__(self, case, scratch, rc):
        self.case = case
        self.spec = json.loads((case / "case.json").read_text())
        self.work = scratch / case.name
        self.account = scratch / f"{case.name}.account.json"
        self.log = []
        self.env = dict(os.environ, TF_CLI_CONFIG_FILE=str(rc), TRACEGATE_DOUBLE_ACCOUNT=str(self.account),
                        TF_IN_AUTOMATION="1", CHECKPOINT_DISABLE="1", TF_INPUT="0")
        for var in ("TF_WORKSPACE", "TF_DATA_DIR", "TF_CLI_ARGS", "TF_CLI_ARGS_init", "TF_CLI_ARGS_plan",
                    "TF_CLI_ARGS_apply", "TF_PLUGIN_CACHE_DIR", "TF_LOG"):
            self.env.pop(var, None)
        for var in [v for v in self.env if v.startswith("TF_VAR_")]:
            del self.env[var]
        self.env.update(self.spec.get("env", {}))

    def tf(self, *args, may_fail=False, capture=False):
        proc = subprocess.run(["terraform", *args], cwd=self.work, env=self.env, text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT if not capture else subprocess.PIPE)
        if proc.returncode != 0 and not may_fail:
            raise CaseError(f"terraform {' '.join(args)} exited {proc.returncode}:\n{proc.stdout}\n{proc.stderr or ''}")
        return proc

    def use_config(self, source):
        """Makes the root module's .tf/.tfvars files those of `source` (a folder in the case)."""
        for f in self.work.iterdir():
            if f.is_file() and (f.suffix in (".tf", ".tfvars") or f.name.endswith(".tfvars.json")):
                f.unlink()
        for f in sorted(source.iterdir()):
            if f.is_file() and (f.suffix in (".tf", ".tfvars") or f.name.endswith(".tfvars.json")):
                shutil.copy(f, self.work / f.name)

    def install_registry_modules(self):
        """Places vendored registry modules where `terraform init` would have downloaded them,
        with the modules.json record init writes, so init does not download them."""
        records = [{"Key": "", "Source": "", "Dir": "."}]
        # Local modules that call registry modules need their records too, or init installs
        # them afresh and then wants to download their children.
        for key, source in sorted(self.spec.get("local_modules", {}).items()):
            records.append({"Key": key, "Source": source, "Dir": os.path.normpath(source)})
        for key, vendored in sorted(self.spec.get("registry_modules", {}).items()):
            source, version = REGISTRY[vendored]
            shutil.copytree(VENDOR / vendored, self.work / ".terraform" / "modules" / key,
                            ignore=shutil.ignore_patterns("LICENSE", "ORIGIN.md"))
            records.append({"Key": key, "Source": source, "Version": version, "Dir": f".terraform/modules/{key}"})
        if len(records) > 1:
            (self.work / ".terraform" / "modules").mkdir(parents=True, exist_ok=True)
            (self.work / ".terraform" / "modules" / "modules.json").write_text(json.dumps({"Modules": records}))

    def init(self):
        self.tf("init", "-input=false", "-no-color")

    def state_files(self):
        return [p for p in [self.work / "terraform.tfstate", *self.work.glob("terraform.tfstate.d/*/terraform.tfstate")]
                if p.exists()]

    def normalise_state(self):
        """Deposed keys and the lineage are random: make them fixed so the plan is reproducible."""
        for path in self.state_files():
            state = json.loads(path.read_text())
            state["lineage"] = "00000000-0000-4000-8000-000000000000"
            n = 0
            for res in state.get("resources", []):
                for inst in res.get("instances", []):
                    if "deposed" in inst:
                        n += 1
                        inst["deposed"] = f"{n:08x}"
            path.write_text(json.dumps(state, indent=2) + "\n")

    def drift(self, changes):
        data = json.loads(self.account.read_text()) if self.account.exists() else {"functions": {}}
        for key, change in changes.items():
            if change is None:
                data["functions"].pop(key, None)
            else:
                data["functions"].setdefault(key, {}).update(change)
        self.account.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n")

    def build(self):
        self.work.mkdir(parents=True)
        # Subfolders other than the earlier configurations and the fix are local modules: copy them.
        fix = (self.spec.get("fix") or {}).get("config")
        for d in sorted(self.case.iterdir()):
            if d.is_dir() and not d.name.startswith("before") and d.name != fix:
                shutil.copytree(d, self.work / d.name)
        self.drift(self.spec.get("account", {}))
        if self.spec.get("account"):
            self.log.append(f"fake account seeded with `{json.dumps(self.spec['account'], sort_keys=True)}`")
        self.install_registry_modules()
        for key, vendored in sorted(self.spec.get("registry_modules", {}).items()):
            self.log.append(f"vendored `{vendored}` placed in `.terraform/modules/{key}/` with its modules.json record")
        initialised = False
        for step in self.spec.get("steps", []):
            if "config" in step:
                self.use_config(self.case / step["config"])
                self.init()
                initialised = self.ensure_workspace(initialised)
                proc = self.tf("apply", "-auto-approve", "-input=false", "-no-color", *step.get("args", []),
                               may_fail=step.get("may_fail", False))
                self.log.append(f"`terraform init` and `{cmdline('apply -auto-approve', step.get('args', []))}` "
                                f"of `{step['config']}/`" + (" (fails, as intended)" if proc.returncode else ""))
                self.normalise_state()
            elif "drift" in step:
                self.drift(step["drift"])
                self.log.append(f"account changed outside Terraform: `{json.dumps(step['drift'], sort_keys=True)}`")
        self.use_config(self.case)
        self.init()
        self.ensure_workspace(initialised)
        plan_args = self.spec.get("plan", [])
        self.tf("plan", "-out=tfplan", "-input=false", "-no-color", *plan_args)
        self.log.append(f"`terraform init` and `{cmdline('plan -out=tfplan', plan_args)}` of the case's own files"
                        + (f" with {', '.join(f'`{k}={v}`' for k, v in sorted(self.spec['env'].items()))}"
                           if self.spec.get("env") else ""))
        plan = json.loads(self.tf("show", "-json", "tfplan", capture=True).stdout)
        proc = self.tf("apply", "-input=false", "-no-color", "tfplan", may_fail=self.spec.get("apply_may_fail", False))
        self.log.append("`terraform show -json tfplan`, then `terraform apply tfplan`"
                        + (" (fails, as intended)" if proc.returncode else ""))
        final = json.loads(self.tf("show", "-json", capture=True).stdout)
        self.account_after = self.read_account()
        self.fix_checks = {}
        fix = self.spec.get("fix")
        if fix:
            # The configuration with tracegate's rule-1 fix applied, applied on top: what the
            # X-Ray permission check does once the function is told to become Active.
            before = dict(self.read_account().get("xray_checks", {}))
            self.use_config(self.case / fix["config"])
            self.init()
            proc = self.tf("apply", "-auto-approve", "-input=false", "-no-color", may_fail=True)
            after = self.read_account().get("xray_checks", {})
            self.fix_checks = {k: v for k, v in after.items() if before.get(k) != v}
            self.log.append(f"then, to see the fix through, `terraform apply -auto-approve` of `{fix['config']}/` "
                            f"(the rule-1 fix applied)" + (" (fails, as intended)" if proc.returncode else ""))
        return plan, final

    def read_account(self):
        return json.loads(self.account.read_text()) if self.account.exists() else {}

    def ensure_workspace(self, initialised):
        ws = self.spec.get("workspace")
        if ws and not initialised:
            self.tf("workspace", "new", ws, "-no-color")
            self.log.insert(0, f"`terraform workspace new {ws}`")
        return True

    def modules_json(self):
        path = self.work / ".terraform" / "modules" / "modules.json"
        if not path.exists() or not self.spec.get("registry_modules"):
            return None
        return json.loads(path.read_text())


def cmdline(command, args):
    return " ".join(["terraform", command, *args])


UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def normalise_plan(plan):
    """Volatile fields: `timestamp` (the time of the plan) is set to the epoch;
    `relevant_attributes` (whose order Terraform does not fix) is sorted; UUIDs (ids that
    terraform_data makes up) are numbered in order of appearance."""
    plan["timestamp"] = "1970-01-01T00:00:00Z"
    if "relevant_attributes" in plan:
        plan["relevant_attributes"].sort(key=lambda r: json.dumps(r, sort_keys=True))
    text = json.dumps(plan)
    seen = {}
    for u in UUID.findall(text):
        seen.setdefault(u, f"00000000-0000-4000-8000-{len(seen) + 1:012d}")
    for u, fixed in seen.items():
        text = text.replace(u, fixed)
    return json.loads(text)


def lambda_instances(module, out, deposed_too=True):
    for res in module.get("resources", []):
        if res.get("mode") == "managed" and res.get("type") in LAMBDA_TYPES:
            out.append((res["address"], res.get("deposed_key"), res["type"], res.get("values") or {}))
    for child in module.get("child_modules", []):
        lambda_instances(child, out, deposed_too)
    return out


def truth_of(run, plan, final):
    snapshot = getattr(run, "account_after", None)
    if snapshot is None:
        snapshot = json.loads(run.account.read_text()) if run.account.exists() else {}
    account = snapshot.get("functions", {})
    checks = snapshot.get("xray_checks", {})
    addresses = set()
    planned_names = {}
    for rc in plan.get("resource_changes", []):
        if rc.get("type") in LAMBDA_TYPES and rc.get("mode") == "managed":
            addresses.add((rc["address"], rc.get("deposed"), rc["type"]))
            after = (rc.get("change") or {}).get("after") or {}
            if isinstance(after.get("function_name"), str) and not rc.get("deposed"):
                planned_names[rc["address"]] = after["function_name"]
    before = {}
    for a, d, t, values in lambda_instances(plan.get("prior_state", {}).get("values", {}).get("root_module", {}), []):
        addresses.add((a, d, t))
        before[(a, d)] = values
    now = {}
    for a, d, t, values in lambda_instances(final.get("values", {}).get("root_module", {}), []):
        addresses.add((a, d, t))
        now[(a, d)] = values
    overrides = run.spec.get("expect", {})
    functions = []
    for address, deposed, type_name in sorted(addresses, key=lambda x: (x[0], x[1] or "")):
        values = now.get((address, deposed))
        live = None
        if values is not None:
            live = account.get(f"{LAMBDA_TYPES[type_name]}:{values.get('function_name')}")
        final_mode = live["mode"] if live else "deleted"
        name = (values or {}).get("function_name") or planned_names.get(address)
        check = checks.get(f"{LAMBDA_TYPES[type_name]}:{name}") if name else None
        if values is None and not deposed and check and check["outcome"] == "denied" and check["when"] == "create":
            final_mode = "refused"
        entry = {"address": address}
        if deposed:
            entry["deposed"] = deposed
        entry["final"] = final_mode
        entry["expect"] = VERDICT[final_mode]
        old = before.get((address, deposed))
        if values is None and old is not None:
            left = account.get(f"{LAMBDA_TYPES[type_name]}:{old.get('function_name')}")
            if left is not None:
                # Still in the account but no longer in the state: forgotten (removed, destroy = false).
                entry["final"] = "forgotten"
                entry["left_in_account_as"] = left["mode"]
        entry["plan_can_know"] = True
        key = address + (f" (deposed {deposed})" if deposed else "")
        if key in overrides:
            entry.update(overrides[key])
        if key in run.spec.get("expect_without_sources", {}):
            # What the plan alone supports, where only the .tf files can tell.
            entry["without_sources"] = run.spec["expect_without_sources"][key]
        if key in run.spec.get("xray", {}):
            # Rule 2 (issue 15): may the execution role write to X-Ray? The expectation is the
            # case's; what Lambda decided during the apply is the double's.
            xray = dict(run.spec["xray"][key])
            xray["apply"] = check["outcome"] if check else "not checked"
            if check:
                xray["apply_why"] = check["why"]
            fixed = run.fix_checks.get(f"{LAMBDA_TYPES[type_name]}:{name}") if name else None
            if run.spec.get("fix"):
                xray["fix_apply"] = fixed["outcome"] if fixed else "not checked"
            entry["xray_permission"] = xray
        functions.append(entry)
    return {"case": run.case.name, "functions": functions}


def write_case(out, run, plan, truth):
    dest = out / run.case.name
    dest.mkdir(parents=True, exist_ok=True)
    (dest / "plan.json").write_text(json.dumps(plan, indent=2, sort_keys=True) + "\n")
    (dest / "truth.json").write_text(json.dumps(truth, indent=2) + "\n")
    modules = run.modules_json()
    if modules is not None:
        (dest / "modules.json").write_text(json.dumps(modules, indent=2) + "\n")
    lines = [f"# {run.case.name}", "", run.spec["description"], "",
             "Made by `scripts/real-plans.sh` with a real terraform and the provider double:", ""]
    lines += [f"{i}. {step}" for i, step in enumerate(run.log, 1)]
    lines += ["", "Ground truth (`truth.json`, read from the double's fake account after the apply):", ""]
    for f in truth["functions"]:
        d = f" (deposed {f['deposed']})" if f.get("deposed") else ""
        note = "" if f["plan_can_know"] else f" — the plan cannot know: {f['reason']}"
        if "without_sources" in f:
            w = f["without_sources"]
            note += f" — without the .tf files expect `{w['expect']}`: {w['reason']}"
        if "xray_permission" in f:
            x = f["xray_permission"]
            note += (f" — X-Ray permission (rule 2): expect `{x['expect']}` ({x['why']}); Lambda's check during the "
                     f"apply: {x['apply']}" + (f" ({x['apply_why']})" if "apply_why" in x else "")
                     + (f"; during the fixed apply: {x['fix_apply']}" if "fix_apply" in x else ""))
        lines.append(f"- `{f['address']}`{d}: {f['final']} → expect `{f['expect']}`{note}")
    (dest / "README.md").write_text("\n".join(lines) + "\n")


def write_index(out, runs):
    head = (HERE / "INDEX.head.md").read_text()
    lines = [head.rstrip("\n"), ""]
    for run in runs:
        lines.append(f"- `{run.case.name}/`: {run.spec['description']} Made by: {'; '.join(run.log)}.")
    (out / "README.md").write_text("\n".join(lines) + "\n")


def xray_problem(truth):
    """The X-Ray expectation must agree with what Lambda did where the apply shows it: `pass`
    needs a granted check, `fail` a denied one (in the apply or in the fixed apply)."""
    for f in truth["functions"]:
        x = f.get("xray_permission")
        if x is None:
            continue
        if x["expect"] not in XRAY_EXPECT or not x.get("why"):
            return f"{f['address']}: xray expect must be one of {sorted(XRAY_EXPECT)} with a why"
        if x["expect"] == "pass" and x["apply"] != "granted":
            return f"{f['address']}: xray expects pass, the apply's check was {x['apply']}"
        if x["expect"] == "fail" and "denied" not in (x["apply"], x.get("fix_apply")):
            return f"{f['address']}: xray expects fail, no check was denied"
    return None


def all_cases():
    return sorted(p.parent for p in CASES.glob("*/case.json"))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default=str(CASES))
    parser.add_argument("cases", nargs="*")
    args = parser.parse_args()
    out = Path(args.out).resolve()
    cases = [CASES / c for c in args.cases] if args.cases else all_cases()
    failed = []
    runs = []
    with tempfile.TemporaryDirectory(prefix="tracegate-real-") as tmp:
        scratch = Path(tmp)
        rc = make_mirror(scratch)
        def build(case):
            run = Run(case, scratch, rc)
            try:
                return run, run.build(), None
            except CaseError as e:
                return run, None, e

        # Cases are independent (own directory, own account): build a few at once.
        jobs = int(os.environ.get("REAL_PLANS_JOBS", "3"))
        with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
            for run, built, error in pool.map(build, cases):
                if error is not None:
                    failed.append(run.case.name)
                    print(f"FAILED {run.case.name}: {error}", file=sys.stderr)
                    continue
                plan, final = built
                truth = truth_of(run, plan, final)
                ended = {f["address"] + (f" (deposed {f['deposed']})" if f.get("deposed") else ""): f["final"]
                         for f in truth["functions"]}
                if ended != run.spec.get("intended"):
                    # The case's author said how it should end: the double or the steps are wrong.
                    failed.append(run.case.name)
                    print(f"FAILED {run.case.name}: ended {ended}, case.json intends {run.spec.get('intended')}",
                          file=sys.stderr)
                    continue
                problem = xray_problem(truth)
                if problem:
                    failed.append(run.case.name)
                    print(f"FAILED {run.case.name}: {problem}", file=sys.stderr)
                    continue
                write_case(out, run, normalise_plan(plan), truth)
                runs.append(run)
                print(f"ok {run.case.name}", flush=True)
    if not args.cases and not failed:
        write_index(out, runs)
    if failed:
        print(f"{len(failed)} case(s) failed: {' '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
