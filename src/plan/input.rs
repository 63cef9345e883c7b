//! Getting plan bytes: memory-mapped files, streamed stdin, binary plans through `terraform show`,
//! and the setup-terraform wrapper's noise around the JSON.

use super::error::InputError;
use super::model::{Document, UniqueKeys};
use super::scan::{self, SliceInput, StreamInput};
use super::utf8_stream::{stream_error, Prefetched};
use crate::support::line_index::{self, BlockCounts};
use serde::Deserialize;
use std::fs::File;
use std::io::{self, BufRead, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Where a plan comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InputSource {
    File(PathBuf),
    Stdin,
}

impl InputSource {
    pub fn from_arg(arg: &str) -> InputSource {
        if arg == "-" {
            InputSource::Stdin
        } else {
            InputSource::File(PathBuf::from(arg))
        }
    }

    /// How reports name this input.
    pub fn display(&self) -> String {
        match self {
            InputSource::File(path) => path.display().to_string(),
            InputSource::Stdin => "<stdin>".to_owned(),
        }
    }
}

/// A parsed document and what it was parsed from.
pub struct Parsed<'a> {
    pub document: Document<'a>,
    /// The text the document borrows from, for locating entries; empty for streamed input.
    pub text: &'a [u8],
    /// Its lines and characters, counted by the UTF-8 check (empty when `text` is).
    pub counts: BlockCounts,
    /// Lines of wrapper noise skipped before the JSON.
    pub line_offset: usize,
    pub warnings: Vec<String>,
}

const ZIP_MAGIC: &[u8] = b"PK\x03\x04";
const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";
/// What to read besides what the rule judges.
#[derive(Debug, Clone, Copy, Default)]
pub struct ReadOptions<'o> {
    /// A JSONPath selecting the plan inside an envelope document (`--plan-path`).
    pub plan_path: Option<&'o str>,
    /// Keep every resource change's address, actions and `after_unknown` (the source layer asks
    /// which attributes of other resources the plan leaves unknown).
    pub other_resources: bool,
    /// The process exits once this input is reported (see `RunOptions::exits_after`): a mapped
    /// file is unmapped on a thread of its own, beside the reports, not before them (a 730 MB
    /// map's pages took 30 ms of the main thread to unmap, measured with `strace -T`).
    pub exits_after: bool,
}

/// From this size on, a plan's `resource_changes` is read on a second thread.
const READ_AHEAD_SIZE: usize = 8 << 20;

/// How much text after the document is inspected for wrapper noise before it is called garbage.
const TRAILING_LIMIT: u64 = 1 << 20;

/// Reads `source` and hands the parsed document to `judge`. The document borrows from the input,
/// which lives only for this call.
pub fn with_document<R>(
    source: &InputSource,
    options: ReadOptions,
    judge: impl for<'a> FnOnce(Parsed<'a>) -> R,
) -> Result<R, InputError> {
    match source {
        InputSource::Stdin => {
            widen_pipe(&io::stdin());
            read_stream(io::stdin(), options, judge)
        }
        InputSource::File(path) => {
            let io_error = |source| InputError::Io {
                path: path.clone(),
                source,
            };
            let file = File::open(path).map_err(io_error)?;
            let metadata = file.metadata().map_err(io_error)?;
            if metadata.is_dir() {
                return Err(io_error(io::Error::other(
                    "is a directory; pass the plan JSON file inside it",
                )));
            }
            if !metadata.is_file() {
                // A pipe or a process substitution: stream it.
                widen_pipe(&file);
                return read_stream(file, options, judge);
            }
            if metadata.len() == 0 {
                return Err(InputError::Empty);
            }
            // SAFETY: memmap2 requires that the file not change while mapped. tracegate maps only
            // regular files (checked above), maps them read-only and never writes through the
            // map, and drops it when this call returns. It cannot stop another process: a file
            // truncated under the map raises SIGBUS (the process dies), and one rewritten in place
            // can change bytes after they were validated (UTF-8, structure), so a later read may
            // see different text than the check did. Plans are not rewritten while a gate reads
            // them; a caller who cannot promise that should pipe the plan in on stdin, which is
            // copied, not mapped.
            let map = unsafe { memmap2::Mmap::map(&file) }.map_err(io_error)?;
            if map.starts_with(ZIP_MAGIC) {
                let json = show_binary_plan(path)?;
                return read_slice(&json, options, judge);
            }
            let judged = read_slice(&map, options, judge);
            if options.exits_after {
                // Whether or not the thread finishes before the exit, the map goes; a thread
                // that cannot start drops it here.
                let _ = std::thread::Builder::new().spawn(move || drop(map));
            }
            judged
        }
    }
}

