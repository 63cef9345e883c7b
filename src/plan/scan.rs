//! The fast path: a scanner that walks the top-level plan object and `resource_changes` without
//! building values, skips what tracegate does not read at memchr speed, and hands only the parts
//! it reads to serde (`variables`, `configuration`, `values`, and the `resource_changes` entries
//! that can be Lambda functions). Works on a memory-mapped slice (zero copy: borrowed strings keep
//! their offsets) and on a stream (bounded memory: one entry at a time).
//!
//! Skipped values are checked for structure (strings, balanced nesting, no stray bytes at the top)
//! but not for full JSON grammar: they cannot change a verdict.

use super::ahead::Ahead;
use super::entry::{Entry, Reads};
use super::error::InputError;
use super::model::{
    Configuration, DeferredChange, Document, JudgedChanges, OtherChange, PlanVariable,
    ResourceChange, StateModule, StateResource, StateValues, KNOWN_SKIPPED_KEYS, READ_KEYS,
};
use super::skip::{Fed, Skipper};
use super::utf8_stream::stream_error;
use crate::rule;
use crate::support::line_index::{self, Cursor};
use memchr::memmem;
use serde::Deserialize;
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::io::BufRead;

/// Where the scanner reads from.
pub trait Input<'a> {
    /// The next byte after whitespace, without consuming it; `None` at the end.
    fn peek(&mut self) -> Result<Option<u8>, InputError>;
    fn bump(&mut self);
    /// Consumes one value; returns its text when `keep` (borrowed from a slice, owned from a stream).
    fn value(&mut self, keep: bool) -> Result<Option<Cow<'a, str>>, InputError>;
    /// Invalid JSON at the current position.
    fn error(&self, detail: &str) -> InputError;
    /// The input ended inside the document.
    fn truncated(&self) -> InputError;
    /// The position where the current text started, for serde errors: (line, column) of its start.
    fn origin(&self) -> (usize, usize);
    /// `resource_changes` read ahead on another core, when it was read from exactly where this
    /// input now is (the value's first byte); `None` otherwise, and the caller reads it here.
    fn changes_read_ahead(&mut self) -> Option<Result<Changes<'a>, InputError>> {
        None
    }
    /// Consumes one array entry: `T` when `reads` keeps it, and with `summary` every entry's
    /// summary (only resource changes have one).
    fn entry<T>(
        &mut self,
        reads: Reads,
        summary: bool,
    ) -> Result<(Option<T>, Option<OtherChange<'a>>), InputError>
    where
        T: Entry<'a>,
        Self: Sized,
    {
        let text = self.value(true)?.expect("kept");
        judge_text(self, text, reads, summary)
    }
}

/// [`Input::entry`] on an entry's whole text: an object is walked (its summary with it, as from
/// a mapped file); anything else goes to serde, the summary's error first.
fn judge_text<'a, T: Entry<'a>>(
    input: &impl Input<'a>,
    text: Cow<'a, str>,
    reads: Reads,
    summary: bool,
) -> Result<(Option<T>, Option<OtherChange<'a>>), InputError> {
    if summary && !text.trim_start().starts_with('{') {
        let other = parse(input, text.clone())?;
        return Ok((T::read(input, text, reads)?, Some(other)));
    }
    let mut other = None;
    let entry = T::read_summarized(input, text, reads, summary.then_some(&mut other))?;
    Ok((entry, other))
}

/// What `resource_changes` holds for the judge: the judged entries, every entry's summary (when
/// asked) and the entries rules read (IAM).
pub type Changes<'a> = (
    JudgedChanges<'a>,
    Vec<OtherChange<'a>>,
    Vec<ResourceChange<'a>>,
);

/// How much of the text a stoppable search reads between two questions to `stop`.
const SEARCH_PIECE: usize = 1 << 20;

/// The first `needle` in `bytes`, searched in pieces; `None` once `stop` says so.
fn find_forward(bytes: &[u8], needle: &[u8], stop: &dyn Fn() -> bool) -> Option<usize> {
    let finder = memmem::Finder::new(needle);
    let mut start = 0;
    while start < bytes.len() {
        if stop() {
            return None;
        }
        // Pieces overlap by the needle's length, so a match across two is seen whole.
        let end = (start + SEARCH_PIECE + needle.len()).min(bytes.len());
        if let Some(found) = finder.find(&bytes[start..end]) {
            return Some(start + found);
        }
        start += SEARCH_PIECE;
    }
    None
}

/// The last `needle` in `bytes`, searched in pieces from the end with the forward (SIMD) search
/// (memchr's reverse substring search has no SIMD prefilter); `None` once `stop` says so.
fn rfind_forward(bytes: &[u8], needle: &[u8], stop: &dyn Fn() -> bool) -> Option<usize> {
    const PIECE: usize = SEARCH_PIECE;
    let finder = memmem::Finder::new(needle);
    let mut end = bytes.len();
    while end > 0 {
        if stop() {
            return None;
        }
        // Pieces overlap by the needle's length, so a match across two is seen whole.
        let start = end.saturating_sub(PIECE);
        let stop = (end + needle.len()).min(bytes.len());
        if let Some(last) = finder.find_iter(&bytes[start..stop]).last() {
            return Some(start + last);
        }
        end = start;
    }
    None
}

