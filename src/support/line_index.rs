//! Byte offsets to 1-based lines and columns: the one implementation behind plan positions, the
//! scanner's errors, source files and suppressions. Lines end at `\n` (so `\r\n` works: the `\r`
//! ends the line it is on); columns count characters (Unicode scalar values), as SARIF's
//! `unicodeCodePoints` column kind says, not bytes. Where a format counts bytes (reviewdog's
//! rdjson), `LineIndex::byte_column` and the third member of `positions` give those.

/// A 1-based line and column.
pub type Position = (u32, u32);

/// Characters in UTF-8 `bytes`: every byte that does not continue a multi-byte sequence. Counts a
/// character split across two chunks once.
fn chars(bytes: &[u8]) -> usize {
    // Plans are almost all ASCII: `is_ascii` checks a word at a time, and only chunks that are not
    // ASCII are counted byte by byte.
    bytes
        .chunks(4096)
        .map(|chunk| {
            if chunk.is_ascii() {
                chunk.len()
            } else {
                chunk.iter().map(|&b| usize::from((b as i8) >= -0x40)).sum()
            }
        })
        .sum()
}

/// Where each line starts, for many random lookups in one file (sources).
#[derive(Debug, Clone)]
pub struct LineIndex {
    starts: Vec<usize>,
    /// Characters before each `BLOCK`-byte boundary: a column costs at most one block of
    /// counting, however long the line (a one-line file with thousands of lookups stays linear).
    chars_before_block: Vec<usize>,
}

const BLOCK: usize = 256;

impl LineIndex {
    pub fn new(text: &[u8]) -> LineIndex {
        let mut starts = vec![0];
        starts.extend(memchr::memchr_iter(b'\n', text).map(|i| i + 1));
        let mut chars_before_block = Vec::with_capacity(text.len() / BLOCK + 1);
        let mut total = 0;
        for block in text.chunks(BLOCK) {
            chars_before_block.push(total);
            total += chars(block);
        }
        chars_before_block.push(total);
        LineIndex {
            starts,
            chars_before_block,
        }
    }

    /// Characters in `text[..offset]`.
    fn chars_before(&self, text: &[u8], offset: usize) -> usize {
        let block = offset / BLOCK;
        self.chars_before_block[block] + chars(&text[block * BLOCK..offset])
    }

    /// The position of byte `offset` of `text` (the text the index was built from).
    pub fn position(&self, text: &[u8], offset: usize) -> Position {
        let offset = offset.min(text.len());
        let line = self.starts.partition_point(|&start| start <= offset) - 1;
        let start = self.starts[line];
        let column = self.chars_before(text, offset) - self.chars_before(text, start);
        (line as u32 + 1, column as u32 + 1)
    }

    /// The 1-based column of byte `offset` counted in bytes (UTF-8 code units) from the start
    /// of its line.
    pub fn byte_column(&self, offset: usize) -> u32 {
        let line = self.starts.partition_point(|&start| start <= offset) - 1;
        (offset - self.starts[line]) as u32 + 1
    }

    /// The text of 1-based line `line`, without its `\n` or `\r\n`.
    pub fn line<'t>(&self, text: &'t str, line: u32) -> Option<&'t str> {
        let index = usize::try_from(line.checked_sub(1)?).ok()?;
        let start = *self.starts.get(index)?;
        let end = self
            .starts
            .get(index + 1)
            .map_or(text.len(), |&next| next - 1);
        let content = text.get(start..end.max(start))?;
        Some(content.strip_suffix('\r').unwrap_or(content))
    }
}

/// Counts are kept per block of this many bytes of the text (from its start).
pub const COUNT_BLOCK: usize = 4096;

/// A text's lines and characters, counted a block at a time by a pass that reads the text anyway
/// (the UTF-8 check of a mapped plan, while each block is in cache): [`positions`] then counts at
/// most a block per offset instead of passing over the text up to the last one (a second read of
/// a 730 MB plan from memory).
#[derive(Debug, Clone, Default)]
pub struct BlockCounts {
    blocks: Vec<BlockCount>,
    /// The bytes counted.
    len: usize,
}

/// One block: its newlines, and the characters and bytes after the last of them (all of the
/// block's when it has none).
#[derive(Debug, Clone, Copy)]
struct BlockCount {
    newlines: u32,
    tail_chars: u32,
    tail_bytes: u32,
}