/// Asks for a 1 MiB pipe buffer (Linux's default is 64 KiB, and the unprivileged limit 1 MiB):
/// the writer and the reading thread then trade a sixteenth as many wake-ups. Not a pipe, or
/// refused: nothing changes.
fn widen_pipe(stream: &impl std::os::fd::AsRawFd) {
    #[cfg(target_os = "linux")]
    // SAFETY: fcntl on a descriptor this process holds open; F_SETPIPE_SZ changes only the
    // pipe's capacity and fails harmlessly on anything else.
    unsafe {
        libc::fcntl(stream.as_raw_fd(), libc::F_SETPIPE_SZ, 1 << 20);
    }
    #[cfg(not(target_os = "linux"))]
    let _ = stream;
}

/// The absolute path of `tool` on PATH, skipping empty and relative entries (as Go's
/// `exec.LookPath` refuses them).
fn find_executable(tool: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .filter(|dir| dir.is_absolute())
        .flat_map(|dir| {
            let plain = dir.join(tool);
            let exe = dir.join(format!("{tool}.exe"));
            [plain, exe]
        })
        .find(|candidate| is_executable(candidate))
}

fn is_executable(path: &Path) -> bool {
    let Ok(metadata) = std::fs::metadata(path) else {
        return false;
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        metadata.is_file() && metadata.permissions().mode() & 0o111 != 0
    }
    #[cfg(not(unix))]
    {
        metadata.is_file()
    }
}

/// Runs `terraform show -json` (or `tofu`) on a binary plan, in the plan's directory.
fn show_binary_plan(path: &Path) -> Result<Vec<u8>, InputError> {
    let absolute = std::fs::canonicalize(path).map_err(|source| InputError::Io {
        path: path.to_owned(),
        source,
    })?;
    let directory = absolute.parent().unwrap_or(Path::new("."));
    for tool in ["terraform", "tofu"] {
        // Found before changing into the plan's directory: an empty or relative PATH entry would
        // otherwise run a `terraform` committed next to the plan.
        let Some(executable) = find_executable(tool) else {
            continue;
        };
        let output = Command::new(executable)
            .args(["show", "-json", "-no-color"])
            .arg(&absolute)
            .current_dir(directory)
            .stdin(Stdio::null())
            .output();
        match output {
            Err(error) if error.kind() == io::ErrorKind::NotFound => continue,
            Err(error) => {
                return Err(InputError::BinaryPlanShowFailed {
                    tool,
                    path: path.to_owned(),
                    message: error.to_string(),
                })
            }
            Ok(output) if !output.status.success() => {
                return Err(InputError::BinaryPlanShowFailed {
                    tool,
                    path: path.to_owned(),
                    message: first_error_line(&output.stderr),
                })
            }
            Ok(output) => return Ok(output.stdout),
        }
    }
    Err(InputError::BinaryPlanNoTool {
        path: path.to_owned(),
    })
}