/// JSON's whitespace between tokens: space, tab, line feed, carriage return (not the form feed
/// that `u8::is_ascii_whitespace` also takes, which serde refuses).
pub(super) fn is_blank(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\n' | b'\r')
}

/// A memory-mapped (or in-memory) text.
pub struct SliceInput<'a> {
    text: &'a str,
    pos: usize,
    start: usize,
    line_offset: usize,
    /// The helper thread reading ahead, for a large plan's walk.
    ahead: Option<std::sync::Arc<Ahead<'a>>>,
}

impl<'a> SliceInput<'a> {
    pub fn new(text: &'a str, line_offset: usize) -> Self {
        SliceInput {
            text,
            pos: 0,
            start: 0,
            line_offset,
            ahead: None,
        }
    }

    /// Where the value of a top-level `key` probably starts: after `"key"` and a colon, the first
    /// (or with `last`, the last) such place in the text. Only a guess: a read from there is used
    /// only if the document's own walk arrives exactly there. `None` too once `stop` says so
    /// (asked between pieces of the search: the walk may be over before it ends).
    pub(super) fn guess(
        text: &str,
        key: &str,
        last: bool,
        stop: &dyn Fn() -> bool,
    ) -> Option<usize> {
        let bytes = text.as_bytes();
        let needle = format!("\"{key}\"");
        let found = if last {
            rfind_forward(bytes, needle.as_bytes(), stop)
        } else {
            find_forward(bytes, needle.as_bytes(), stop)
        }?;
        let mut at = found + needle.len();
        let blank = |at: &mut usize| {
            while bytes.get(*at).is_some_and(u8::is_ascii_whitespace) {
                *at += 1;
            }
        };
        blank(&mut at);
        if bytes.get(at) != Some(&b':') {
            return None;
        }
        at += 1;
        blank(&mut at);
        Some(at)
    }

    /// Reads ahead on `scope`'s thread what this walk will need later (see [`Ahead`]).
    pub fn read_ahead<'s>(&mut self, scope: &'s std::thread::Scope<'s, '_>, other_resources: bool)
    where
        'a: 's,
    {
        self.ahead = Some(Ahead::start(
            scope,
            self.text,
            self.line_offset,
            other_resources,
        ));
    }

    /// The walk is over: the helper reading ahead stops.
    pub fn finish_ahead(&self) {
        if let Some(ahead) = &self.ahead {
            ahead.finish();
        }
    }

    pub fn position(&self) -> usize {
        self.pos
    }

    /// Continues reading at `pos` (a place this input has been).
    pub(super) fn seek(&mut self, pos: usize) {
        self.pos = pos;
    }

    /// Passes the next value; returns where it starts.
    pub(super) fn skip_value(&mut self) -> Result<usize, InputError> {
        self.value(false)?;
        Ok(self.start)
    }

    /// The next value's text (see [`Input::value`]), borrowed.
    pub(super) fn piece(&mut self) -> Result<&'a str, InputError> {
        self.value(false)?;
        Ok(&self.text[self.start..self.pos])
    }

    fn line_column(&self, offset: usize) -> (usize, usize) {
        line_index::position_of(self.text.as_bytes(), offset, self.line_offset + 1)
    }
}

impl<'a> Input<'a> for SliceInput<'a> {
    fn peek(&mut self) -> Result<Option<u8>, InputError> {
        let bytes = self.text.as_bytes();
        while self.pos < bytes.len() && is_blank(bytes[self.pos]) {
            self.pos += 1;
        }
        Ok(bytes.get(self.pos).copied())
    }

    fn bump(&mut self) {
        self.pos += 1;
    }

    fn value(&mut self, keep: bool) -> Result<Option<Cow<'a, str>>, InputError> {
        self.peek()?;
        let start = self.pos;
        let bytes = self.text.as_bytes();
        // Most values the walk passes one by one are short strings without escapes (keys,
        // addresses, names): their end is the next quote, found without the skipper's setup.
        if bytes.get(start) == Some(&b'"') {
            if let Some(i) = memchr::memchr2(b'"', b'\\', &bytes[start + 1..]) {
                if bytes[start + 1 + i] == b'"' {
                    let n = i + 2;
                    self.pos = start + n;
                    self.start = start;
                    return Ok(keep.then(|| Cow::Borrowed(&self.text[start..start + n])));
                }
            }
        }
        let mut end = Skipper::new();
        match end.feed(&self.text.as_bytes()[start..]) {
            Fed::Done(n) => {
                self.pos = start + n;
                self.start = start;
                Ok(keep.then(|| Cow::Borrowed(&self.text[start..start + n])))
            }
            Fed::More => {
                self.pos = self.text.len();
                Err(self.truncated())
            }
            Fed::Unexpected(i) => {
                self.pos = start + i;
                Err(self.error("unexpected character"))
            }
            Fed::TooDeep(i) => {
                self.pos = start + i;
                Err(InputError::TooDeep)
            }
        }
    }

    fn error(&self, detail: &str) -> InputError {
        let (line, column) = self.line_column(self.pos);
        InputError::InvalidJson {
            detail: detail.to_owned(),
            line,
            column,
        }
    }

    fn truncated(&self) -> InputError {
        let (line, column) = self.line_column(self.pos);
        InputError::Truncated { line, column }
    }

    fn origin(&self) -> (usize, usize) {
        self.line_column(self.start)
    }

    /// An object entry is walked where it lies, once: no copy of its text, no second pass.
    fn entry<T>(
        &mut self,
        reads: Reads,
        summary: bool,
    ) -> Result<(Option<T>, Option<OtherChange<'a>>), InputError>
    where
        T: Entry<'a>,
    {
        if self.peek()? != Some(b'{') {
            let text = self.value(true)?.expect("kept");
            return judge_text(self, text, reads, summary);
        }
        let mut other = None;
        let entry = T::walk(
            self,
            &|piece| Cow::Borrowed(piece),
            reads,
            summary.then_some(&mut other),
        )?;
        Ok((entry, other))
    }

    fn changes_read_ahead(&mut self) -> Option<Result<Changes<'a>, InputError>> {
        let _ = self.peek();
        let (read, end) = self.ahead.as_ref()?.changes(self.pos)?;
        self.pos = end;
        Some(read)
    }
}

