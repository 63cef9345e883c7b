//! Why an input could not be read: each message names the problem and the remedy, on one line.

use std::path::PathBuf;
use thiserror::Error;

const REGENERATE: &str = "run `terraform show -json tf.plan > plan.json` and pass plan.json";

#[derive(Debug, Error)]
pub enum InputError {
    #[error("cannot read it: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("empty input: expected the JSON output of `terraform show -json`; {REGENERATE}")]
    Empty,
    #[error("not JSON ({detail} at line {line}, column {column}); {REGENERATE}")]
    NotJson {
        detail: String,
        line: usize,
        column: usize,
    },
    #[error("truncated JSON: the input ends at line {line}, column {column} before the document is complete; the file was cut short, regenerate it with `terraform show -json`")]
    Truncated { line: usize, column: usize },
    #[error("invalid JSON ({detail} at line {line}, column {column}); {REGENERATE}")]
    InvalidJson {
        detail: String,
        line: usize,
        column: usize,
    },
    #[error("the top level is a JSON {found}, not a plan object; {REGENERATE}")]
    NotAnObject { found: &'static str },
    #[error("this looks like a Terraform or tfvars (HCL) file, not a plan; run `terraform plan -out tf.plan && terraform show -json tf.plan > plan.json` and pass plan.json")]
    Hcl,
    #[error("invalid UTF-8 at line {line}, column {column}; plans are UTF-8: {REGENERATE}")]
    InvalidUtf8 { line: usize, column: usize },
    #[error("the input is UTF-16 encoded (as PowerShell's `>` writes it); re-save it as UTF-8, e.g. `terraform show -json tf.plan | Out-File -Encoding utf8 plan.json`")]
    Utf16,
    #[error("the entry {address:?} names a Lambda function in its address but its \"type\" or \"mode\" says otherwise; Terraform never writes this, so the plan was edited: {REGENERATE}")]
    MissingType { address: String },
    #[error("the first line looks like setup-terraform wrapper output but holds JSON; pass only the output of `terraform show -json` (set `terraform_wrapper: false` in hashicorp/setup-terraform)")]
    WrapperLineHoldsJson,
    #[error("JSON nested deeper than 128 levels: no Terraform plan nests this deep; check that this is `terraform show -json` output")]
    TooDeep,
    #[error("not a Terraform plan or state: found {found}; {remedy}")]
    NotPlan { found: String, remedy: String },
    #[error("unsupported format_version \"{version}\": tracegate reads plan and state formats 0.x and 1.x; upgrade tracegate or produce the plan with a Terraform/OpenTofu that writes 1.x")]
    UnsupportedFormat { version: String },
    #[error("trailing data after the JSON document{position}; pass only the output of `terraform show -json`")]
    TrailingData { position: String },
    #[error("a binary plan file, and neither `terraform` nor `tofu` is on PATH to read it; install one, or run `terraform show -json {path} > plan.json` where it is installed and pass plan.json", path = path.display())]
    BinaryPlanNoTool { path: PathBuf },
    #[error("`{tool} show -json {path}` failed: {message}; run it in the directory where the plan was made (after `{tool} init`)", path = path.display())]
    BinaryPlanShowFailed {
        tool: &'static str,
        path: PathBuf,
        message: String,
    },
    #[error("stdin holds a binary plan file; pass its path (`tracegate check tf.plan`) or pipe `terraform show -json tf.plan` instead")]
    BinaryPlanOnStdin,
    #[error("--plan-path {path}: {problem}")]
    PlanPath { path: String, problem: String },
}

/// A serde_json error's message without its position: its messages end with
/// " at line L column C".
pub fn cause(error: &serde_json::Error) -> String {
    let text = error.to_string();
    match text.rsplit_once(" at line ") {
        Some((cause, _)) => cause.to_owned(),
        None => text,
    }
}

impl InputError {
    /// An entry whose type is missing; the address is cut to a readable length.
    pub fn missing_type(address: String) -> InputError {
        InputError::MissingType {
            address: address.chars().take(120).collect(),
        }
    }

    /// An error found inside a value that starts at `origin` (line, column) of the whole input,
    /// with its position counted from that value's start: moved to the input's position. Inside a
    /// value that was read whole, an early end is that value's, not the input's.
    pub fn relocated(self, (line, column): (usize, usize)) -> InputError {
        let at = |inner_line: usize, inner_column: usize| {
            let at_line = line + inner_line.saturating_sub(1);
            let at_column = if inner_line <= 1 {
                column + inner_column.saturating_sub(1)
            } else {
                inner_column
            };
            (at_line, at_column)
        };
        match self {
            InputError::Truncated { line: l, column: c } => {
                let (line, column) = at(l, c);
                InputError::InvalidJson {
                    detail: "a value ends early".to_owned(),
                    line,
                    column,
                }
            }
            InputError::InvalidJson {
                detail,
                line: l,
                column: c,
            }
            | InputError::NotJson {
                detail,
                line: l,
                column: c,
            } => {
                let (line, column) = at(l, c);
                InputError::InvalidJson {
                    detail,
                    line,
                    column,
                }
            }
            InputError::InvalidUtf8 { line: l, column: c } => {
                let (line, column) = at(l, c);
                InputError::InvalidUtf8 { line, column }
            }
            other => other,
        }
    }

    /// Maps a serde_json error to the message a user can act on. `line_offset` counts lines that
    /// were skipped before the JSON (wrapper noise).
    pub fn from_json(error: &serde_json::Error, line_offset: usize) -> InputError {
        use serde_json::error::Category;
        let line = error.line() + line_offset;
        let column = error.column();
        let detail = cause(error);
        match error.classify() {
            Category::Eof => InputError::Truncated { line, column },
            _ if detail.contains("recursion limit") => InputError::TooDeep,
            _ if detail.contains("invalid unicode") || detail.contains("UTF-8") => {
                InputError::InvalidUtf8 { line, column }
            }
            Category::Syntax if line == 1 + line_offset && column <= 1 => InputError::NotJson {
                detail,
                line,
                column,
            },
            _ => InputError::InvalidJson {
                detail,
                line,
                column,
            },
        }
    }
}
