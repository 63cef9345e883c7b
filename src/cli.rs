//! The command line (binary only): clap definitions, and their conversion into the library's
//! options. `app.rs` runs them.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::sync::Arc;
use tracegate::config;
use tracegate::report;
use tracegate::{FailOn, RunOptions, UnknownPolicy};

#[derive(Debug, Parser)]
#[command(
    name = "tracegate",
    version,
    about = "A gate for Terraform and OpenTofu plans: every AWS Lambda function must have Active X-Ray tracing (CloudGuard D9.AWS.OPE.07).",
    after_help = "Examples:\n  terraform show -json tf.plan > plan.json && tracegate check plan.json\n  terraform show -json tf.plan | tracegate check -\n  tracegate check tf.plan --format json --output verdicts.json\n  tracegate rules\n\nExit codes: 0 the gate passes, 1 the gate fails, 2 usage or input error."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Judge the Lambda functions of one or more plans (or states).
    #[command(
        after_help = "Examples:\n  tracegate check plan.json\n  terraform show -json tf.plan | tracegate check -\n  tracegate check tf.plan                       # runs `terraform show -json` (or `tofu`) for you\n  tracegate check plan.json --format json --output verdicts.json\n  tracegate check plans/*.json --unknown fail --changed-only\n\nExit codes: 0 the gate passes, 1 the gate fails, 2 usage or input error."
    )]
    Check(Box<CheckArgs>),
    /// Apply the fixes `check` proposes to the `.tf` and `.tfvars` files under the source root.
    #[command(
        after_help = "Examples:\n  tracegate fix plan.json --source-root .            # edit the files\n  tracegate fix plan.json --source-root . --diff     # print a unified diff, change nothing\n  tracegate fix plan.json --source-root . --check    # exit 1 if anything would change\n  tracegate fix plan.json --skip-rule TG.LAMBDA.XRAY.PERMISSION   # the tracing fixes only\n\nExit codes: 0 nothing to do or applied, 1 with --check when something would change, 2 usage or input error."
    )]
    Fix(Box<FixArgs>),
    /// List the rules tracegate enforces, with their documentation.
    Rules(RulesArgs),
    /// Print a shell completion script: `tracegate completions bash > /etc/bash_completion.d/tracegate`.
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print a man page (roff): `tracegate man > tracegate.1`, `tracegate man check > tracegate-check.1`.
    Man {
        /// A subcommand's page instead of the main one.
        subcommand: Option<String>,
    },
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Plan JSON (`terraform show -json` output), a binary plan file (read with `terraform show
    /// -json`, or `tofu`, run in the plan's directory), a state JSON, or `-` for stdin.
    #[arg(required_unless_present = "print_config", value_name = "PLAN")]
    pub plans: Vec<String>,

    /// Print the settings a check would run with (built-in defaults, `.tracegate.toml [check]`,
    /// flags), each with where it came from, as TOML, and exit without reading plans.
    #[arg(long)]
    pub print_config: bool,

    /// Refuse a `.tracegate.toml [check]` key that weakens the gate (unknown = "pass", fail_on =
    /// "new", changed_only = true, rules or skip_rules that drop a default rule, foreign_ignores
    /// = true): exit 2 naming it. For workflows that alone decide how strict the gate is.
    #[arg(long)]
    pub locked_config: bool,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,

    /// Write the report to this file instead of stdout.
    #[arg(short, long, value_name = "PATH")]
    pub output: Option<PathBuf>,

    /// Also write a report in FORMAT to PATH; repeatable, so one run writes several:
    /// `--report sarif=tracegate.sarif --report gitlab=gl-code-quality-report.json`.
    #[arg(long = "report", value_name = "FORMAT=PATH", value_parser = parse_report)]
    pub reports: Vec<ReportTarget>,

    /// SARIF `runs[].automationDetails.id`, so that several plans uploaded from one workflow stay
    /// separate in code scanning (a `/` is appended when missing), e.g. `--category infra/prod`.
    #[arg(long, value_name = "ID")]
    pub category: Option<String>,

    /// Append the Markdown summary to this file. Default: `$GITHUB_STEP_SUMMARY` when
    /// `GITHUB_ACTIONS=true`.
    #[arg(long, value_name = "PATH")]
    pub summary: Option<PathBuf>,

    /// How an unknown verdict (tracing mode decided only during apply) counts: `fail` fails the
    /// gate, `warn` prints it without failing, `pass` counts it as passing. Default: `warn`, or
    /// `.tracegate.toml [check] unknown`.
    #[arg(long, value_enum, value_name = "POLICY")]
    pub unknown: Option<Unknown>,

    /// Which failing functions fail the gate: `all`, or `new` (only those this plan creates or
    /// replaces without Active tracing, or updates from Active to not Active; functions already
    /// deployed untraced and left so are warnings). Read from each change's `before`. Default:
    /// `all`, or `.tracegate.toml [check] fail_on`.
    #[arg(long, value_enum, value_name = "WHICH")]
    pub fail_on: Option<FailOnArg>,

    /// Report as usual but exit 0 when the gate fails (Checkov's --soft-fail); an input that
    /// cannot be read still exits 2.
    #[arg(long)]
    pub exit_zero: bool,

    /// Judge only functions the plan creates, updates or replaces; unchanged ones, and those a
    /// targeted plan does not touch, are skipped. `--changed-only=false` overrides
    /// `.tracegate.toml [check] changed_only = true`.
    #[arg(long, value_name = "BOOL", num_args = 0..=1, require_equals = true, default_missing_value = "true")]
    pub changed_only: Option<bool>,

    /// Honour Checkov's, Trivy's and tfsec's skip comments for the tracing check
    /// (`#checkov:skip=CKV_AWS_50:why`, `#trivy:ignore:AVD-AWS-0066 why`,
    /// `#tfsec:ignore:aws-lambda-enable-tracing why`); `=false` overrides the file.
    #[arg(long, value_name = "BOOL", num_args = 0..=1, require_equals = true, default_missing_value = "true")]
    pub foreign_ignores: Option<bool>,

    /// Run only this rule (repeatable; `tracegate rules` lists them). Default: every rule on by
    /// default (D9.AWS.OPE.07 and TG.LAMBDA.XRAY.PERMISSION).
    #[arg(long = "rule", value_name = "ID")]
    pub rules: Option<Vec<String>>,

    /// Do not run this rule (repeatable), e.g. `--skip-rule TG.LAMBDA.XRAY.PERMISSION`.
    #[arg(long = "skip-rule", value_name = "ID")]
    pub skip_rules: Option<Vec<String>>,

    /// Root of the Terraform sources (the directory where `terraform plan` ran). Its `.tf` files and
    /// the modules in `.terraform/modules` locate every finding, tell an omitted block from a
    /// `dynamic` one, and give the line to fix. Default: the current directory when it holds `.tf`
    /// files. Nothing outside it is read.
    #[arg(long, value_name = "DIR")]
    pub source_root: Option<PathBuf>,

    /// JSONPath selecting the plan inside an envelope document, e.g. a policy-test mock:
    /// `--plan-path '$.mock.valid'`. Reads the whole document into memory.
    #[arg(long, value_name = "JSONPATH")]
    pub plan_path: Option<String>,

    /// Colour in text output. `auto`: off when NO_COLOR is set; else on when FORCE_COLOR or
    /// CLICOLOR_FORCE is set (not `0`); else on for a terminal unless TERM=dumb.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,

    /// Also list passing and skipped functions in text output, with their evidence.
    #[arg(short, long, conflicts_with = "quiet")]
    pub verbose: bool,

    /// Print only what fails the gate and the summary line (text output; no warnings on stderr).
    #[arg(short, long)]
    pub quiet: bool,

    /// Keep suppressed findings in SARIF, as results with `suppressions`. GitHub code scanning
    /// ignores that property and would show them as open alerts, so by default they are left out.
    #[arg(long)]
    pub sarif_suppressed: bool,
}