/// A stream: stdin or a pipe, read through a buffer, one value at a time.
pub struct StreamInput<R> {
    reader: R,
    cursor: Cursor,
    start: (usize, usize),
}

impl<R: BufRead> StreamInput<R> {
    pub fn new(reader: R, line_offset: usize) -> Self {
        StreamInput {
            reader,
            cursor: Cursor::at_line(line_offset + 1),
            start: (line_offset + 1, 1),
        }
    }

    pub fn into_inner(self) -> R {
        self.reader
    }

    fn consume(&mut self, n: usize) -> Result<(), InputError> {
        let buffer = self.reader.fill_buf().map_err(stream_error)?;
        self.cursor.advance(&buffer[..n]);
        self.reader.consume(n);
        Ok(())
    }
}

impl<'a, R: BufRead> Input<'a> for StreamInput<R> {
    fn peek(&mut self) -> Result<Option<u8>, InputError> {
        loop {
            let buffer = self.reader.fill_buf().map_err(stream_error)?;
            if buffer.is_empty() {
                return Ok(None);
            }
            let blank = buffer.iter().take_while(|&&b| is_blank(b)).count();
            if blank < buffer.len() {
                let next = buffer[blank];
                self.consume(blank)?;
                return Ok(Some(next));
            }
            self.consume(blank)?;
        }
    }

    fn bump(&mut self) {
        // peek() filled the buffer with at least this byte.
        let _ = self.consume(1);
    }

    fn value(&mut self, keep: bool) -> Result<Option<Cow<'a, str>>, InputError> {
        self.peek()?;
        self.start = self.cursor.position();
        let mut end = Skipper::new();
        let mut kept = Vec::new();
        loop {
            let buffer = self.reader.fill_buf().map_err(stream_error)?;
            if buffer.is_empty() {
                return Err(self.truncated());
            }
            let (n, done) = match end.feed(buffer) {
                Fed::Done(n) => (n, true),
                Fed::More => (buffer.len(), false),
                Fed::Unexpected(i) => {
                    self.consume(i)?;
                    return Err(self.error("unexpected character"));
                }
                Fed::TooDeep(_) => return Err(InputError::TooDeep),
            };
            if keep {
                kept.extend_from_slice(&buffer[..n]);
            }
            self.consume(n)?;
            if done {
                break;
            }
        }
        if !keep {
            return Ok(None);
        }
        // The stream was validated as UTF-8 on the way in.
        String::from_utf8(kept)
            .map(|s| Some(Cow::Owned(s)))
            .map_err(|_| self.error("invalid UTF-8"))
    }

    fn error(&self, detail: &str) -> InputError {
        let (line, column) = self.cursor.position();
        InputError::InvalidJson {
            detail: detail.to_owned(),
            line,
            column,
        }
    }

    fn truncated(&self) -> InputError {
        let (line, column) = self.cursor.position();
        InputError::Truncated { line, column }
    }

    fn origin(&self) -> (usize, usize) {
        self.start
    }

    fn entry<T>(
        &mut self,
        reads: Reads,
        summary: bool,
    ) -> Result<(Option<T>, Option<OtherChange<'a>>), InputError>
    where
        T: Entry<'a>,
    {
        self.peek()?;
        self.start = self.cursor.position();
        let mut end = Skipper::new();
        let mut kept = Vec::new();
        loop {
            let buffer = self.reader.fill_buf().map_err(stream_error)?;
            if buffer.is_empty() {
                return Err(self.truncated());
            }
            let (n, done) = match end.feed(buffer) {
                Fed::Done(n) => (n, true),
                Fed::More => (buffer.len(), false),
                Fed::Unexpected(i) => {
                    self.consume(i)?;
                    return Err(self.error("unexpected character"));
                }
                Fed::TooDeep(_) => return Err(InputError::TooDeep),
            };
            kept.extend_from_slice(&buffer[..n]);
            self.consume(n)?;
            if done {
                break;
            }
            if kept.len() >= STREAMED_ENTRY {
                let prefilter = Prefilter::new(reads);
                return self.stream_entry(kept, end, &|text| prefilter.admits(text), summary);
            }
        }
        // The stream was validated as UTF-8 on the way in.
        let text = String::from_utf8(kept).map_err(|_| self.error("invalid UTF-8"))?;
        judge_text(self, Cow::Owned(text), reads, summary)
    }
}

