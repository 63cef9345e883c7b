//! A very large kept entry on stdin is parsed while it streams in: peak RSS stays bounded (the
//! README's promise: under 16 MB plus what is kept), and stdin judges it as a file does. Kept
//! cheap for CI (a 96 MB entry); `scripts/bench.sh` and the README measure the 400 MB one.
//! Alone in its file: the peak RSS read here is the largest of this test binary's children.

mod common;

use std::io::Write;
use std::process::Command;

/// Writes a plan whose one Lambda function (Active) carries a `size`-byte attribute full of
/// escapes and brackets inside strings, beside a small bucket, and a second, PassThrough function
/// after it. Written in pieces: this process never holds it (a child's peak RSS starts from its
/// parent's high-water mark, until it execs).
fn write_plan(out: &mut impl Write, size: usize) -> std::io::Result<()> {
    out.write_all(br#"{"format_version":"1.2","terraform_version":"1.11.4","planned_values":{"root_module":{}},"resource_changes":["#)?;
    out.write_all(br#"{"address":"aws_s3_bucket.a","mode":"managed","type":"aws_s3_bucket","name":"a","change":{"actions":["create"],"before":null,"after":{},"after_unknown":{}}},"#)?;
    out.write_all(br#"{"address":"aws_lambda_function.big","mode":"managed","type":"aws_lambda_function","name":"big","change":{"actions":["create"],"before":null,"after":{"code":""#)?;
    let piece = br#"ABCDabcd0123+/\"x\\y]}{[ \u00e9"#.repeat(1 << 12);
    let mut written = 0;
    while written < size {
        out.write_all(&piece)?;
        written += piece.len();
    }
    out.write_all(br#"","tracing_config":[{"mode":"Active"}],"nested":[{"k":[1,{"z":"}]"}]}]},"after_unknown":{"arn":true}}},"#)?;
    out.write_all(br#"{"address":"aws_lambda_function.small","mode":"managed","type":"aws_lambda_function","name":"small","change":{"actions":["create"],"before":null,"after":{"tracing_config":[{"mode":"PassThrough"}]},"after_unknown":{}}}"#)?;
    out.write_all(b"],\"configuration\":{\"root_module\":{}}}\n")
}

fn plan(size: usize) -> Vec<u8> {
    let mut out = Vec::new();
    write_plan(&mut out, size).unwrap();
    out
}

/// Peak RSS of the largest child this process waited for, in KB.
fn children_peak_rss_kb() -> i64 {
    // SAFETY: getrusage writes one rusage into the zeroed struct it is given.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: RUSAGE_CHILDREN and a valid pointer to a rusage, as getrusage(2) asks.
    let status = unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage) };
    assert_eq!(status, 0);
    usage.ru_maxrss
}

fn verdicts(stdout: &[u8]) -> Vec<(String, String)> {
    let report: serde_json::Value = serde_json::from_slice(stdout).expect("a JSON report");
    let mut found: Vec<(String, String)> = common::verdicts_of(&report).into_iter().collect();
    found.sort();
    found
}

#[test]
fn a_large_kept_entry_streams_in_bounded_memory() {
    let dir = common::scratch("stdin_stream");
    let file = dir.join("plan.json");
    let mut out = std::io::BufWriter::new(std::fs::File::create(&file).unwrap());
    write_plan(&mut out, 96 << 20).unwrap();
    out.into_inner().unwrap().sync_all().unwrap();

    // The file on stdin: `-` streams it as it would a pipe.
    let streamed = Command::new(env!("CARGO_BIN_EXE_tracegate"))
        .args(["check", "-", "--format", "json"])
        .stdin(std::fs::File::open(&file).unwrap())
        .output()
        .unwrap();
    let peak = children_peak_rss_kb();
    assert_eq!(
        streamed.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&streamed.stderr)
    );
    assert!(
        peak < 32 * 1024,
        "peak RSS {peak} KB for a 96 MB entry on stdin"
    );

    let from_file = Command::new(env!("CARGO_BIN_EXE_tracegate"))
        .args(["check", file.to_str().unwrap(), "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(from_file.status.code(), Some(1));
    let expected = vec![
        ("aws_lambda_function.big".to_owned(), "pass".to_owned()),
        ("aws_lambda_function.small".to_owned(), "fail".to_owned()),
    ];
    assert_eq!(verdicts(&streamed.stdout), expected);
    assert_eq!(verdicts(&from_file.stdout), expected);
}

#[test]
fn a_large_entry_with_broken_structure_fails_as_from_a_file() {
    // Broken structure inside the large judged entry (a member not followed by a comma): the
    // stream's skipper (a quote where no string can start) and the file's walk (no `,` before
    // the next member) refuse it at the same place. (Both tests may share this process's
    // children; this one's child is small.)
    let mut text = plan(3 << 20);
    let at = text.windows(7).position(|w| w == b"\"nested").unwrap();
    text[at - 1] = b' ';
    let dir = common::scratch("stdin_stream_broken");
    let file = dir.join("plan.json");
    std::fs::write(&file, &text).unwrap();
    let streamed = common::run_with(common::command(&["check", "-"]), Some(&text));
    let from_file = common::run(&["check", file.to_str().unwrap()]);
    assert_eq!(streamed.code, 2, "{}", streamed.stderr);
    assert_eq!(from_file.code, 2);
    let message = |stderr: &str| {
        stderr
            .lines()
            .find(|l| l.contains("line"))
            .map(|l| l[l.find("line").unwrap()..].to_owned())
    };
    assert_eq!(message(&streamed.stderr), message(&from_file.stderr));
    assert!(message(&streamed.stderr).is_some(), "{}", streamed.stderr);
}