#[derive(Debug, Args)]
pub struct FixArgs {
    /// Plan JSON, a binary plan file, or `-` for stdin, as for `check`.
    #[arg(required = true, value_name = "PLAN")]
    pub plans: Vec<String>,

    /// Root of the Terraform sources (the directory where `terraform plan` ran): the only
    /// directory whose files are edited (never `.terraform/`). Default: the current directory
    /// when it holds `.tf` files.
    #[arg(long, value_name = "DIR")]
    pub source_root: Option<PathBuf>,

    /// Print a unified diff of the fixes to stdout and change nothing.
    #[arg(long)]
    pub diff: bool,

    /// Change nothing; exit 1 if a fix would change a file (for CI).
    #[arg(long)]
    pub check: bool,

    /// Fix only this rule's findings (repeatable), as for `check`; by default both rules' (the
    /// X-Ray permission's fix grants it: `--skip-rule TG.LAMBDA.XRAY.PERMISSION` leaves it out).
    #[arg(long = "rule", value_name = "ID")]
    pub rules: Vec<String>,

    /// Do not fix this rule's findings (repeatable).
    #[arg(long = "skip-rule", value_name = "ID")]
    pub skip_rules: Vec<String>,

    /// JSONPath selecting the plan inside an envelope document, as for `check`.
    #[arg(long, value_name = "JSONPATH")]
    pub plan_path: Option<String>,