/// An entry larger than this is parsed while it streams in, never held whole.
const STREAMED_ENTRY: usize = 1 << 20;

/// Bytes of the last piece kept to search with the next, so that a prefilter needle split across
/// pieces is found: enough for any needle up to 250 bytes (type names are a few dozen).
const WINDOW_OVERLAP: usize = 256;

impl<R: BufRead> StreamInput<R> {
    /// [`Input::entry`] for an entry too large to hold: its pieces go, as they are read, to serde
    /// on one thread per parsed type (bounded channels: a few pieces in flight), and through the
    /// prefilter in overlapping windows. The result is the whole-text one: the same bytes reach
    /// serde, the prefilter sees every substring a needle can be, and errors are reported in the
    /// same order.
    fn stream_entry<'a, T>(
        &mut self,
        first: Vec<u8>,
        mut end: Skipper,
        admits: &(dyn Fn(&str) -> bool + Sync),
        summary: bool,
    ) -> Result<(Option<T>, Option<OtherChange<'a>>), InputError>
    where
        T: Entry<'a>,
    {
        std::thread::scope(|scope| {
            fn parser<'s, 'a, V: Deserialize<'a> + Send + 's>(
                scope: &'s std::thread::Scope<'s, '_>,
            ) -> (
                std::sync::mpsc::SyncSender<Vec<u8>>,
                std::thread::ScopedJoinHandle<'s, Result<V, serde_json::Error>>,
            ) {
                let (send, receive) = std::sync::mpsc::sync_channel::<Vec<u8>>(4);
                let handle = scope.spawn(move || {
                    let pieces = Pieces {
                        receive,
                        piece: Vec::new(),
                        at: 0,
                    };
                    let reader = std::io::BufReader::with_capacity(1 << 16, pieces);
                    let mut de = serde_json::Deserializer::from_reader(reader);
                    V::deserialize(&mut de)
                });
                (send, handle)
            }
            let (send_t, parse_t) = parser::<T>(scope);
            let mut other = summary.then(|| parser::<OtherChange<'a>>(scope));
            let mut window = Vec::new();
            let mut admitted = false;
            let mut piece = first;
            let mut done = false;
            let read = loop {
                if !admitted {
                    admitted = window_admits(&mut window, &piece, admits);
                }
                if let Some((send, _)) = &other {
                    // A send fails only when the parser stopped early (at an error).
                    let _ = send.send(piece.clone());
                }
                let _ = send_t.send(piece);
                if done {
                    break Ok(());
                }
                let buffer = match self.reader.fill_buf() {
                    Ok(buffer) => buffer,
                    Err(error) => break Err(stream_error(error)),
                };
                if buffer.is_empty() {
                    break Err(self.truncated());
                }
                let n = match end.feed(buffer) {
                    Fed::Done(n) => {
                        done = true;
                        n
                    }
                    Fed::More => buffer.len(),
                    Fed::Unexpected(i) => {
                        break match self.consume(i) {
                            Ok(()) => Err(self.error("unexpected character")),
                            Err(error) => Err(error),
                        };
                    }
                    Fed::TooDeep(_) => break Err(InputError::TooDeep),
                };
                piece = buffer[..n].to_vec();
                if let Err(error) = self.consume(n) {
                    break Err(error);
                }
            };
            drop(send_t);
            fn join<V>(handle: std::thread::ScopedJoinHandle<'_, V>) -> V {
                handle
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            }
            let other = other.take().map(|(send, handle)| {
                drop(send);
                join(handle)
            });
            let judged = join(parse_t);
            read?;
            let other = match other {
                Some(parsed) => Some(parsed.map_err(|error| serde_error(&*self, error))?),
                None => None,
            };
            if !admitted {
                return Ok((None, other));
            }
            let judged = judged.map_err(|error| serde_error(&*self, error))?;
            Ok((Some(judged), other))
        })
    }
}

/// Whether `admits` the text of the window that ends with `piece` (the last bytes before it, cut
/// at a character, and `piece`); keeps the window's end for the next.
fn window_admits(
    window: &mut Vec<u8>,
    piece: &[u8],
    admits: &(dyn Fn(&str) -> bool + Sync),
) -> bool {
    window.extend_from_slice(piece);
    // Pieces are whole characters (the UTF-8 reader hands out no split ones); a window that is
    // not UTF-8 anyway is admitted, and serde decides.
    let hit = std::str::from_utf8(window).map_or(true, admits);
    let mut cut = window.len().saturating_sub(WINDOW_OVERLAP);
    while cut < window.len() && window[cut] & 0xC0 == 0x80 {
        cut += 1;
    }
    window.drain(..cut);
    hit
}

/// The pieces of one entry, as a reader: ends when the sender is dropped.
struct Pieces {
    receive: std::sync::mpsc::Receiver<Vec<u8>>,
    piece: Vec<u8>,
    at: usize,
}

impl std::io::Read for Pieces {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.at == self.piece.len() {
            match self.receive.recv() {
                Ok(piece) => (self.piece, self.at) = (piece, 0),
                Err(_) => return Ok(0),
            }
        }
        let n = buf.len().min(self.piece.len() - self.at);
        buf[..n].copy_from_slice(&self.piece[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

/// Parses a value's text with serde: borrowed when the text is, owned otherwise.
fn parse<'a, T: Deserialize<'a>>(
    input: &impl Input<'a>,
    text: Cow<'a, str>,
) -> Result<T, InputError> {
    parse_at(|| input.origin(), text)
}

/// [`parse`] of a text that starts at `origin()` (line, column) of the input. The origin is asked
/// for only on an error: finding a line in a large slice costs a pass over it.
pub(super) fn parse_at<'a, T: Deserialize<'a>>(
    origin: impl FnOnce() -> (usize, usize),
    text: Cow<'a, str>,
) -> Result<T, InputError> {
    let result = match text {
        Cow::Borrowed(s) => serde_json::from_str(s),
        Cow::Owned(s) => {
            let mut de = serde_json::Deserializer::from_reader(s.as_bytes());
            T::deserialize(&mut de)
        }
    };
    result.map_err(|error| serde_error_at(origin(), error))
}

/// A serde error inside the current value, at its position in the whole input.
fn serde_error<'a>(input: &impl Input<'a>, error: serde_json::Error) -> InputError {
    serde_error_at(input.origin(), error)
}

/// A serde error inside a text that starts at `origin`, at its position in the whole input.
fn serde_error_at(origin: (usize, usize), error: serde_json::Error) -> InputError {
    InputError::from_json(&error, 0).relocated(origin)
}

fn expect<'a>(input: &mut impl Input<'a>, byte: u8) -> Result<(), InputError> {
    match input.peek()? {
        Some(b) if b == byte => {
            input.bump();
            Ok(())
        }
        Some(_) => Err(input.error(&format!("expected `{}`", byte as char))),
        None => Err(input.truncated()),
    }
}

/// Whether an entry can be one the reader keeps: its text names a judged type (or a type rules
/// read), or holds escapes that could spell one. Everything it admits is decided by serde.
struct Prefilter {
    finders: &'static [memmem::Finder<'static>],
}

impl Prefilter {
    /// The judged type names share a suffix (`_lambda_function`): one search for it, and one for
    /// `\\u`, instead of one per name; the read types likewise by their common prefix. Built once
    /// per run.
    fn new(reads: Reads) -> Self {
        static FINDERS: [std::sync::OnceLock<Vec<memmem::Finder<'static>>>; 3] =
            [const { std::sync::OnceLock::new() }; 3];
        let finders = FINDERS[reads as usize].get_or_init(|| {
            let names: Vec<&str> = rule::ALL
                .iter()
                .flat_map(|r| r.targets.iter().map(|t| t.resource_type))
                .collect();
            let suffix = common_suffix(&names);
            let mut needles: Vec<&str> = if suffix.len() >= 8 {
                vec![suffix]
            } else {
                names
            };
            let read: Vec<&str> = rule::ALL
                .iter()
                .flat_map(|r| match reads {
                    Reads::Changes => r.also_reads,
                    Reads::State => r.also_reads_in_state,
                    Reads::Nothing => &[],
                })
                .copied()
                .collect();
            let prefix = common_prefix(&read);
            if read.len() > 1 && prefix.len() >= 8 {
                needles.push(prefix);
            } else {
                needles.extend(read);
            }
            needles.push("\\u");
            needles
                .into_iter()
                .map(|n| memmem::Finder::new(n.as_bytes()).into_owned())
                .collect()
        });
        Prefilter { finders }
    }

    fn admits(&self, text: &str) -> bool {
        let bytes = text.as_bytes();
        self.finders.iter().any(|f| f.find(bytes).is_some())
    }
}

/// The longest prefix all names share.
fn common_prefix<'n>(names: &[&'n str]) -> &'n str {
    let Some(first) = names.first() else {
        return "";
    };
    let length = names[1..].iter().fold(first.len(), |length, name| {
        first
            .bytes()
            .zip(name.bytes())
            .take(length)
            .take_while(|(a, b)| a == b)
            .count()
    });
    &first[..length]
}

