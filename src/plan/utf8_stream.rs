//! A UTF-8-validating reader for streamed plans (stdin, pipes), so that a stream is held to the
//! same rule as a memory-mapped file, and the error it raises.

use super::error::InputError;
use crate::support::line_index::Cursor;
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
/// cores at once; on failure std's check says where (the error path only). The one UTF-8 check of
/// a memory-mapped plan.
pub fn validate(bytes: &[u8]) -> Result<&str, std::str::Utf8Error> {
    /// Below this, one thread is faster than two.
    const SPLIT: usize = 4 << 20;
    let valid = if bytes.len() < SPLIT {
        simdutf8::basic::from_utf8(bytes).is_ok()
    } else {
        // Split at a character start (never before a continuation byte), so that each half is
        // whole characters when the text is valid.
        let mut middle = bytes.len() / 2;
        while middle < bytes.len() && bytes[middle] & 0xC0 == 0x80 {
            middle += 1;
        }
        let (first, second) = bytes.split_at(middle);
        let (a, b) = rayon::join(
            || simdutf8::basic::from_utf8(first).is_ok(),
            || simdutf8::basic::from_utf8(second).is_ok(),
        );
        a && b
    };
    if valid {
        // SAFETY: the whole text is UTF-8: it was checked in one piece, or as two pieces each of
        // which is UTF-8, and two UTF-8 strings side by side are UTF-8.
        Ok(unsafe { std::str::from_utf8_unchecked(bytes) })
    } else {
        std::str::from_utf8(bytes)
    }
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
