//! Where entries sit in the plan text, for findings located in the plan file itself.

/// 1-based (line, column) of each byte offset in `text`, in the order given; one pass over the
/// text up to the largest offset.
pub fn line_columns(text: &[u8], offsets: &[usize]) -> Vec<(u32, u32)> {
    let mut order: Vec<usize> = (0..offsets.len()).collect();
    order.sort_unstable_by_key(|&i| offsets[i]);
    let mut result = vec![(1, 1); offsets.len()];
    let end = offsets.iter().copied().max().unwrap_or(0).min(text.len());
    // One forward pass over the newlines before the last offset (none in a one-line plan).
    let mut newlines = memchr::memchr_iter(b'\n', &text[..end]).peekable();
    let (mut line, mut line_start) = (1u32, 0usize);
    for i in order {
        let offset = offsets[i].min(text.len());
        while let Some(&at) = newlines.peek() {
            if at >= offset {
                break;
            }
            line += 1;
            line_start = at + 1;
            newlines.next();
        }
        // The offset points at the string's first character; its opening quote is one before.
        let column = (offset - line_start).max(1) as u32;
        result[i] = (line, column);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_columns_in_any_order() {
        let text = b"{\n  \"a\": \"x\",\n  \"b\": \"y\"\n}";
        let a = text.iter().position(|&b| b == b'x').unwrap();
        let b = text.iter().position(|&b| b == b'y').unwrap();
        // Column of the opening quote of the string whose first character is at the offset.
        assert_eq!(line_columns(text, &[b, a]), vec![(3, 8), (2, 8)]);
    }
}