/// The line of a tool's stderr that says what went wrong, cleaned for a one-line message.
fn first_error_line(stderr: &[u8]) -> String {
    let text = String::from_utf8_lossy(stderr);
    let clean = |line: &str| {
        line.trim_matches(|c: char| c.is_whitespace() || "│╷╵".contains(c))
            .chars()
            .filter(|c| !c.is_control())
            .take(200)
            .collect::<String>()
    };
    let lines: Vec<String> = text.lines().map(clean).filter(|l| !l.is_empty()).collect();
    lines
        .iter()
        .find(|l| l.starts_with("Error"))
        .or(lines.first())
        .cloned()
        .unwrap_or_else(|| "it exited with an error and said nothing".to_owned())
}

/// What the start of the input says about it, before parsing. `start` begins at the first
/// significant byte and holds at least its line when the input has one.
fn check_start(start: &[u8]) -> Result<(), InputError> {
    let first = start[0];
    match first {
        b'{' => Ok(()),
        b'[' => Err(InputError::NotAnObject { found: "array" }),
        b'"' => Err(InputError::NotAnObject { found: "string" }),
        b'0'..=b'9' | b'-' => Err(InputError::NotAnObject { found: "number" }),
        _ if looks_like_hcl(start) => Err(InputError::Hcl),
        b't' | b'f' | b'n'
            if [&b"true"[..], b"false", b"null"]
                .iter()
                .any(|l| start.starts_with(l)) =>
        {
            Err(InputError::NotAnObject {
                found: "literal (true, false or null)",
            })
        }
        _ if first.is_ascii_graphic() => Err(InputError::NotJson {
            detail: "plain text, such as the human-readable output of `terraform plan`".to_owned(),
            line: 1,
            column: 1,
        }),
        _ => Err(InputError::NotJson {
            detail: format!("unexpected byte 0x{first:02x}"),
            line: 1,
            column: 1,
        }),
    }
}

/// A comment, a top-level block keyword, or `name = value`: a `.tf` or `.tfvars` file.
fn looks_like_hcl(start: &[u8]) -> bool {
    let line = start.split(|&b| b == b'\n').next().unwrap_or(start);
    if line.starts_with(b"#") || line.starts_with(b"//") || line.starts_with(b"/*") {
        return true;
    }
    let word_end = line
        .iter()
        .position(|b| !(b.is_ascii_alphanumeric() || *b == b'_' || *b == b'-'))
        .unwrap_or(line.len());
    let (word, rest) = line.split_at(word_end);
    let rest = rest.trim_ascii_start();
    const BLOCKS: &[&[u8]] = &[
        b"resource",
        b"data",
        b"module",
        b"variable",
        b"output",
        b"locals",
        b"provider",
        b"terraform",
        b"moved",
        b"import",
        b"removed",
        b"check",
    ];
    !word.is_empty()
        && (rest.starts_with(b"=") && !rest.starts_with(b"==")
            || BLOCKS.contains(&word) && (rest.starts_with(b"\"") || rest.starts_with(b"{")))
}

/// Lines the setup-terraform wrapper writes before the JSON.
fn is_wrapper_line(line: &[u8]) -> bool {
    line.starts_with(b"[command]") || line.starts_with(b"::")
}

/// A wrapper line before the JSON is a command line, never JSON: one that holds an object would
/// be a second document that skipping it would hide.
fn check_wrapper_line(line: &[u8]) -> Result<(), InputError> {
    match memchr::memchr(b'{', line) {
        Some(_) => Err(InputError::WrapperLineHoldsJson),
        None => Ok(()),
    }
}

/// Text after the JSON that the wrapper writes: `%0A` escapes and `::set-output`/`::debug::`
/// lines. A line that holds JSON is the wrapper's echo of stdout only when it repeats the
/// document itself (`document`, when the reader kept it); anything else could be a second plan
/// that reading the first would hide.
fn is_wrapper_trailer(trailer: &[u8], document: Option<&[u8]>) -> bool {
    let mut rest = trailer;
    while let Some(stripped) = rest.strip_prefix(b"%0A") {
        rest = stripped;
    }
    rest.split(|&b| b == b'\n').all(|line| {
        let line = line.trim_ascii();
        let wrapper = line.is_empty() || line.starts_with(b"::") || line.starts_with(b"%0A");
        wrapper && (memchr::memchr(b'{', line).is_none() || echoes(line, document))
    })
}

