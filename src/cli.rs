//! The command line: clap definitions only. `check.rs` runs them.

use crate::report::{Format, UnknownPolicy};
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

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
    Check(CheckArgs),
    /// List the rule tracegate enforces, with its documentation.
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
    #[arg(required = true, value_name = "PLAN")]
    pub plans: Vec<String>,

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
    /// gate, `warn` prints it without failing, `pass` counts it as passing.
    #[arg(long, value_enum, default_value_t = UnknownPolicy::Warn, value_name = "POLICY")]
    pub unknown: UnknownPolicy,

    /// Judge only functions the plan creates, updates or replaces; unchanged ones are skipped.
    #[arg(long)]
    pub changed_only: bool,

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

    /// Colour in text output: `auto` colours a terminal unless NO_COLOR is set.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,

    /// Also list passing and skipped functions in text output, with their evidence.
    #[arg(short, long)]
    pub verbose: bool,
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
    Ok(ReportTarget {
        format: format.parse()?,
        path: PathBuf::from(path),
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}