impl BlockCounts {
    pub fn with_capacity(blocks: usize) -> BlockCounts {
        BlockCounts {
            blocks: Vec::with_capacity(blocks),
            len: 0,
        }
    }

    /// Counts `group`, the text's next bytes: it starts at a block boundary, and ends at one
    /// unless it ends the text.
    pub fn push(&mut self, group: &[u8]) {
        debug_assert!(self.len % COUNT_BLOCK == 0, "a group after the text's end");
        self.len += group.len();
        self.blocks.extend(group.chunks(COUNT_BLOCK).map(|block| {
            let mut newlines = 0;
            let mut last = None;
            for at in memchr::memchr_iter(b'\n', block) {
                newlines += 1;
                last = Some(at);
            }
            let tail = last.map_or(block, |at| &block[at + 1..]);
            BlockCount {
                newlines,
                tail_chars: chars(tail) as u32,
                tail_bytes: tail.len() as u32,
            }
        }));
    }

    /// The counts of the text that follows.
    pub fn append(&mut self, mut next: BlockCounts) {
        self.len += next.len;
        self.blocks.append(&mut next.blocks);
    }

    /// Whether these are the counts of a text of `len` bytes.
    fn cover(&self, len: usize) -> bool {
        self.len == len
    }
}

/// A position that moves forward over text seen once, in chunks (a stream, or one pass over a
/// large plan to sorted offsets), without keeping the text.
#[derive(Debug, Clone, Copy)]
pub struct Cursor {
    line: usize,
    /// Characters since the start of the line.
    column: usize,
    /// Bytes since the start of the line.
    bytes: usize,
}

impl Cursor {
    /// At the start of 1-based line `line`.
    pub fn at_line(line: usize) -> Cursor {
        Cursor {
            line,
            column: 0,
            bytes: 0,
        }
    }

    /// Moves past `bytes`.
    pub fn advance(&mut self, bytes: &[u8]) {
        // In pieces that stay in cache, so that a large text is read from memory once, not once
        // per search.
        for piece in bytes.chunks(1 << 16) {
            self.advance_piece(piece);
        }
    }

    fn advance_piece(&mut self, bytes: &[u8]) {
        // One forward search finds both the count and the last newline: memchr's reverse search
        // was slower than its forward one, and plans are mostly one line (nothing to find).
        let mut newlines = 0;
        let mut last = None;
        for at in memchr::memchr_iter(b'\n', bytes) {
            newlines += 1;
            last = Some(at);
        }
        match last {
            Some(last) => {
                self.line += newlines;
                self.column = chars(&bytes[last + 1..]);
                self.bytes = bytes.len() - (last + 1);
            }
            None => {
                self.column += chars(bytes);
                self.bytes += bytes.len();
            }
        }
    }

    /// Moves past a block of [`BlockCounts`] (what `advance` over its bytes does).
    fn skip(&mut self, block: &BlockCount) {
        if block.newlines > 0 {
            self.line += block.newlines as usize;
            self.column = block.tail_chars as usize;
            self.bytes = block.tail_bytes as usize;
        } else {
            self.column += block.tail_chars as usize;
            self.bytes += block.tail_bytes as usize;
        }
    }

    /// The 1-based (line, column) of the next byte.
    pub fn position(&self) -> (usize, usize) {
        (self.line, self.column + 1)
    }
}

/// The position of one byte offset, starting from line `first_line` (an error, once).
pub fn position_of(text: &[u8], offset: usize, first_line: usize) -> (usize, usize) {
    let mut cursor = Cursor::at_line(first_line);
    cursor.advance(&text[..offset.min(text.len())]);
    cursor.position()
}