/// The longest suffix all names share.
fn common_suffix<'n>(names: &[&'n str]) -> &'n str {
    let Some(first) = names.first() else {
        return "";
    };
    let mut length = first.len();
    for name in &names[1..] {
        length = first
            .bytes()
            .rev()
            .zip(name.bytes().rev())
            .take(length)
            .take_while(|(a, b)| a == b)
            .count();
    }
    &first[first.len() - length..]
}

/// Module levels in a state are bounded like the source layer's: no real configuration nests deeper.
const MAX_STATE_DEPTH: usize = 64;

/// Reads one object member by member: `member` gets each key and must consume its value. Keys in
/// `unique` may appear once (a second one could hide the first). A `null` reads as no members.
#[inline(always)]
pub(super) fn object<'a, I: Input<'a>>(
    input: &mut I,
    what: &str,
    unique: &[&str],
    mut member: impl FnMut(&mut I, &str) -> Result<(), InputError>,
) -> Result<(), InputError> {
    match input.peek()? {
        Some(b'{') => input.bump(),
        Some(b'n') => return null(input, what),
        Some(_) => return Err(input.error(&format!("{what} is not an object"))),
        None => return Err(input.truncated()),
    }
    if input.peek()? == Some(b'}') {
        input.bump();
        return Ok(());
    }
    // Which of `unique` came already, a bit each (no allocation per entry).
    debug_assert!(unique.len() <= 64);
    let mut seen = 0u64;
    loop {
        if input.peek()? != Some(b'"') {
            return Err(match input.peek()? {
                None => input.truncated(),
                Some(_) => input.error("expected a key"),
            });
        }
        let key_text = input.value(true)?.expect("kept");
        // A key without escapes or control characters is its own text; anything else goes
        // through serde, as on a stream, so both paths accept the same keys.
        let key: Cow<'a, str> = match key_text {
            Cow::Borrowed(raw) if unescaped(raw).is_some() => Cow::Borrowed(&raw[1..raw.len() - 1]),
            other => Cow::Owned(parse::<String>(input, other)?),
        };
        expect(input, b':')?;
        if let Some(i) = unique.iter().position(|&k| k == key.as_ref()) {
            if seen & (1 << i) != 0 {
                return Err(input.error(&format!("duplicate key {:?}", key.as_ref())));
            }
            seen |= 1 << i;
        }
        member(input, &key)?;
        match input.peek()? {
            Some(b',') => input.bump(),
            Some(b'}') => {
                input.bump();
                return Ok(());
            }
            Some(_) => return Err(input.error("expected `,` or `}`")),
            None => return Err(input.truncated()),
        }
    }
}

