//! The binary's work around the library: the terminal (stderr messages, colour), where reports
//! go (stdout, `--output`, `--report`, `--summary`), a closed pipe, completions, man pages, and
//! the exit code.

use crate::cli::{CheckArgs, Cli, ColorChoice, Command, FixArgs, RulesArgs, RulesFormat};
use anyhow::{Context, Result};
use clap::CommandFactory;
use std::fs::File;
use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tracegate::config;
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
        Command::Fix(args) => fix(&args),
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
    let file = config::find(args.source_root.as_deref()).map_err(anyhow::Error::msg)?;
    let effective = config::resolve(file.as_ref(), &args.flags()).map_err(anyhow::Error::msg)?;
    if args.print_config {
        let printed = config::print(&effective, file.as_ref());
        write_output(None, |out| out.write_all(printed.as_bytes()))?;
        return Ok(EXIT_PASS);
    }
    let outcome = tracegate::run(&args.run_options(&effective, file.map(Arc::new)))?;
    tell(&outcome, args.quiet);
    let color = use_color(args);
    let to_terminal = args.output.is_none() && io::stdout().is_terminal();
    let settings = Settings {
        color,
        verbose: args.verbose,
        category: args.category.clone(),
        sarif_suppressed: args.sarif_suppressed,
        quiet: args.quiet,
        width: args
            .output
            .is_none()
            .then(|| terminal_width(to_terminal))
            .flatten(),
        // Hyperlinks only where a person reads them: a terminal with colour on.
        hyperlinks: color && to_terminal && env_is("TERM", |t| t != "dumb"),
        link_base: link_base(),
        markdown_budget: None,
    };
    let plain = Settings {
        color: false,
        hyperlinks: false,
        width: None,
        ..settings.clone()
    };
    let main_target = args.output.as_deref();
    for (format, path, settings) in std::iter::once((args.format.into(), main_target, &settings))
        .chain(
            args.reports
                .iter()
                .map(|target| (target.format.into(), Some(target.path.as_path()), &plain)),
        )
    {
        let withheld = outcome
            .undecided()
            .and_then(|_| withheld_when_undecided(format));
        if let Some(withheld) = withheld {
            withhold(withheld, path)?;
            continue;
        }
        write_output(path, |out| report::write(format, &outcome, settings, out))?;
    }
    // Report paths from `.tracegate.toml` come with the pull request: written only under the
    // working directory, never through a symlink (a flag's targets, which replace them, were
    // written above).
    if let tracegate::outcome::Origin::File(at) = &effective.report.origin {
        for target in &effective.report.value {
            let withheld = outcome
                .undecided()
                .and_then(|_| withheld_when_undecided(target.format));
            if let Some(withheld) = withheld {
                withhold(withheld, Some(&target.path))?;
                continue;
            }
            write_untrusted(&target.path, |out| {
                report::write(target.format, &outcome, &plain, out)
            })
            .with_context(|| {
                format!(
                    "cannot write the report {} that {}:{} asks for",
                    target.path.display(),
                    at.file,
                    at.line
                )
            })?;
        }
    }
    let summary = args.summary.clone().or_else(|| {
        (std::env::var_os("GITHUB_ACTIONS").is_some_and(|v| v == "true"))
            .then(|| std::env::var_os("GITHUB_STEP_SUMMARY").map(std::path::PathBuf::from))
            .flatten()
    });
    if let Some(path) = summary {
        let in_link = path.parent().and_then(symlinked_directory);
        if in_link.is_some()
            || std::fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink())
        {
            anyhow::bail!(
                "the summary file {} is a symlink: tracegate does not write through one; remove it or pass another --summary",
                path.display()
            );
        }
        let file = open_summary(&path)
            .with_context(|| format!("cannot write the summary to {}", path.display()))?;
        // What this step already wrote counts against GitHub's 1 MiB.
        let already = file.metadata().map(|m| m.len()).unwrap_or(0);
        let budget =
            report::SUMMARY_BUDGET.saturating_sub(usize::try_from(already).unwrap_or(usize::MAX));
        let capped = Settings {
            markdown_budget: Some(budget),
            ..plain.clone()
        };
        let mut out = BufWriter::new(file);
        report::write(Format::Markdown, &outcome, &capped, &mut out)
            .and_then(|_| out.flush())
            .with_context(|| format!("cannot write the summary to {}", path.display()))?;
    }
    let code = match outcome.gate() {
        Gate::Pass => EXIT_PASS,
        Gate::Fail if args.exit_zero => EXIT_PASS,
        Gate::Fail => EXIT_FAIL,
        Gate::Error => EXIT_ERROR,
    };
    // The process exits next: its memory goes back whole, not one finding at a time.
    std::mem::forget(outcome);
    Ok(code)
}

