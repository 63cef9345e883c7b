//! The binary's work around the library: the terminal (stderr messages, colour), where reports
//! go (stdout, `--output`, `--report`, `--summary`), a closed pipe, completions, man pages, and
//! the exit code.

use crate::cli::{CheckArgs, Cli, ColorChoice, Command, RulesArgs, RulesFormat};
use anyhow::{Context, Result};
use clap::CommandFactory;
use std::fs::File;
use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::Path;
use tracegate::outcome::Level;
use tracegate::report::{self, escape, Format, Settings};
use tracegate::{Gate, Outcome};

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

fn check(args: &CheckArgs) -> Result<u8> {
    let outcome = tracegate::run(&args.run_options())?;
    tell(&outcome);
    let settings = Settings {
        color: use_color(args),
        verbose: args.verbose,
        category: args.category.clone(),
    };
    write_output(args.output.as_deref(), |out| {
        report::write(args.format.into(), &outcome, &settings, out)
    })?;
    let plain = Settings {
        color: false,
        ..settings.clone()
    };
    for target in &args.reports {
        write_output(Some(&target.path), |out| {
            report::write(target.format.into(), &outcome, &plain, out)
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
        report::write(Format::Markdown, &outcome, &plain, &mut out)
            .and_then(|_| out.flush())
            .with_context(|| format!("cannot write the summary to {}", path.display()))?;
    }
    Ok(match outcome.gate() {
        Gate::Pass => EXIT_PASS,
        Gate::Fail => EXIT_FAIL,
        Gate::Error => EXIT_ERROR,
    })
}

/// Writes the run's warnings and errors to stderr, one line each, in the order they happened.
fn tell(outcome: &Outcome) {
    let mut stderr = io::stderr().lock();
    for diagnostic in &outcome.diagnostics {
        let level = match diagnostic.level {
            Level::Warning => "warning",
            Level::Error => "error",
        };
        let input = diagnostic
            .input
            .as_deref()
            .map(|input| format!("{}: ", escape::terminal(input)))
            .unwrap_or_default();
        let _ = writeln!(
            stderr,
            "tracegate: {level}: {input}{}",
            escape::terminal(&diagnostic.message)
        );
    }
}

fn use_color(args: &CheckArgs) -> bool {
    match args.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            args.output.is_none()
                && io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::env::var_os("TERM").is_none_or(|t| t != "dumb")
        }
    }
}

/// Writes to a file or stdout. A closed pipe (`| head`) is not an error.
fn write_output(
    path: Option<&Path>,
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
        RulesFormat::Json => report::rules::write_json(out),
        RulesFormat::Text => report::rules::write_text(out),
    })?;
    Ok(EXIT_PASS)
}