/// The text of a JSON string `piece` (a value the skipper ended at its closing quote) when it
/// holds no escape and no control character: what serde reads it as, without serde.
#[inline(always)]
pub(super) fn unescaped(piece: &str) -> Option<&str> {
    match piece.as_bytes() {
        [b'"', inner @ .., b'"'] if !inner.iter().any(|&b| b == b'\\' || b < 0x20) => {
            Some(&piece[1..piece.len() - 1])
        }
        _ => None,
    }
}

/// After an array element: `true` when another follows (its `,` consumed), `false` after the
/// array's `]`.
fn after_element<'a>(input: &mut impl Input<'a>) -> Result<bool, InputError> {
    match input.peek()? {
        Some(b',') => {
            input.bump();
            Ok(true)
        }
        Some(b']') => {
            input.bump();
            Ok(false)
        }
        Some(_) => Err(input.error("expected `,` or `]`")),
        None => Err(input.truncated()),
    }
}

/// Reads one array element by element: `element` must consume each. A `null` reads as empty.
fn array<'a, I: Input<'a>>(
    input: &mut I,
    what: &str,
    mut element: impl FnMut(&mut I) -> Result<(), InputError>,
) -> Result<(), InputError> {
    match input.peek()? {
        Some(b'[') => input.bump(),
        Some(b'n') => return null(input, what),
        Some(_) => return Err(input.error(&format!("{what} is not a list"))),
        None => return Err(input.truncated()),
    }
    if input.peek()? == Some(b']') {
        input.bump();
        return Ok(());
    }
    loop {
        element(input)?;
        if !after_element(input)? {
            return Ok(());
        }
    }
}

/// Consumes a `null` (and nothing else that starts with `n`).
fn null<'a>(input: &mut impl Input<'a>, what: &str) -> Result<(), InputError> {
    if input.value(true)?.as_deref() != Some("null") {
        return Err(input.error(&format!("{what} is not valid JSON")));
    }
    Ok(())
}

/// The next array entry, when `reads` keeps it (it may be a judged resource).
fn admitted_entry<'a, T: Entry<'a>>(
    input: &mut impl Input<'a>,
    reads: Reads,
) -> Result<Option<T>, InputError> {
    let (entry, _) = input.entry::<T>(reads, false)?;
    Ok(entry)
}

/// `resource_changes`: the judged entries, with `summaries` every entry's summary, and the
/// entries rules read.
fn resource_changes<'a>(
    input: &mut impl Input<'a>,
    summaries: bool,
) -> Result<Changes<'a>, InputError> {
    let mut changes = Changes::default();
    array(input, "resource_changes", |input| {
        change_entry(input, &mut changes, summaries)
    })?;
    Ok(changes)
}

/// One entry of `resource_changes`, sorted into `changes`.
fn change_entry<'a>(
    input: &mut impl Input<'a>,
    changes: &mut Changes<'a>,
    summaries: bool,
) -> Result<(), InputError> {
    let (change, other) = input.entry::<ResourceChange<'a>>(Reads::Changes, summaries)?;
    changes.1.extend(other);
    let Some(change) = change else {
        return Ok(());
    };
    if let Some(address) = change.type_conflict() {
        return Err(InputError::missing_type(address));
    }
    if change.is_judged() {
        changes.0 .0.push(change);
    } else if change.is_read() {
        changes.2.push(change);
    }
    Ok(())
}

/// Where a run of `resource_changes` entries ([`change_run`]) ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum RunEnd {
    /// After the array's `]`.
    Array,
    /// Exactly at one of the stops: the next entry starts there.
    Stop,
    /// At the first entry after `past`.
    Past,
}