/// Whether a line is `::debug::stdout: …` or `::set-output name=stdout::…` repeating `document` (GitHub's command escapes:
/// `%25`, `%0D`, `%0A`).
fn echoes(line: &[u8], document: Option<&[u8]>) -> bool {
    let content = line
        .strip_prefix(b"::debug::stdout:")
        .or_else(|| line.strip_prefix(b"::set-output name=stdout::"));
    let (Some(content), Some(document)) = (content, document) else {
        return false;
    };
    let mut decoded = Vec::with_capacity(content.len());
    let mut i = 0;
    while i < content.len() {
        match &content[i..] {
            [b'%', b'2', b'5', ..] => (decoded.push(b'%'), i += 3),
            [b'%', b'0', b'D', ..] => (decoded.push(b'\r'), i += 3),
            [b'%', b'0', b'A', ..] => (decoded.push(b'\n'), i += 3),
            [byte, ..] => (decoded.push(*byte), i += 1),
            [] => unreachable!("i < len"),
        };
    }
    decoded.trim_ascii() == document.trim_ascii()
}

const WRAPPER_WARNING: &str = "recovered the plan JSON from setup-terraform wrapper output; set `terraform_wrapper: false` in hashicorp/setup-terraform to get clean JSON";

fn utf16_or_bom(bytes: &[u8]) -> Result<&[u8], InputError> {
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        return Err(InputError::Utf16);
    }
    Ok(bytes.strip_prefix(UTF8_BOM).unwrap_or(bytes))
}

/// Reads a plan held in memory (what a file read does after mapping it): for tests and fuzzing.
pub fn with_bytes<R>(
    input: &[u8],
    options: ReadOptions,
    judge: impl for<'a> FnOnce(Parsed<'a>) -> R,
) -> Result<R, InputError> {
    read_slice(input, options, judge)
}

fn read_slice<R>(
    input: &[u8],
    options: ReadOptions,
    judge: impl for<'a> FnOnce(Parsed<'a>) -> R,
) -> Result<R, InputError> {
    let mut warnings = Vec::new();
    let mut bytes = utf16_or_bom(input)?;
    let mut line_offset = 0;
    // Skip the wrapper's command line(s) before the JSON.
    while is_wrapper_line(bytes.trim_ascii_start()) {
        let start = bytes.len() - bytes.trim_ascii_start().len();
        line_offset += bytes[..start].iter().filter(|&&b| b == b'\n').count();
        let rest = &bytes[start..];
        let end = rest
            .iter()
            .position(|&b| b == b'\n')
            .map_or(rest.len(), |p| p + 1);
        check_wrapper_line(&rest[..end])?;
        bytes = &rest[end..];
        line_offset += 1;
        if warnings.is_empty() {
            warnings.push(WRAPPER_WARNING.to_owned());
        }
    }
    let start = bytes.trim_ascii_start();
    if start.is_empty() {
        return Err(InputError::Empty);
    }
    check_start(start)?;
    let (text, counts) = super::utf8_stream::validate(bytes).map_err(|error| {
        let (line, column) = line_index::position_of(bytes, error.valid_up_to(), 1);
        InputError::InvalidUtf8 {
            line: line + line_offset,
            column,
        }
    })?;

    if let Some(path) = options.plan_path {
        let value = serde_json::from_str::<UniqueKeys>(text)
            .map_err(|e| InputError::from_json(&e, line_offset))?
            .0;
        let mut document = select_plan(value, path)?;
        document.qualify_state_addresses();
        return Ok(judge(Parsed {
            document,
            text: &[],
            counts: BlockCounts::default(),
            line_offset,
            warnings,
        }));
    }

    let (document, end) = std::thread::scope(|scope| {
        let mut scanner = SliceInput::new(text, line_offset);
        // A large plan is read on both cores: a helper reads ahead what the walk needs later
        // (see `plan/ahead.rs`); the walk uses a read only if it arrives exactly where the read
        // started, so the result is the one-thread result.
        if text.len() >= READ_AHEAD_SIZE {
            scanner.read_ahead(scope, options.other_resources);
        }
        let document = scan::document(&mut scanner, options.other_resources);
        scanner.finish_ahead();
        document.map(|document| (document, scanner.position()))
    })?;
    let mut document = document;
    document.qualify_state_addresses();
    let trailer = &bytes[end..];
    if !trailer.trim_ascii().is_empty() {
        if !is_wrapper_trailer(trailer, Some(&bytes[..end])) {
            let (line, column) = line_index::position_of(
                bytes,
                end + (trailer.len() - trailer.trim_ascii_start().len()),
                1,
            );
            return Err(InputError::TrailingData {
                position: format!(" at line {}, column {column}", line + line_offset),
            });
        }
        if warnings.is_empty() {
            warnings.push(WRAPPER_WARNING.to_owned());
        }
    }
    Ok(judge(Parsed {
        document,
        text: bytes,
        counts,
        line_offset,
        warnings,
    }))
}