    /// Colour in the report, as for `check`.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,
}

impl FixArgs {
    /// The settings given on the command line: only the rule selection; the file's
    /// `rules`, `skip_rules` and `foreign_ignores` apply as for `check`.
    pub fn flags(&self) -> config::Flags {
        config::Flags {
            rules: (!self.rules.is_empty()).then(|| self.rules.clone()),
            skip_rules: (!self.skip_rules.is_empty()).then(|| self.skip_rules.clone()),
            ..config::Flags::default()
        }
    }

    /// The library's options: `check`'s, for every function of the plans (the gate's policies
    /// do not choose what `fix` edits).
    pub fn run_options(
        &self,
        effective: &config::Effective,
        file: Option<Arc<config::ConfigFile>>,
    ) -> RunOptions {
        RunOptions {
            changed_only: false,
            unknown_policy: UnknownPolicy::Warn,
            fail_on: FailOn::All,
            ..run_options(
                &self.plans,
                &self.plan_path,
                &self.source_root,
                effective,
                file,
            )
        }
    }
}

#[derive(Debug, Args)]
pub struct RulesArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = RulesFormat::Text)]
    pub format: RulesFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RulesFormat {
    Text,
    Json,
}

/// A report to write to a file: `FORMAT=PATH`.
#[derive(Debug, Clone)]
pub struct ReportTarget {
    pub format: Format,
    pub path: PathBuf,
}

fn parse_report(value: &str) -> Result<ReportTarget, String> {
    let (format, path) = value.split_once('=').ok_or_else(|| {
        format!("expected FORMAT=PATH, e.g. sarif=tracegate.sarif, got {value:?}")
    })?;
    if path.is_empty() {
        return Err(format!("no PATH after {format}="));
    }
    let format = Format::from_str(format, true).map_err(|_| {
        let names: Vec<String> = Format::value_variants()
            .iter()
            .filter_map(|f| f.to_possible_value().map(|v| v.get_name().to_owned()))
            .collect();
        format!(
            "no report format {format:?}; the formats are {}",
            names.join(", ")
        )
    })?;
    Ok(ReportTarget {
        format,
        path: PathBuf::from(path),
    })
}

/// The output formats (see `tracegate::report::Format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// For people: failures with their evidence and fix, one summary line.
    Text,
    /// The stable, versioned machine contract (see README "JSON report").
    Json,
    /// SARIF 2.1.0 for GitHub code scanning (and any SARIF viewer).
    Sarif,
    /// GitLab Code Quality JSON, shown in merge requests.
    Gitlab,
    /// JUnit XML: one test case per function, for GitLab and Jenkins test panels.
    Junit,
    /// GitHub workflow commands: annotations on the pull request's diff.
    Github,
    /// A Markdown summary table, for merge-request comments and job summaries.
    Markdown,
    /// reviewdog's Diagnostic Format (rdjson): fixes as one-click suggestions on the pull request.
    Rdjson,
}