/// The positions of many offsets, each (line, column, column in bytes). With the text's
/// [`BlockCounts`], from them and at most a block of counting per offset. Without, in one forward
/// pass up to the largest offset, with no index kept: a large plan is read once, whatever the
/// number of offsets; over a large text the pass is split in two at the middle offset, one half
/// per core: the second half counts from the split, and its positions are moved by where the
/// first half ends.
pub fn positions(
    text: &[u8],
    counts: Option<&BlockCounts>,
    offsets: &[usize],
) -> Vec<(u32, u32, u32)> {
    /// Below this much text to pass over, one thread is faster than two.
    const SPLIT: usize = 8 << 20;
    let mut order: Vec<usize> = (0..offsets.len()).collect();
    order.sort_unstable_by_key(|&i| offsets[i]);
    let sorted: Vec<usize> = order.iter().map(|&i| offsets[i].min(text.len())).collect();
    let last = sorted.last().copied().unwrap_or(0);
    let found = if let Some(counts) = counts.filter(|counts| counts.cover(text.len())) {
        // `cursor` is at the start of `block`; `here` at `at`, the last offset (or that start):
        // every byte is counted at most once, however many offsets share a block.
        let mut cursor = Cursor::at_line(1);
        let mut block = 0;
        let (mut here, mut at) = (cursor, 0);
        sorted
            .iter()
            .map(|&offset| {
                if offset / COUNT_BLOCK > block {
                    while block < offset / COUNT_BLOCK {
                        cursor.skip(&counts.blocks[block]);
                        block += 1;
                    }
                    (here, at) = (cursor, block * COUNT_BLOCK);
                }
                here.advance(&text[at..offset]);
                at = offset;
                (here.line, here.column, here.bytes)
            })
            .collect()
    } else if last < SPLIT || sorted.len() < 2 {
        pass(text, 0, Cursor::at_line(1), &sorted).0
    } else {
        let middle = sorted[sorted.len() / 2];
        let (first, second) = sorted.split_at(sorted.partition_point(|&o| o < middle));
        let ((mut found, base), relative) = rayon::join(
            || {
                let (found, mut base, at) = pass(text, 0, Cursor::at_line(1), first);
                base.advance(&text[at..middle]);
                (found, base)
            },
            // Lines counted from 0 at `middle`, columns from `middle` until the first newline.
            || pass(text, middle, Cursor::at_line(0), second).0,
        );
        found.extend(relative.into_iter().map(|(line, column, bytes)| {
            if line == 0 {
                (base.line, base.column + column, base.bytes + bytes)
            } else {
                (base.line + line, column, bytes)
            }
        }));
        found
    };
    let mut result = vec![(1, 1, 1); offsets.len()];
    for (&i, (line, column, bytes)) in order.iter().zip(found) {
        result[i] = (line as u32, column as u32 + 1, bytes as u32 + 1);
    }
    result
}