fn read_stream<R>(
    input: impl Read + Send + 'static,
    options: ReadOptions,
    judge: impl for<'a> FnOnce(Parsed<'a>) -> R,
) -> Result<R, InputError> {
    let io_error = |source| InputError::Io {
        path: PathBuf::from("<stdin>"),
        source,
    };
    // Look at the first bytes raw (a zip or UTF-16 is no UTF-8 stream to validate), and enough of
    // them to hold the first line for check_start.
    let mut input = input;
    let mut head = vec![0u8; 1024];
    let mut got = 0;
    while got < head.len() {
        match input.read(&mut head[got..]).map_err(io_error)? {
            0 => break,
            n => got += n,
        }
    }
    let head = &head[..got];
    if head.starts_with(ZIP_MAGIC) {
        return Err(InputError::BinaryPlanOnStdin);
    }
    let head = utf16_or_bom(head)?.to_vec();
    // Read and checked on another thread; the first fill_buf below returns `head` (or more).
    let mut reader = Prefetched::spawn(io::Cursor::new(head).chain(input));
    let mut warnings = Vec::new();
    let mut line_offset = 0;
    loop {
        let buffer = reader.fill_buf().map_err(stream_error)?;
        let Some(&first) = buffer.first() else {
            return Err(InputError::Empty);
        };
        if first.is_ascii_whitespace() {
            let blank = buffer
                .iter()
                .take_while(|b| b.is_ascii_whitespace())
                .count();
            line_offset += buffer[..blank].iter().filter(|&&b| b == b'\n').count();
            reader.consume(blank);
            continue;
        }
        if first == b'[' || first == b':' {
            // Possibly a wrapper line; a real JSON array fails check_start below.
            let line_start = buffer.len().min(9);
            if is_wrapper_line(&buffer[..line_start]) || buffer.starts_with(b"::") {
                let mut line = Vec::new();
                reader.read_until(b'\n', &mut line).map_err(stream_error)?;
                check_wrapper_line(&line)?;
                line_offset += 1;
                if warnings.is_empty() {
                    warnings.push(WRAPPER_WARNING.to_owned());
                }
                continue;
            }
        }
        check_start(buffer)?;
        break;
    }

    if let Some(path) = options.plan_path {
        let value = serde_json::from_reader::<_, UniqueKeys>(&mut reader)
            .map_err(|e| json_stream_error(e, line_offset))?
            .0;
        let mut document = select_plan(value, path)?;
        document.qualify_state_addresses();
        return Ok(judge(Parsed {
            document,
            text: &[],
            counts: BlockCounts::default(),
            line_offset,
            warnings,
        }));
    }

    let mut scanner = StreamInput::new(&mut reader, line_offset);
    let mut document = scan::document(&mut scanner, options.other_resources)?;
    document.qualify_state_addresses();
    let mut trailer = Vec::new();
    (&mut reader)
        .take(TRAILING_LIMIT)
        .read_to_end(&mut trailer)
        .map_err(io_error)?;
    // Past the inspected part the stream must hold only whitespace to its end: a second
    // document after a megabyte of blanks is trailing data, as it is in a file.
    if trailer.len() as u64 == TRAILING_LIMIT && !blank_to_end(&mut reader)? {
        return Err(InputError::TrailingData {
            position: String::new(),
        });
    }
    if !trailer.trim_ascii().is_empty() {
        if !is_wrapper_trailer(&trailer, None) {
            return Err(InputError::TrailingData {
                position: String::new(),
            });
        }
        if warnings.is_empty() {
            warnings.push(WRAPPER_WARNING.to_owned());
        }
    }
    Ok(judge(Parsed {
        document,
        text: &[],
        counts: BlockCounts::default(),
        line_offset,
        warnings,
    }))
}

