//! Runs the commands: reads each input, judges it, sorts once, writes the reports, and maps the
//! gate to an exit code.

use crate::cli::{CheckArgs, Cli, ColorChoice, Command, RulesArgs, RulesFormat};
use crate::finding;
use crate::plan::{self, InputError, InputSource};
use crate::report::{self, Format, Gate, InputFailure, PlanReport, Run, Settings};
use crate::resolve::{self, Options};
use crate::rule::TRACING;
use crate::source::SourceTree;
use crate::suppress::{self, Date};
use anyhow::{bail, Context, Result};
use clap::CommandFactory;
use rayon::prelude::*;
use std::fs::File;
use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::Path;

/// Exit codes: the gate passes, fails, or could not be decided.
pub const EXIT_PASS: u8 = 0;
pub const EXIT_FAIL: u8 = 1;
pub const EXIT_ERROR: u8 = 2;

pub fn run(cli: Cli) -> Result<u8> {
    match cli.command {
        Command::Check(args) => check(&args),
        Command::Rules(args) => rules(&args),
        Command::Completions { shell } => {
            write_output(None, |out| {
                clap_complete::generate(shell, &mut Cli::command(), "tracegate", out);
                Ok(())
            })?;
            Ok(EXIT_PASS)
        }
        Command::Man { subcommand } => {
            let mut command = Cli::command();
            command.build();
            let page = match subcommand {
                None => command,
                Some(name) => command
                    .find_subcommand(&name)
                    .cloned()
                    .with_context(|| format!("no subcommand {name:?}; try `check`, `rules`"))?
                    .name(format!("tracegate-{name}")),
            };
            write_output(None, |out| clap_mangen::Man::new(page).render(out))?;
            Ok(EXIT_PASS)
        }
    }
}

/// How reports name an input: relative to its repository root when it is in one (so that SARIF
/// and annotations point into the repository), else as given.
fn input_label(source: &InputSource) -> String {
    let InputSource::File(path) = source else {
        return source.display();
    };
    std::fs::canonicalize(path)
        .ok()
        .and_then(|real| {
            let root = real
                .ancestors()
                .skip(1)
                .find(|dir| dir.join(".git").exists())?;
            let relative = real.strip_prefix(root).ok()?;
            Some(
                relative
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy())
                    .collect::<Vec<_>>()
                    .join("/"),
            )
        })
        .unwrap_or_else(|| source.display())
}

fn judge_input(
    source: &InputSource,
    args: &CheckArgs,
    sources: Option<&SourceTree>,
    suppressions: &suppress::Config,
) -> Result<PlanReport, InputError> {
    let label = input_label(source);
    let options = Options {
        changed_only: args.changed_only,
    };
    plan::with_document(source, args.plan_path.as_deref(), |parsed| {
        let (kind, mut warnings) = plan::classify(&parsed.document)?;
        warnings.splice(0..0, parsed.warnings);
        let mut findings = resolve::judge(
            &parsed.document,
            kind,
            parsed.text,
            parsed.line_offset,
            &label,
            options,
            sources,
        );
        suppress::apply(&mut findings, suppressions, sources, Date::today());
        finding::sort(&mut findings);
        if let Some(sources) = sources {
            warnings.extend(
                sources
                    .take_problems()
                    .into_iter()
                    .map(|p| format!("sources: {p}")),
            );
        }
        Ok(PlanReport {
            path: label.clone(),
            kind,
            format_version: parsed
                .document
                .format_version
                .as_ref()
                .map(|v| v.as_str().to_owned()),
            terraform_version: parsed
                .document
                .terraform_version
                .as_ref()
                .map(|v| v.as_str().to_owned()),
            warnings,
            findings,
        })
    })?
}