/// A report that an undecided gate does not write, and what the platform would do with it: a
/// report without the unread plans' results reads as "all of those are fixed".
struct Withheld {
    name: &'static str,
    harm: &'static str,
}

fn withheld_when_undecided(format: report::Format) -> Option<Withheld> {
    match format {
        // Code scanning closes every open alert that a new upload for the category lacks.
        report::Format::Sarif => Some(Withheld {
            name: "SARIF",
            harm: "code scanning would close every open alert it lacks (those of the plans not read or not complete)",
        }),
        // GitLab's merge request widget lists every issue of the target branch's report that
        // the head report lacks as resolved.
        report::Format::Gitlab => Some(Withheld {
            name: "GitLab Code Quality report",
            harm: "the merge request would show every issue it lacks (those of the plans not read or not complete) as resolved",
        }),
        _ => None,
    }
}

/// Says on stderr that a report is withheld, and removes a report left at its path (a stale
/// one, or one a pull request committed), so that the platform cannot upload it instead.
fn withhold(withheld: Withheld, path: Option<&Path>) -> Result<()> {
    let target = path.map_or_else(|| "stdout".to_owned(), |p| p.display().to_string());
    let removed = match path {
        Some(path) => remove_report(path)?,
        None => false,
    };
    eprintln!(
        "tracegate: warning: no {} written to {}, as the gate is not decided: {}{}",
        withheld.name,
        escape::terminal(&target),
        withheld.harm,
        if removed {
            "; the file that was there is removed"
        } else {
            ""
        }
    );
    Ok(())
}

/// Removes the file (or symlink: never its target) at a report path; whether there was one.
fn remove_report(path: &Path) -> Result<bool> {
    let directory = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    if let Some(link) = symlinked_directory(directory) {
        anyhow::bail!(
            "cannot remove the report at {}: {} is a symlink, and tracegate does not write through one (a checkout can commit it); pass a path without it",
            path.display(),
            link.display()
        );
    }
    match std::fs::symlink_metadata(path) {
        Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(false),
        Ok(meta) if meta.is_dir() => anyhow::bail!(
            "cannot write the report to {}: it is a directory; pass a file path",
            path.display()
        ),
        // Only a file or a link is a stale report: a device, FIFO or socket (`-o /dev/null`)
        // is left alone, and nothing is written to it.
        Ok(meta) if meta.is_file() || meta.file_type().is_symlink() => std::fs::remove_file(path)
            .map(|()| true)
            .with_context(|| format!("cannot remove the stale report at {}", path.display())),
        _ => Ok(false),
    }
}

