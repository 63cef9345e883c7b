//! A UTF-8-validating reader for streamed plans (stdin, pipes), so that a stream is held to the
//! same rule as a memory-mapped file, and the error it raises.

use super::error::InputError;
use crate::support::line_index::{BlockCounts, Cursor, COUNT_BLOCK};
use std::io::{self, BufRead, Read};
use std::path::PathBuf;
use std::sync::mpsc;

/// An error of the stream as the plan reader reports it: invalid UTF-8 with its position, else
/// an I/O error of stdin.
pub fn stream_error(error: io::Error) -> InputError {
    match Utf8Error::from_io(&error) {
        Some(at) => InputError::InvalidUtf8 {
            line: at.line,
            column: at.column,
        },
        None => InputError::Io {
            path: PathBuf::from("<stdin>"),
            source: error,
        },
    }
}

/// Checks that `bytes` are UTF-8 with SIMD (simdutf8), both halves of a large text on the two
/// cores at once, and counts their lines and characters on the way, a group at a time while it is
/// in cache (for the functions' positions, which would otherwise read the text again); on failure
/// std's check says where (the error path only). The one UTF-8 check of a memory-mapped plan.
pub fn validate(bytes: &[u8]) -> Result<(&str, BlockCounts), std::str::Utf8Error> {
    /// Below this, one thread is faster than two.
    const SPLIT: usize = 4 << 20;
    let groups = bytes.len().div_ceil(GROUP);
    let checked = if bytes.len() < SPLIT {
        check_groups(bytes, 0..groups, groups)
    } else {
        let middle = groups / 2;
        // The first half's counts are allocated for both.
        let (first, second) = rayon::join(
            || check_groups(bytes, 0..middle, groups),
            || check_groups(bytes, middle..groups, groups - middle),
        );
        first.and_then(|mut counts| {
            counts.append(second?);
            Some(counts)
        })
    };
    match checked {
        // SAFETY: the whole text is UTF-8: it was checked in pieces that meet at character
        // starts, each of which is UTF-8, and UTF-8 strings side by side are UTF-8.
        Some(counts) => Ok((unsafe { std::str::from_utf8_unchecked(bytes) }, counts)),
        None => std::str::from_utf8(bytes).map(|text| (text, BlockCounts::default())),
    }
}

/// The UTF-8 check reads this many bytes at a time (a multiple of [`COUNT_BLOCK`], small enough
/// to stay in cache for the counting).
const GROUP: usize = 64 << 10;

/// Checks and counts groups `groups` of `bytes` (room for `room` groups' counts); `None` when
/// they are not UTF-8. Group `g` is counted over its bytes and checked from the character start
/// at or after its first byte to the one at or after its end, so that the checked pieces meet
/// exactly and hold whole characters.
fn check_groups(bytes: &[u8], groups: std::ops::Range<usize>, room: usize) -> Option<BlockCounts> {
    let mut counts = BlockCounts::with_capacity(room * (GROUP / COUNT_BLOCK));
    for group in groups {
        let start = group * GROUP;
        let end = (start + GROUP).min(bytes.len());
        let from = if start == 0 {
            0
        } else {
            char_start(bytes, start)?
        };
        let to = char_start(bytes, end)?;
        if from < to && simdutf8::basic::from_utf8(&bytes[from..to]).is_err() {
            return None;
        }
        counts.push(&bytes[start..end]);
    }
    Some(counts)
}

/// The first character start at or after `at` (or the end); `None` past three continuation
/// bytes, which no UTF-8 character has (so a hostile run of them costs no more than a look).
fn char_start(bytes: &[u8], at: usize) -> Option<usize> {
    (at..bytes.len().min(at + 4))
        .find(|&i| bytes[i] & 0xC0 != 0x80)
        .or((at + 4 > bytes.len()).then_some(bytes.len()))
}

/// The position of the first invalid UTF-8 byte in a stream.
#[derive(Debug)]
struct Utf8Error {
    line: usize,
    column: usize,
}

impl std::fmt::Display for Utf8Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "invalid UTF-8 at line {}, column {}",
            self.line, self.column
        )
    }
}

impl std::error::Error for Utf8Error {}

impl Utf8Error {
    fn from_io(error: &io::Error) -> Option<&Utf8Error> {
        error.get_ref()?.downcast_ref::<Utf8Error>()
    }
}