impl From<Format> for report::Format {
    fn from(format: Format) -> report::Format {
        match format {
            Format::Text => report::Format::Text,
            Format::Json => report::Format::Json,
            Format::Sarif => report::Format::Sarif,
            Format::Gitlab => report::Format::Gitlab,
            Format::Junit => report::Format::Junit,
            Format::Github => report::Format::Github,
            Format::Markdown => report::Format::Markdown,
            Format::Rdjson => report::Format::Rdjson,
        }
    }
}

/// How unknown verdicts count toward the gate (see `tracegate::UnknownPolicy`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Unknown {
    /// Unknown fails the gate.
    Fail,
    /// Unknown is reported as a warning and does not fail the gate.
    Warn,
    /// Unknown is reported as a note and does not fail the gate.
    Pass,
}

/// `--fail-on` (see `tracegate::FailOn`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOnArg {
    /// Every failing function fails the gate.
    All,
    /// Only functions this plan makes new without Active tracing.
    New,
}

impl From<FailOnArg> for FailOn {
    fn from(which: FailOnArg) -> FailOn {
        match which {
            FailOnArg::All => FailOn::All,
            FailOnArg::New => FailOn::New,
        }
    }
}

impl From<Unknown> for UnknownPolicy {
    fn from(policy: Unknown) -> UnknownPolicy {
        match policy {
            Unknown::Fail => UnknownPolicy::Fail,
            Unknown::Warn => UnknownPolicy::Warn,
            Unknown::Pass => UnknownPolicy::Pass,
        }
    }
}

impl CheckArgs {
    /// The settings this command line gives: only the flags that were given, so that a default
    /// never masks `.tracegate.toml`.
    pub fn flags(&self) -> config::Flags {
        config::Flags {
            unknown: self.unknown.map(Into::into),
            fail_on: self.fail_on.map(Into::into),
            changed_only: self.changed_only,
            rules: self.rules.clone(),
            skip_rules: self.skip_rules.clone(),
            foreign_ignores: self.foreign_ignores,
            reports: (!self.reports.is_empty() || self.output.is_some())
                .then(|| self.report_paths()),
            locked: self.locked_config,
        }
    }

    /// The `--report` targets, as `config` names them.
    pub fn report_paths(&self) -> Vec<config::ReportPath> {
        self.reports
            .iter()
            .map(|r| config::ReportPath {
                format: r.format.into(),
                path: r.path.clone(),
            })
            .collect()
    }

    /// The library's options for this command line and the effective settings.
    pub fn run_options(
        &self,
        effective: &config::Effective,
        file: Option<Arc<config::ConfigFile>>,
    ) -> RunOptions {
        run_options(
            &self.plans,
            &self.plan_path,
            &self.source_root,
            effective,
            file,
        )
    }
}

/// The library's options for these inputs under the effective settings.
fn run_options(
    plans: &[String],
    plan_path: &Option<String>,
    source_root: &Option<PathBuf>,
    effective: &config::Effective,
    file: Option<Arc<config::ConfigFile>>,
) -> RunOptions {
    RunOptions {
        inputs: plans.to_vec(),
        plan_path: plan_path.clone(),
        changed_only: effective.changed_only.value,
        rules: effective.rules.value.clone(),
        skip_rules: effective.skip_rules.value.clone(),
        unknown_policy: effective.unknown.value,
        fail_on: effective.fail_on.value,
        source_root: source_root.clone(),
        foreign_ignores: effective.foreign_ignores.value,
        config: Some(file.unwrap_or_default()),
        settings: effective.settings(),
        // The command line exits once it has reported.
        exits_after: true,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}