/// Writes the run's warnings and errors to stderr, one line each, in the order they happened
/// (`--quiet`: errors only).
fn tell(outcome: &Outcome, quiet: bool) {
    let mut stderr = io::stderr().lock();
    for diagnostic in &outcome.diagnostics {
        let level = match diagnostic.level {
            Level::Warning if quiet => continue,
            Level::Warning | Level::Weakened => "warning",
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

/// Colour, in this order: `--color always|never`; NO_COLOR (set and not empty) turns it off;
/// FORCE_COLOR (set, not empty, not `0` or `false`) or CLICOLOR_FORCE (set, not `0`) turns it on;
/// TERM=dumb turns it off; else a terminal has it. `--output FILE` is never coloured by `auto`.
fn use_color(args: &CheckArgs) -> bool {
    match args.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => args.output.is_none() && color_from_env(io::stdout().is_terminal()),
    }
}

fn env_is(name: &str, test: impl Fn(&str) -> bool) -> bool {
    std::env::var_os(name).is_some_and(|v| test(&v.to_string_lossy()))
}

fn color_from_env(terminal: bool) -> bool {
    if env_is("NO_COLOR", |v| !v.is_empty()) {
        false
    } else if env_is("FORCE_COLOR", |v| !v.is_empty()) {
        !env_is("FORCE_COLOR", |v| {
            v == "0" || v.eq_ignore_ascii_case("false")
        })
    } else if env_is("CLICOLOR_FORCE", |v| !v.is_empty() && v != "0") {
        true
    } else if env_is("TERM", |t| t == "dumb") {
        false
    } else {
        terminal
    }
}

/// Where text wraps: COLUMNS when set to a number, else the terminal's width; `None` (no
/// wrapping) for a pipe or a file without COLUMNS.
fn terminal_width(terminal: bool) -> Option<usize> {
    if let Some(columns) = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse::<usize>().ok())
        .filter(|&c| c > 0)
    {
        return Some(columns);
    }
    if !terminal {
        return None;
    }
    #[cfg(unix)]
    {
        // SAFETY: TIOCGWINSZ fills a winsize struct we own; a failure leaves it zeroed.
        let mut size: libc::winsize = unsafe { std::mem::zeroed() };
        let ok = unsafe { libc::ioctl(libc::STDOUT_FILENO, libc::TIOCGWINSZ, &mut size) } == 0;
        if ok && size.ws_col > 0 {
            return Some(usize::from(size.ws_col));
        }
    }
    None
}

/// The `file://` URI that report paths are relative to: the repository holding the current
/// directory, else the current directory.
fn link_base() -> Option<String> {
    let here = std::env::current_dir().ok()?.canonicalize().ok()?;
    let root = tracegate::support::repo::root_of(&here).unwrap_or(&here);
    let path = root.to_string_lossy();
    let path = path.trim_start_matches(r"\\?\").replace('\\', "/");
    let path = if path.starts_with('/') {
        path
    } else {
        format!("/{path}")
    };
    Some(format!("file://{}", report::text::uri_path(&path)))
}

/// Reports are written through a buffer this large: a SARIF log of 30,000 functions is about
/// 30 MB, which an 8 KiB buffer wrote in 6,000 system calls.
const REPORT_BUFFER: usize = 1 << 20;

/// Writes to a file or stdout. A closed pipe (`| head`) is not an error. A file is written
/// atomically: to a new temporary file beside it, then renamed over it, so a committed symlink
/// at that name is replaced (never written through) and no reader sees half a report.
fn write_output(
    path: Option<&Path>,
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> Result<()> {
    let result = match path {
        Some(path) => return write_atomically(path, write),
        None => {
            let mut out = BufWriter::with_capacity(REPORT_BUFFER, io::stdout().lock());
            write(&mut out).and_then(|_| out.flush())
        }
    };
    match result {
        Err(error) if error.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        other => other.context("cannot write the report"),
    }
}

fn write_atomically(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> Result<()> {
    let context = || format!("cannot write the report to {}", path.display());
    let directory = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let name = path.file_name().with_context(context)?;
    if let Some(link) = symlinked_directory(directory) {
        anyhow::bail!(
            "cannot write the report to {}: {} is a symlink, and tracegate does not write through one (a checkout can commit it); pass a path without it",
            path.display(),
            link.display()
        );
    }
    let (temporary, file) = new_temporary(directory, name).with_context(context)?;
    let mut out = BufWriter::with_capacity(REPORT_BUFFER, file);
    let written = write(&mut out)
        .and_then(|_| out.flush())
        // The rename makes the report appear whole or not at all; it is not synced to disk
        // first (tens of milliseconds on a large report): a report is rewritten on every run,
        // and one lost to a power cut is lost with the job that wrote it.
        .and_then(|_| std::fs::rename(&temporary, path));
    if written.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    written.with_context(context)
}

/// The first directory of a relative output path that is a symlink (a pull request can commit
/// `reports -> /somewhere`); absolute paths are the caller's own choice and are not walked.
fn symlinked_directory(directory: &Path) -> Option<PathBuf> {
    if directory.is_absolute() {
        return None;
    }
    let mut walked = PathBuf::new();
    for component in directory.components() {
        walked.push(component);
        if std::fs::symlink_metadata(&walked).is_ok_and(|m| m.file_type().is_symlink()) {
            return Some(walked);
        }
    }
    None
}

/// Writes a report whose path came from `.tracegate.toml` (checked by `config`: relative, plain
/// components): each directory is opened with O_NOFOLLOW from the working directory down, so no
/// component can be a symlink, even one swapped in during the walk; the report goes to a new file
/// (O_CREAT|O_EXCL|O_NOFOLLOW) in that directory and is renamed over the name, which must not be
/// a symlink either.
#[cfg(unix)]
fn write_untrusted(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> Result<()> {
    use std::ffi::CString;
    use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
    use std::os::unix::ffi::OsStrExt;

    let c_name = |name: &std::ffi::OsStr| {
        CString::new(name.as_bytes()).map_err(|_| anyhow::anyhow!("a path with a NUL byte"))
    };
    let open_dir = |at: libc::c_int, name: &CString| -> io::Result<OwnedFd> {
        // SAFETY: `name` is a valid C string; the returned descriptor is owned below.
        let fd = unsafe {
            libc::openat(
                at,
                name.as_ptr(),
                libc::O_RDONLY | libc::O_DIRECTORY | libc::O_NOFOLLOW | libc::O_CLOEXEC,
            )
        };
        if fd < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: `fd` was just opened and is owned by no one else.
        Ok(unsafe { OwnedFd::from_raw_fd(fd) })
    };
    let mut directory = open_dir(libc::AT_FDCWD, &CString::new(".")?)?;
    let mut walked = PathBuf::new();
    let parent = path.parent().unwrap_or(Path::new(""));
    for component in parent.components() {
        let std::path::Component::Normal(name) = component else {
            anyhow::bail!("{} is not a plain relative path", path.display());
        };
        walked.push(name);
        directory = open_dir(directory.as_raw_fd(), &c_name(name)?).map_err(|error| match error
            .raw_os_error()
        {
            Some(libc::ELOOP) | Some(libc::ENOTDIR) => anyhow::anyhow!(
                "{} is a symlink or not a directory, and tracegate does not write through one",
                walked.display()
            ),
            _ => anyhow::anyhow!("{}: {error}", walked.display()),
        })?;
    }
    let name = path
        .file_name()
        .with_context(|| format!("{} names no file", path.display()))?;
    let final_name = c_name(name)?;
    // SAFETY: a zeroed stat is a valid out-parameter; fstatat fills it or fails.
    let mut stat: libc::stat = unsafe { std::mem::zeroed() };
    let exists = unsafe {
        libc::fstatat(
            directory.as_raw_fd(),
            final_name.as_ptr(),
            &mut stat,
            libc::AT_SYMLINK_NOFOLLOW,
        )
    } == 0;
    if exists && (stat.st_mode & libc::S_IFMT) == libc::S_IFLNK {
        anyhow::bail!(
            "{} is a symlink, and tracegate does not write through one",
            path.display()
        );
    }
    let mut temporary = None;
    for attempt in 0..100u32 {
        let mut candidate = std::ffi::OsString::from(".");
        candidate.push(name);
        candidate.push(format!(".tracegate-{}-{attempt}.tmp", std::process::id()));
        let candidate = c_name(&candidate)?;
        // SAFETY: a valid C string and mode; the descriptor is owned below.
        let fd = unsafe {
            libc::openat(
                directory.as_raw_fd(),
                candidate.as_ptr(),
                libc::O_WRONLY | libc::O_CREAT | libc::O_EXCL | libc::O_NOFOLLOW | libc::O_CLOEXEC,
                0o644 as libc::c_uint,
            )
        };
        if fd >= 0 {
            // SAFETY: `fd` was just opened and is owned by no one else.
            temporary = Some((candidate, unsafe { File::from_raw_fd(fd) }));
            break;
        }
        let error = io::Error::last_os_error();
        if error.kind() != io::ErrorKind::AlreadyExists {
            return Err(error)
                .with_context(|| format!("cannot create a file beside {}", path.display()));
        }
    }
    let (temporary, file) = temporary
        .with_context(|| format!("no temporary name beside {} is free", path.display()))?;
    let mut out = BufWriter::with_capacity(REPORT_BUFFER, file);
    let written = write(&mut out)
        .and_then(|_| out.flush())
        // Not synced before the rename, as in `write_atomically`.
        .and_then(|_| {
            // SAFETY: both names are valid C strings relative to the directory descriptor.
            let renamed = unsafe {
                libc::renameat(
                    directory.as_raw_fd(),
                    temporary.as_ptr(),
                    directory.as_raw_fd(),
                    final_name.as_ptr(),
                )
            };
            if renamed == 0 {
                Ok(())
            } else {
                Err(io::Error::last_os_error())
            }
        });
    if written.is_err() {
        // SAFETY: a valid C string relative to the directory descriptor.
        unsafe { libc::unlinkat(directory.as_raw_fd(), temporary.as_ptr(), 0) };
    }
    written.with_context(|| format!("cannot write the report to {}", path.display()))
}

/// Elsewhere: each component is checked, then the usual atomic write (which replaces the name,
/// never writes through it).
#[cfg(not(unix))]
fn write_untrusted(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> Result<()> {
    let mut walked = PathBuf::new();
    for component in path.components() {
        walked.push(component);
        if std::fs::symlink_metadata(&walked).is_ok_and(|m| m.file_type().is_symlink()) {
            anyhow::bail!(
                "{} is a symlink, and tracegate does not write through one",
                walked.display()
            );
        }
    }
    write_atomically(path, write)
}

/// A new file beside the target, created exclusively (`create_new` never opens an existing
/// file or follows a symlink).
fn new_temporary(directory: &Path, name: &std::ffi::OsStr) -> io::Result<(PathBuf, File)> {
    let mut last = None;
    for attempt in 0..100u32 {
        let mut temporary_name = std::ffi::OsString::from(".");
        temporary_name.push(name);
        temporary_name.push(format!(".tracegate-{}-{attempt}.tmp", std::process::id()));
        let temporary = directory.join(temporary_name);
        match File::options()
            .write(true)
            .create_new(true)
            .open(&temporary)
        {
            Ok(file) => return Ok((temporary, file)),
            Err(error) if error.kind() == io::ErrorKind::AlreadyExists => last = Some(error),
            Err(error) => return Err(error),
        }
    }
    Err(last.unwrap_or_else(|| io::Error::other("no temporary name is free")))
}

/// Opens the summary file to append to, refusing a symlink (the summary is appended to, so it
/// cannot be replaced the way reports are).
fn open_summary(path: &Path) -> io::Result<File> {
    let mut options = std::fs::OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NOFOLLOW);
    }
    #[cfg(not(unix))]
    if std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
        return Err(io::Error::other("it is a symlink"));
    }
    options.open(path)
}

/// `tracegate fix`: judge as `check` does, then apply (or with `--diff`/`--check`, show) the
/// edits. Nothing is written unless every plan was read and every changed file checks out.
fn fix(args: &FixArgs) -> Result<u8> {
    let file = config::find(args.source_root.as_deref()).map_err(anyhow::Error::msg)?;
    let effective = config::resolve(file.as_ref(), &args.flags()).map_err(anyhow::Error::msg)?;
    let outcome = tracegate::run(&args.run_options(&effective, file.map(Arc::new)))?;
    tell(&outcome, false);
    if outcome.undecided().is_some() {
        anyhow::bail!(
            "not every plan could be judged (see above): nothing was changed; fix the input and run tracegate fix again"
        );
    }
    if outcome.source_root.is_none() {
        anyhow::bail!(
            "tracegate fix needs the Terraform sources: pass --source-root DIR (the directory where terraform plan ran)"
        );
    }
    let root_dir = args
        .source_root
        .clone()
        .unwrap_or_else(|| PathBuf::from("."));
    let root = tracegate::fix::Root::open(&root_dir)
        .with_context(|| format!("cannot open the source root {}", root_dir.display()))?;
    let plan = tracegate::fix::plan(&outcome, &root);
    let color = match args.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => color_from_env(io::stdout().is_terminal()),
    };
    let dry = args.diff || args.check;
    if args.diff {
        write_output(None, |out| {
            for change in &plan.changes {
                out.write_all(
                    tracegate::fix::diff::unified(&change.display, &change.before, &change.after)
                        .as_bytes(),
                )?;
            }
            Ok(())
        })?;
    }
    if !dry {
        tracegate::fix::apply(&plan, &root).map_err(anyhow::Error::msg)?;
    }
    // With --diff stdout holds the patch alone: the report goes to stderr.
    let report = fix_report(&plan, dry, color && !args.diff);
    if args.diff {
        let _ = io::stderr().write_all(report.as_bytes());
    } else {
        write_output(None, |out| out.write_all(report.as_bytes()))?;
    }
    // A failing function fix cannot fix fails --check too: CI that gates on it must not pass
    // a pull request that only made every fix site one tracegate refuses.
    Ok(
        if args.check && (!plan.changes.is_empty() || !plan.refused.is_empty()) {
            EXIT_FAIL
        } else {
            EXIT_PASS
        },
    )
}

/// What `fix` did, per site: applied (or would apply), already in place, refused and why.
fn fix_report(plan: &tracegate::fix::Plan, dry: bool, color: bool) -> String {
    let paint = |code: &str, text: &str| {
        if color {
            format!("{code}{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    };
    let place = |site: &tracegate::fix::Site| {
        site.location.as_ref().map_or_else(
            || "(no location)".to_owned(),
            |l| escape::terminal(&l.to_string()).into_owned(),
        )
    };
    let mut out = String::new();
    let line = |out: &mut String, head: String, site: &tracegate::fix::Site, why: Option<&str>| {
        out.push_str(&format!(
            "{head} {}: {}\n",
            place(site),
            escape::terminal(&site.description)
        ));
        if let Some(why) = why {
            out.push_str(&format!("  why: {}\n", escape::terminal(why)));
        }
        for finding in &site.findings {
            out.push_str(&format!("  for {}\n", escape::terminal(finding)));
        }
    };
    let applied = if dry { "would fix" } else { "fixed" };
    let mut edits = 0;
    for change in &plan.changes {
        for site in &change.sites {
            edits += 1;
            line(&mut out, paint("\x1b[32m", applied), site, None);
        }
    }
    for site in &plan.in_place {
        line(&mut out, paint("\x1b[2m", "already fixed"), site, None);
    }
    for refused in &plan.refused {
        line(
            &mut out,
            paint("\x1b[1;33m", "not fixed"),
            &refused.site,
            Some(&refused.reason),
        );
    }
    let files = plan.changes.len();
    out.push_str(&format!(
        "{} {edits} {} in {files} {}, {} already in place, {} not fixed\n",
        if dry { "would apply" } else { "applied" },
        if edits == 1 { "fix" } else { "fixes" },
        if files == 1 { "file" } else { "files" },
        plan.in_place.len(),
        plan.refused.len(),
    ));
    out
}

fn rules(args: &RulesArgs) -> Result<u8> {
    write_output(None, |out| match args.format {
        RulesFormat::Json => report::rules::write_json(out),
        RulesFormat::Text => report::rules::write_text(out),
    })?;
    Ok(EXIT_PASS)
}