/// Raw cursor states (line, characters and bytes into the line) at sorted `offsets`, passing
/// from `start`;
/// and the cursor where the pass stopped, and its offset.
fn pass(
    text: &[u8],
    start: usize,
    mut cursor: Cursor,
    offsets: &[usize],
) -> (Vec<(usize, usize, usize)>, Cursor, usize) {
    let mut at = start;
    let found = offsets
        .iter()
        .map(|&offset| {
            cursor.advance(&text[at..offset]);
            at = offset;
            (cursor.line, cursor.column, cursor.bytes)
        })
        .collect();
    (found, cursor, at)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_positions_count_characters() {
        let text = "a = 1\nbé = \"x\"\n".as_bytes();
        let index = LineIndex::new(text);
        assert_eq!(index.position(text, 0), (1, 1));
        assert_eq!(index.position(text, 6), (2, 1));
        let x = text.iter().position(|&b| b == b'x').unwrap();
        assert_eq!(index.position(text, x), (2, 7));
        // reviewdog's example: in 'a𐐀b' the column of b is 3 in characters, 6 in bytes.
        let text = "a = 1\na𐐀b\n".as_bytes();
        let index = LineIndex::new(text);
        let b = text.iter().position(|&c| c == b'b').unwrap();
        assert_eq!(index.position(text, b), (2, 3));
        assert_eq!(index.byte_column(b), 6);
        assert_eq!(positions(text, None, &[b]), vec![(2, 3, 6)]);
    }

    #[test]
    fn long_lines_count_characters_across_blocks() {
        let text = "é".repeat(1000) + "x" + &"a".repeat(700);
        let bytes = text.as_bytes();
        let index = LineIndex::new(bytes);
        let x = bytes.iter().position(|&b| b == b'x').unwrap();
        assert_eq!(index.position(bytes, x), (1, 1001));
        assert_eq!(index.position(bytes, bytes.len()), (1, 1702));
    }

    #[test]
    fn crlf_lines() {
        let text = b"a\r\nb\r\nc";
        let index = LineIndex::new(text);
        let as_str = std::str::from_utf8(text).unwrap();
        assert_eq!(index.line(as_str, 1), Some("a"));
        assert_eq!(index.line(as_str, 3), Some("c"));
        assert_eq!(index.line(as_str, 4), None);
        assert_eq!(index.line(as_str, 0), None);
        assert_eq!(index.position(text, 3), (2, 1));
        assert_eq!(index.position(text, 6), (3, 1));
        assert_eq!(positions(text, None, &[6, 3]), vec![(3, 1, 1), (2, 1, 1)]);
    }

    #[test]
    fn a_split_pass_over_a_large_text_agrees_with_the_index() {
        let mut text = String::new();
        let mut i = 0;
        while text.len() < 9 << 20 {
            text.push_str(if i % 7 == 0 { "é€\n" } else { "abcdefghé" });
            if i % 1000 == 0 {
                text.push_str(&"x".repeat(5000));
            }
            i += 1;
        }
        let bytes = text.as_bytes();
        let index = LineIndex::new(bytes);
        let offsets: Vec<usize> = (0..bytes.len())
            .step_by(99_991)
            .chain([bytes.len()])
            .rev()
            .collect();
        let batch = positions(bytes, None, &offsets);
        assert_eq!(positions(bytes, Some(&counted(bytes)), &offsets), batch);
        for (&offset, &(line, column, bytes_in)) in offsets.iter().zip(&batch) {
            assert_eq!(
                (line, column),
                index.position(bytes, offset),
                "offset {offset}"
            );
            assert_eq!(bytes_in, index.byte_column(offset), "offset {offset}");
        }
    }

    /// Counted as the UTF-8 check counts: groups of whole blocks.
    fn counted(text: &[u8]) -> BlockCounts {
        let mut counts = BlockCounts::default();
        for group in text.chunks(3 * COUNT_BLOCK) {
            counts.push(group);
        }
        counts
    }

    #[test]
    fn block_counts_give_what_the_pass_gives() {
        // Newlines, CRLF and characters of 2-4 bytes on and around block boundaries, a line
        // that spans blocks, a block of no newline, a newline as a block's last byte.
        let pieces = ["a", "\n", "\r\n", "é", "€", "𐐀", "xyz", "\n\n"];
        let mut text = String::new();
        let mut i = 0usize;
        while text.len() < 5 * COUNT_BLOCK {
            text.push_str(pieces[(i * 7 + i / 5) % pieces.len()]);
            if i % 97 == 0 {
                text.push_str(&"b".repeat(COUNT_BLOCK));
            }
            i += 1;
        }
        for len in [
            0,
            1,
            COUNT_BLOCK - 1,
            COUNT_BLOCK,
            2 * COUNT_BLOCK + 5,
            text.len(),
        ] {
            let mut end = len.min(text.len());
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            let bytes = &text.as_bytes()[..end];
            let offsets: Vec<usize> = (0..=end)
                .filter(|o| text.is_char_boundary(*o))
                .rev()
                .collect();
            assert_eq!(
                positions(bytes, Some(&counted(bytes)), &offsets),
                positions(bytes, None, &offsets),
                "{end} bytes"
            );
        }
        // Counts of another text are not used.
        let bytes = text.as_bytes();
        let other = counted(&bytes[..COUNT_BLOCK]);
        assert_eq!(
            positions(bytes, Some(&other), &[bytes.len()]),
            positions(bytes, None, &[bytes.len()])
        );
    }

    #[test]
    fn batch_agrees_with_the_index_in_any_order() {
        let text = "{\n  \"é\": \"x\",\n  \"b\": \"y\"\n}".as_bytes();
        let index = LineIndex::new(text);
        let offsets: Vec<usize> = (0..=text.len()).rev().collect();
        let batch = positions(text, None, &offsets);
        for (&offset, &(line, column, bytes)) in offsets.iter().zip(&batch) {
            assert_eq!(
                (line, column),
                index.position(text, offset),
                "offset {offset}"
            );
            assert_eq!(bytes, index.byte_column(offset), "offset {offset}");
        }
    }

    #[test]
    fn a_cursor_counts_a_character_split_across_chunks_once() {
        let text = "aé\nbé".as_bytes();
        let mut cursor = Cursor::at_line(1);
        for chunk in text.chunks(1) {
            cursor.advance(chunk);
        }
        assert_eq!(cursor.position(), (2, 3));
        assert_eq!(position_of(text, text.len(), 1), (2, 3));
        assert_eq!(position_of(text, 0, 5), (5, 1));
    }
}