/// Entries of `resource_changes` from one entry's start, as [`array`] reads them, until the
/// array's `]`, until the next entry starts exactly at one of `stops` (ascending), or, with
/// `past`, at the first entry that starts after it.
pub(super) fn change_run<'a>(
    input: &mut SliceInput<'a>,
    stops: &[usize],
    past: Option<usize>,
    summaries: bool,
) -> Result<(Changes<'a>, RunEnd), InputError> {
    let mut changes = Changes::default();
    loop {
        change_entry(input, &mut changes, summaries)?;
        if !after_element(input)? {
            return Ok((changes, RunEnd::Array));
        }
        input.peek()?;
        if stops.binary_search(&input.pos).is_ok() {
            return Ok((changes, RunEnd::Stop));
        }
        if past.is_some_and(|past| input.pos > past) {
            return Ok((changes, RunEnd::Past));
        }
    }
}

fn deferred_changes<'a>(input: &mut impl Input<'a>) -> Result<Vec<DeferredChange<'a>>, InputError> {
    let mut kept = Vec::new();
    array(input, "deferred_changes", |input| {
        if let Some(deferred) = admitted_entry::<DeferredChange<'a>>(input, Reads::Nothing)? {
            if let Some(address) = deferred.resource_change.type_conflict() {
                return Err(InputError::missing_type(address));
            }
            if deferred.resource_change.is_judged() {
                kept.push(deferred);
            }
        }
        Ok(())
    })?;
    Ok(kept)
}

/// A state's `values` (also `prior_state.values`): the module tree, judged resources only.
fn state_values<'a>(input: &mut impl Input<'a>) -> Result<Option<StateValues<'a>>, InputError> {
    if input.peek()? == Some(b'n') {
        null(input, "values")?;
        return Ok(None);
    }
    let mut values = StateValues::default();
    object(input, "values", &["root_module"], |input, key| {
        if key == "root_module" {
            values.root_module = state_module(input, 0)?;
            Ok(())
        } else {
            input.value(false).map(drop)
        }
    })?;
    Ok(Some(values))
}

fn state_module<'a>(
    input: &mut impl Input<'a>,
    depth: usize,
) -> Result<StateModule<'a>, InputError> {
    if depth > MAX_STATE_DEPTH {
        return Err(InputError::TooDeep);
    }
    let mut module = StateModule::default();
    object(
        input,
        "a state module",
        &["resources", "child_modules", "address"],
        |input, key| match key {
            "address" => {
                let text = input.value(true)?.expect("kept");
                module.address = parse(input, text)?;
                Ok(())
            }
            "resources" => array(input, "resources", |input| {
                if let Some(resource) = admitted_entry::<StateResource<'a>>(input, Reads::State)? {
                    if let Some(address) = resource.type_conflict() {
                        return Err(InputError::missing_type(address));
                    }
                    if resource.is_judged() || resource.is_read() {
                        module.resources.push(resource);
                    }
                }
                Ok(())
            }),
            "child_modules" => array(input, "child_modules", |input| {
                module.child_modules.push(state_module(input, depth + 1)?);
                Ok(())
            }),
            _ => input.value(false).map(drop),
        },
    )?;
    Ok(module)
}

/// `prior_state`: only its `values`.
fn prior_state<'a>(input: &mut impl Input<'a>) -> Result<Option<StateValues<'a>>, InputError> {
    let mut values = None;
    object(input, "prior_state", &["values"], |input, key| {
        if key == "values" {
            values = state_values(input)?;
            Ok(())
        } else {
            input.value(false).map(drop)
        }
    })?;
    Ok(values)
}

/// `configuration`: serde reads it whole.
fn configuration<'a>(input: &mut impl Input<'a>) -> Result<Option<Configuration<'a>>, InputError> {
    let text = input.value(true)?.expect("kept");
    parse(input, text)
}