/// A reader that validates UTF-8 as it streams, so that a pipe is held to the same rule as a file.
pub struct Utf8Checked<R> {
    inner: R,
    /// An error found after valid bytes that were handed out first.
    pending: Option<Utf8Error>,
    /// Bytes of a multi-byte character split across reads.
    carry: Vec<u8>,
    cursor: Cursor,
}

impl<R: Read> Utf8Checked<R> {
    pub fn new(inner: R) -> Self {
        Utf8Checked {
            inner,
            pending: None,
            carry: Vec::with_capacity(4),
            cursor: Cursor::at_line(1),
        }
    }

    fn advance(&mut self, valid: &[u8]) {
        self.cursor.advance(valid);
    }
}

impl<R: Read> Read for Utf8Checked<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if let Some(error) = self.pending.take() {
            return Err(io::Error::new(io::ErrorKind::InvalidData, error));
        }
        if buf.len() < 8 {
            // BufReader always asks for more; a tiny buffer would complicate carrying.
            let mut chunk = [0u8; 8];
            let n = self.read(&mut chunk)?;
            let n = n.min(buf.len());
            buf[..n].copy_from_slice(&chunk[..n]);
            return Ok(n);
        }
        let carried = self.carry.len();
        buf[..carried].copy_from_slice(&self.carry);
        self.carry.clear();
        let n = self.inner.read(&mut buf[carried..])?;
        let filled = carried + n;
        let data = &buf[..filled];
        if simdutf8::basic::from_utf8(data).is_ok() {
            self.advance(data);
            return Ok(filled);
        }
        match std::str::from_utf8(data) {
            Ok(_) => {
                self.advance(data);
                Ok(filled)
            }
            Err(error) if error.error_len().is_none() && n > 0 => {
                // An incomplete character at the end: hand out what is whole, keep the rest.
                let whole = error.valid_up_to();
                self.carry.extend_from_slice(&data[whole..]);
                let (valid, _) = data.split_at(whole);
                let valid = valid.to_vec();
                self.advance(&valid);
                if whole == 0 {
                    return self.read(buf);
                }
                Ok(whole)
            }
            Err(error) => {
                // Hand out the valid bytes first (they may be enough to tell what the input is),
                // then the error.
                let whole = error.valid_up_to();
                let valid = data[..whole].to_vec();
                self.advance(&valid);
                let (line, column) = self.cursor.position();
                let at = Utf8Error { line, column };
                if whole > 0 {
                    self.pending = Some(at);
                    Ok(whole)
                } else {
                    Err(io::Error::new(io::ErrorKind::InvalidData, at))
                }
            }
        }
    }
}

/// A stream read and checked as UTF-8 on its own thread, a few chunks ahead of the reader, so
/// that reading the pipe and validating it cost the scanner nothing. The memory it holds is
/// bounded: `AHEAD` chunks in flight, spent ones handed back to be filled again.
pub struct Prefetched {
    chunks: mpsc::Receiver<io::Result<(Vec<u8>, usize)>>,
    spent: mpsc::SyncSender<Vec<u8>>,
    chunk: Vec<u8>,
    len: usize,
    at: usize,
    ended: bool,
}

/// Bytes a chunk holds; one is sent once it holds at least a quarter (a pipe hands out less
/// per read).
const CHUNK: usize = 1 << 20;
const AHEAD: usize = 4;

impl Prefetched {
    /// Reads `inner` on a thread of its own. The thread is not joined: a reader that stops early
    /// (at an error) drops this, and the thread ends at its next send, or with the process if
    /// the stream never ends.
    pub fn spawn<R: Read + Send + 'static>(inner: R) -> Self {
        let (send, chunks) = mpsc::sync_channel(AHEAD);
        let (spent, recycled) = mpsc::sync_channel::<Vec<u8>>(AHEAD + 2);
        std::thread::spawn(move || {
            let mut reader = Utf8Checked::new(inner);
            loop {
                let mut buffer = recycled.try_recv().unwrap_or_else(|_| vec![0; CHUNK]);
                let mut filled = 0;
                let failed = loop {
                    match reader.read(&mut buffer[filled..]) {
                        Ok(0) => break None,
                        Ok(n) => {
                            filled += n;
                            if filled >= CHUNK / 4 {
                                break None;
                            }
                        }
                        Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
                        Err(error) => break Some(error),
                    }
                };
                // The valid bytes first, then the error, as `Utf8Checked` hands them out.
                if filled > 0 && send.send(Ok((buffer, filled))).is_err() {
                    return;
                }
                if let Some(error) = failed {
                    let _ = send.send(Err(error));
                    return;
                }
                if filled == 0 {
                    return;
                }
            }
        });
        Prefetched {
            chunks,
            spent,
            chunk: Vec::new(),
            len: 0,
            at: 0,
            ended: false,
        }
    }
}