fn check(args: &CheckArgs) -> Result<u8> {
    let sources = match &args.source_root {
        Some(root) if !root.is_dir() => bail!(
            "--source-root {} is not a directory; pass the directory that holds the .tf files",
            root.display()
        ),
        Some(root) => SourceTree::open(root)
            .with_context(|| format!("cannot read --source-root {}", root.display()))?,
        // By default, the current directory when it holds .tf files.
        None => SourceTree::open(Path::new(".")).ok().flatten(),
    };
    if let (Some(root), None) = (&args.source_root, &sources) {
        eprintln!(
            "tracegate: warning: --source-root {} holds no .tf files; judging from the plan alone",
            report::escape::terminal(&root.display().to_string())
        );
    }
    let suppressions = match &sources {
        Some(tree) => suppress::Config::load(tree.root(), |p| tree.display_path(p)),
        None => suppress::Config::load(Path::new("."), |p| p.display().to_string()),
    }
    .map_err(anyhow::Error::msg)?;
    if args.plans.iter().filter(|p| *p == "-").count() > 1 {
        bail!("`-` (stdin) can be given only once");
    }
    let mut run = Run {
        plans: Vec::with_capacity(args.plans.len()),
        errors: Vec::new(),
        unknown_policy: args.unknown,
        source_root: sources.as_ref().map(|tree| {
            let shown = tree.display_path(tree.root());
            if !shown.is_empty() {
                return shown;
            }
            // Outside a repository the root is its own base: name it as given.
            args.source_root
                .as_ref()
                .map_or_else(|| ".".to_owned(), |r| r.display().to_string())
        }),
    };
    let mut stderr = io::stderr().lock();
    // Inputs are judged in parallel on all cores; the report keeps the order they were given.
    let judged: Vec<(InputSource, Result<PlanReport, InputError>)> = args
        .plans
        .par_iter()
        .map(|arg| {
            let source = InputSource::from_arg(arg);
            let result = judge_input(&source, args, sources.as_ref(), &suppressions);
            (source, result)
        })
        .collect();
    for (source, result) in judged {
        let label = report::escape::terminal(&source.display()).into_owned();
        match result {
            Ok(plan) => {
                for warning in &plan.warnings {
                    let _ = writeln!(
                        stderr,
                        "tracegate: warning: {label}: {}",
                        report::escape::terminal(warning)
                    );
                }
                run.plans.push(plan);
            }
            Err(error) => {
                let message = error.to_string();
                let _ = writeln!(
                    stderr,
                    "tracegate: error: {label}: {}",
                    report::escape::terminal(&message)
                );
                run.errors.push(InputFailure {
                    path: input_label(&source),
                    message,
                });
            }
        }
    }
    drop(stderr);

    let color = match args.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            args.output.is_none()
                && io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::env::var_os("TERM").is_none_or(|t| t != "dumb")
        }
    };
    let settings = Settings {
        color,
        verbose: args.verbose,
        category: args.category.clone(),
    };
    write_output(args.output.as_deref(), |out| {
        report::write(args.format, &run, &settings, out)
    })?;
    let plain = Settings {
        color: false,
        ..settings.clone()
    };
    for target in &args.reports {
        write_output(Some(&target.path), |out| {
            report::write(target.format, &run, &plain, out)
        })?;
    }
    let summary = args.summary.clone().or_else(|| {
        (std::env::var_os("GITHUB_ACTIONS").is_some_and(|v| v == "true"))
            .then(|| std::env::var_os("GITHUB_STEP_SUMMARY").map(std::path::PathBuf::from))
            .flatten()
    });
    if let Some(path) = summary {
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .with_context(|| format!("cannot write the summary to {}", path.display()))?;
        let mut out = BufWriter::new(file);
        report::write(Format::Markdown, &run, &plain, &mut out)
            .and_then(|_| out.flush())
            .with_context(|| format!("cannot write the summary to {}", path.display()))?;
    }
    Ok(match run.gate() {
        Gate::Pass => EXIT_PASS,
        Gate::Fail => EXIT_FAIL,
        Gate::Error => EXIT_ERROR,
    })
}

/// Writes to a file or stdout. A closed pipe (`| head`) is not an error.
fn write_output(
    path: Option<&std::path::Path>,
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> Result<()> {
    let result = match path {
        Some(path) => {
            let file = File::create(path)
                .with_context(|| format!("cannot write the report to {}", path.display()))?;
            let mut out = BufWriter::new(file);
            write(&mut out).and_then(|_| out.flush())
        }
        None => {
            let mut out = BufWriter::new(io::stdout().lock());
            write(&mut out).and_then(|_| out.flush())
        }
    };
    match result {
        Err(error) if error.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        other => other.context("cannot write the report"),
    }
}

fn rules(args: &RulesArgs) -> Result<u8> {
    write_output(None, |out| match args.format {
        RulesFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, &[&TRACING])?;
            writeln!(out)
        }
        RulesFormat::Text => write_rule_text(out),
    })?;
    Ok(EXIT_PASS)
}

fn write_rule_text(out: &mut dyn Write) -> io::Result<()> {
    let rule = &TRACING;
    writeln!(out, "{}  {}", rule.id, rule.title)?;
    writeln!(
        out,
        "  category: {} · entity: {} · risk: {} (security-severity {})",
        rule.category, rule.entity, rule.risk, rule.security_severity
    )?;
    writeln!(
        out,
        "  judges: {}",
        rule.targets
            .iter()
            .map(|t| format!("{} ({}, {})", t.resource_type, t.provider, t.mode_path))
            .collect::<Vec<_>>()
            .join(", ")
    )?;
    writeln!(out, "\n  {}\n", rule.description)?;
    writeln!(out, "  Why: {}\n", rule.rationale)?;
    writeln!(out, "  How to fix:")?;
    for way in rule.remediation {
        writeln!(out, "    - {way}")?;
    }
    writeln!(out, "    Note: {}\n", rule.permissions_note)?;
    writeln!(out, "  Compliance: {}", rule.compliance.join(", "))?;
    writeln!(out, "  References:")?;
    for reference in rule.references {
        writeln!(out, "    {reference}")?;
    }
    Ok(())
}