/// Reads the top-level object. The caller checks what follows it.
pub fn document<'a>(
    input: &mut impl Input<'a>,
    other_resources: bool,
) -> Result<Document<'a>, InputError> {
    let mut doc = Document::default();
    let mut others = Vec::new();
    if input.peek()? != Some(b'{') {
        expect(input, b'{')?;
    }
    object(input, "the document", READ_KEYS, |input, key| {
        match key {
            "resource_changes" => match input.changes_read_ahead() {
                Some(read) => {
                    let (judged, read_others, read_changes) = read?;
                    doc.resource_changes = Some(judged);
                    others = read_others;
                    doc.read_changes = read_changes;
                }
                None => {
                    let (judged, read_others, read_changes) =
                        resource_changes(input, other_resources)?;
                    doc.resource_changes = Some(judged);
                    others = read_others;
                    doc.read_changes = read_changes;
                }
            },
            "deferred_changes" => doc.deferred_changes = deferred_changes(input)?,
            "prior_state" => doc.prior_state = prior_state(input)?,
            "planned_values" => {
                doc.has_planned_values = true;
                doc.planned_values = state_values(input)?;
            }
            "values" => doc.values = state_values(input)?,
            "configuration" => doc.configuration = configuration(input)?,
            "format_version" | "terraform_version" | "variables" | "errored" | "complete" => {
                let text = input.value(true)?.expect("kept");
                match key {
                    "format_version" => doc.format_version = parse(input, text)?,
                    "terraform_version" => doc.terraform_version = parse(input, text)?,
                    "variables" => {
                        doc.variables =
                            parse::<Option<BTreeMap<String, PlanVariable>>>(input, text)?
                                .unwrap_or_default()
                    }
                    "errored" => doc.errored = parse(input, text)?,
                    "complete" => doc.complete = parse(input, text)?,
                    _ => unreachable!("the keys matched above"),
                }
            }
            other => {
                if !KNOWN_SKIPPED_KEYS.contains(&other) && doc.other_keys.len() < 5 {
                    doc.other_keys.push(other.to_owned());
                }
                input.value(false)?;
            }
        }
        Ok(())
    })?;
    doc.other_resources = others;
    Ok(doc)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_without_a_mode_and_escaped_types_are_kept() {
        let text = r#"{"format_version":"1.2","resource_changes":[
            {"address":"aws_lambda_function.a","type":"aws_lambda_function","name":"a","change":{"actions":["create"]}},
            {"address":"aws_lambda_function.b","mode":"managed","type":"aws_lambda\u005ffunction","name":"b","change":{}},
            {"address":"data.aws_lambda_function.c","mode":"data","type":"aws_lambda_function","name":"c","change":{}},
            {"address":"aws_s3_bucket.d","mode":"managed","type":"aws_s3_bucket","name":"d","change":{}}]}"#;
        let doc = document(&mut SliceInput::new(text, 0), false).unwrap();
        let kept: Vec<&str> = doc
            .resource_changes
            .as_ref()
            .unwrap()
            .0
            .iter()
            .map(|c| c.address.as_str())
            .collect();
        assert_eq!(kept, ["aws_lambda_function.a", "aws_lambda_function.b"]);
    }

    #[test]
    fn searches_in_pieces_find_the_first_and_the_last() {
        let go = &|| false;
        let mut text = vec![b'x'; 3 << 20];
        text[5..9].copy_from_slice(b"\"ab\"");
        assert_eq!(rfind_forward(&text, b"\"ab\"", go), Some(5));
        assert_eq!(find_forward(&text, b"\"ab\"", go), Some(5));
        // Across a piece boundary.
        let at = (2 << 20) - 2;
        text[at..at + 4].copy_from_slice(b"\"ab\"");
        assert_eq!(rfind_forward(&text, b"\"ab\"", go), Some(at));
        text[5..9].copy_from_slice(b"xxxx");
        assert_eq!(find_forward(&text, b"\"ab\"", go), Some(at));
        let at = (1 << 20) - 1;
        text[at..at + 4].copy_from_slice(b"\"ab\"");
        assert_eq!(find_forward(&text, b"\"ab\"", go), Some(at));
        assert_eq!(rfind_forward(&text, b"zz", go), None);
        assert_eq!(find_forward(&text, b"zz", go), None);
    }

    /// The helper's searches stop when the walk is over (a plan broken at its first byte does
    /// not wait for a search through the rest): asked before each piece.
    #[test]
    fn searches_stop_when_asked() {
        let mut text = vec![b'x'; 3 << 20];
        let at = (5 << 19) + 3;
        text[at..at + 4].copy_from_slice(b"\"ab\"");
        let asked = std::cell::Cell::new(0);
        let stop_at = |n: usize| {
            let asked = &asked;
            move || {
                asked.set(asked.get() + 1);
                asked.get() > n
            }
        };
        assert_eq!(find_forward(&text, b"\"ab\"", &stop_at(0)), None);
        asked.set(0);
        // In the third piece: found when the third question is answered "go on".
        assert_eq!(find_forward(&text, b"\"ab\"", &stop_at(3)), Some(at));
        asked.set(0);
        assert_eq!(find_forward(&text, b"\"ab\"", &stop_at(2)), None);
        asked.set(0);
        assert_eq!(rfind_forward(&text, b"\"ab\"", &stop_at(0)), None);
        asked.set(0);
        // In the last piece, the first searched from the end.
        assert_eq!(rfind_forward(&text, b"\"ab\"", &stop_at(1)), Some(at));
        let plan = format!("{{\"resource_changes\":[{}]}}", " ".repeat(3 << 20));
        assert!(SliceInput::guess(&plan, "resource_changes", false, &|| false).is_some());
        assert_eq!(
            SliceInput::guess(&plan, "resource_changes", false, &|| true),
            None
        );
    }

    #[test]
    fn prefilter_admits_escaped_types() {
        for reads in [Reads::Changes, Reads::State, Reads::Nothing] {
            let prefilter = Prefilter::new(reads);
            assert!(prefilter.admits(r#"{"type":"aws_lambda_function"}"#));
            assert!(prefilter.admits(r#"{"type":"aws_lambda\u005ffunction"}"#));
            assert!(prefilter.admits(r#"{"type":"awscc_lambda_function"}"#));
            assert!(!prefilter.admits(r#"{"type":"aws_instance"}"#));
        }
    }

    #[test]
    fn prefilter_admits_what_rules_read_where_they_read_it() {
        let changes = Prefilter::new(Reads::Changes);
        let state = Prefilter::new(Reads::State);
        let deferred = Prefilter::new(Reads::Nothing);
        for read in [
            "aws_iam_role",
            "aws_iam_role_policy_attachment",
            "aws_iam_policy",
        ] {
            let entry = format!(r#"{{"type":"{read}"}}"#);
            assert!(changes.admits(&entry), "{read}");
            assert!(!state.admits(&entry), "{read}");
            assert!(!deferred.admits(&entry), "{read}");
        }
        let document = r#"{"type":"aws_iam_policy_document"}"#;
        assert!(changes.admits(document) && state.admits(document));
        assert!(!deferred.admits(document));
    }
}