impl BufRead for Prefetched {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        while self.at == self.len && !self.ended {
            match self.chunks.recv() {
                Ok(Ok((next, len))) => {
                    let spent = std::mem::replace(&mut self.chunk, next);
                    if !spent.is_empty() {
                        let _ = self.spent.try_send(spent);
                    }
                    (self.len, self.at) = (len, 0);
                }
                Ok(Err(error)) => {
                    self.ended = true;
                    return Err(error);
                }
                // The thread ended: the stream did.
                Err(_) => self.ended = true,
            }
        }
        Ok(&self.chunk[self.at..self.len])
    }

    fn consume(&mut self, n: usize) {
        self.at = (self.at + n).min(self.len);
    }
}

impl Read for Prefetched {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let available = self.fill_buf()?;
        let n = available.len().min(buf.len());
        buf[..n].copy_from_slice(&available[..n]);
        self.consume(n);
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_grouped_check_agrees_with_std_at_every_group_boundary() {
        // A valid text with 2-4 byte characters across every group boundary, over the size that
        // is checked on two cores; then one bad byte (a lone continuation byte, a truncated
        // character, a run of continuation bytes, a surrogate) on, just before and just after
        // group boundaries and the halves' split.
        let mut text = Vec::new();
        let pieces: [&[u8]; 4] = ["é".as_bytes(), "€".as_bytes(), "𐐀".as_bytes(), b"ab\n"];
        let mut i = 0;
        while text.len() < (4 << 20) + 3 * GROUP {
            text.extend_from_slice(pieces[i % pieces.len()]);
            i += 1;
        }
        let (checked, counts) = validate(&text).expect("valid");
        assert_eq!(checked.len(), text.len());
        let offsets = [0, 1, text.len() / 2, text.len()];
        assert_eq!(
            crate::support::line_index::positions(&text, Some(&counts), &offsets),
            crate::support::line_index::positions(&text, None, &offsets)
        );
        let middle = text.len().div_ceil(GROUP) / 2 * GROUP;
        let bad: [&[u8]; 4] = [
            b"\x80",
            b"\xE2\x82",
            b"\x80\x80\x80\x80\x80",
            b"\xED\xA0\x80",
        ];
        for at in [
            0,
            1,
            GROUP - 2,
            GROUP - 1,
            GROUP,
            GROUP + 1,
            middle - 1,
            middle,
            middle + 2,
            text.len() - 1,
        ] {
            for bytes in bad {
                let mut broken = text.clone();
                broken.splice(at..at, bytes.iter().copied());
                let expected = std::str::from_utf8(&broken).unwrap_err();
                let got = validate(&broken).map(|_| ()).unwrap_err();
                assert_eq!(got, expected, "{bytes:?} at {at}");
            }
        }
        for small in [&b""[..], b"a", b"\xC3", b"\xC3\xA9", b"\x80"] {
            assert_eq!(
                validate(small).map(|(text, _)| text.len()).ok(),
                std::str::from_utf8(small).map(str::len).ok()
            );
        }
    }

    #[test]
    fn utf8_checked_carries_split_characters() {
        let text = "{\"a\":\"é€😀\"}".as_bytes();
        // A reader that returns one byte at a time splits every multi-byte character.
        struct OneByte<'a>(&'a [u8]);
        impl Read for OneByte<'_> {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                if self.0.is_empty() {
                    return Ok(0);
                }
                buf[0] = self.0[0];
                self.0 = &self.0[1..];
                Ok(1)
            }
        }
        let mut out = Vec::new();
        Utf8Checked::new(OneByte(text))
            .read_to_end(&mut out)
            .unwrap();
        assert_eq!(out, text);
    }

    #[test]
    fn utf8_checked_reports_position() {
        let mut out = Vec::new();
        let error = Utf8Checked::new(&b"{\n  \"a\": \"\xff\"}"[..])
            .read_to_end(&mut out)
            .unwrap_err();
        let at = Utf8Error::from_io(&error).unwrap();
        assert_eq!((at.line, at.column), (2, 9));
    }
}