/// Whether the rest of a stream is JSON whitespace (or nothing), read to its end in pieces.
fn blank_to_end(reader: &mut impl BufRead) -> Result<bool, InputError> {
    loop {
        let buffer = reader.fill_buf().map_err(stream_error)?;
        if buffer.is_empty() {
            return Ok(true);
        }
        if !buffer.iter().all(|&b| scan::is_blank(b)) {
            return Ok(false);
        }
        let n = buffer.len();
        reader.consume(n);
    }
}

fn json_stream_error(error: serde_json::Error, line_offset: usize) -> InputError {
    if error.is_io() {
        // The conversion hands back the reader's own error, with our UTF-8 position inside.
        return stream_error(io::Error::from(error));
    }
    InputError::from_json(&error, line_offset)
}

/// Selects the plan inside an envelope document with a JSONPath (`--plan-path`).
fn select_plan(value: serde_json::Value, path: &str) -> Result<Document<'static>, InputError> {
    use jsonpath_rust::JsonPath;
    let problem = |problem: String| InputError::PlanPath {
        path: path.to_owned(),
        problem,
    };
    let selected = value
        .query(path)
        .map_err(|e| problem(format!("not a valid JSONPath ({e})")))?;
    match selected.as_slice() {
        [one] if one.is_object() => Document::deserialize((*one).clone())
            .map_err(|e| problem(format!("the selected object is not a plan ({e})"))),
        [_] => Err(problem("selects a value that is not an object".to_owned())),
        [] => Err(problem("selects nothing in this document".to_owned())),
        many => Err(problem(format!(
            "selects {} values; make it select exactly one plan",
            many.len()
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapper_trailer() {
        assert!(is_wrapper_trailer(
            b"%0A\n::set-output name=exitcode::0\n",
            None
        ));
        assert!(is_wrapper_trailer(b"\n::debug::done\n", None));
        assert!(!is_wrapper_trailer(b"\n{\"second\": 1}", None));
        // A second document behind a wrapper-looking prefix hides a plan.
        assert!(!is_wrapper_trailer(
            b"\n::x {\"resource_changes\": []}\n",
            None
        ));
        // The wrapper's echo of the document itself is fine.
        let document = b"{\"a\": \"100%\"}\n";
        assert!(is_wrapper_trailer(
            b"\n::debug::stdout: {\"a\": \"100%25\"}%0A\n",
            Some(document)
        ));
        assert!(!is_wrapper_trailer(
            b"\n::debug::stdout: {\"a\": \"0%25\"}%0A\n",
            Some(document)
        ));
    }
}
