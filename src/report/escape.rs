//! Escaping for every format that carries plan values: they come from untrusted input.

use std::borrow::Cow;

/// Characters that change how text displays without showing themselves: bidirectional overrides
/// and isolates, zero-width characters, the byte-order mark. An address could otherwise read as
/// something it is not.
fn invisible(c: char) -> bool {
    matches!(c, '\u{00AD}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
}

/// Text for people: control characters (ESC, CR, newlines, …) become visible escapes, so that a
/// plan value cannot move the cursor, recolour the terminal or forge lines.
pub fn terminal(text: &str) -> Cow<'_, str> {
    if !text.chars().any(|c| c.is_control() || invisible(c)) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.chars()
            .map(|c| {
                if c.is_control() || invisible(c) {
                    c.escape_unicode().to_string()
                } else {
                    c.to_string()
                }
            })
            .collect(),
    )
}

/// XML 1.0 text: characters XML cannot hold (and invisible ones) become visible escapes;
/// quick-xml escapes markup.
pub fn xml(text: &str) -> String {
    text.chars()
        .map(|c| {
            let forbidden = (c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
                || matches!(c, '\u{FFFE}' | '\u{FFFF}');
            if forbidden || invisible(c) {
                c.escape_unicode().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// GitHub workflow command data (the message after `::`).
pub fn workflow_data(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            c if c.is_control() || invisible(c) => out.push_str(&c.escape_unicode().to_string()),
            c => out.push(c),
        }
    }
    out
}

/// GitHub workflow command property values (`file=…,title=…`): data escaping plus `:` and `,`.
pub fn workflow_property(text: &str) -> String {
    workflow_data(text).replace(':', "%3A").replace(',', "%2C")
}

/// Line and paragraph separators: JSON allows them raw, but many readers break lines on them.
fn separator(c: char) -> bool {
    matches!(c, '\u{2028}' | '\u{2029}')
}

/// Human text inside JSON reports (SARIF messages, GitLab descriptions): invisible characters,
/// line separators and control characters (ESC, BEL, CR) become visible escapes, as every other
/// format shows them; newlines and tabs stay.
pub fn visible(text: &str) -> Cow<'_, str> {
    // Printable ASCII, newlines and tabs are all most text holds: told byte by byte.
    let plain = text.bytes().fold(true, |plain, b| {
        plain & ((b' '..=b'~').contains(&b) | (b == b'\n') | (b == b'\t'))
    });
    if plain {
        return Cow::Borrowed(text);
    }
    let hidden =
        |c: char| invisible(c) || separator(c) || (c.is_control() && !matches!(c, '\n' | '\t'));
    if !text.chars().any(hidden) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.chars()
            .map(|c| {
                if hidden(c) {
                    c.escape_unicode().to_string()
                } else {
                    c.to_string()
                }
            })
            .collect(),
    )
}

/// SARIF message text (SARIF 2.1.0 §3.11.6): `[` and `]` are escaped so that a plan value cannot
/// form an embedded link, and the text is `visible`.
pub fn sarif_message(text: &str) -> String {
    let text = visible(text);
    let mut out = String::with_capacity(text.len() + 8);
    let mut from = 0;
    for at in memchr::memchr2_iter(b'[', b']', text.as_bytes()) {
        out.push_str(&text[from..at]);
        out.push('\\');
        from = at;
    }
    out.push_str(&text[from..]);
    out
}

/// A pretty JSON formatter that writes every invisible character and line separator as a
/// `\uXXXX` escape: the same value, no raw bidi bytes in the file, and the report still streams
/// to the writer (nothing is serialized twice). The layout is the inner formatter's.
struct AsciiSafe<F>(F);

impl<F: serde_json::ser::Formatter> serde_json::ser::Formatter for AsciiSafe<F> {
    fn write_string_fragment<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> std::io::Result<()> {
        // Every escaped character is U+00AD or in U+2000..=U+FFFF: its UTF-8 starts with one of
        // three lead bytes, so only those are looked at (reports are mostly ASCII).
        let bytes = fragment.as_bytes();
        let mut written = 0;
        for at in memchr::memchr3_iter(0xC2, 0xE2, 0xEF, bytes) {
            // These bytes only ever start a character (continuation bytes are 0x80..=0xBF).
            let c = fragment[at..]
                .chars()
                .next()
                .expect("a character starts here");
            if invisible(c) || separator(c) {
                writer.write_all(&bytes[written..at])?;
                write!(writer, "\\u{:04x}", c as u32)?;
                written = at + c.len_utf8();
            }
        }
        writer.write_all(&bytes[written..])
    }

    fn begin_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.begin_array(w)
    }
    fn end_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_array(w)
    }
    fn begin_array_value<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.0.begin_array_value(w, first)
    }
    fn end_array_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_array_value(w)
    }
    fn begin_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.begin_object(w)
    }
    fn end_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_object(w)
    }
    fn begin_object_key<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.0.begin_object_key(w, first)
    }
    fn begin_object_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.begin_object_value(w)
    }
    fn end_object_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_object_value(w)
    }
}

/// How a JSON report is laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// Indented, for reports people read (JSON, GitLab).
    Pretty,
    /// One line, for reports only machines read (SARIF): half the bytes of `Pretty`.
    Compact,
}

/// Writes a value as JSON with no raw invisible characters (see `AsciiSafe`), and a newline.
pub fn write_json(
    out: &mut dyn std::io::Write,
    value: &impl serde::Serialize,
    layout: Layout,
) -> std::io::Result<()> {
    fn write<F: serde_json::ser::Formatter>(
        out: &mut dyn std::io::Write,
        value: &impl serde::Serialize,
        formatter: F,
    ) -> std::io::Result<()> {
        let mut serializer =
            serde_json::Serializer::with_formatter(&mut *out, AsciiSafe(formatter));
        value.serialize(&mut serializer)?;
        Ok(())
    }
    match layout {
        Layout::Pretty => write(out, value, serde_json::ser::PrettyFormatter::new())?,
        Layout::Compact => write(out, value, serde_json::ser::CompactFormatter)?,
    }
    out.write_all(b"\n")
}

/// One value as [`write_json`] writes it compact, without the newline: a piece of a larger
/// document that is written piece by piece.
pub fn write_json_piece(
    out: &mut dyn std::io::Write,
    value: &impl serde::Serialize,
) -> std::io::Result<()> {
    let mut serializer = serde_json::Serializer::with_formatter(
        &mut *out,
        AsciiSafe(serde_json::ser::CompactFormatter),
    );
    value.serialize(&mut serializer)?;
    Ok(())
}

/// A JSON string as [`write_json_piece`] writes it, into a buffer: printable ASCII without a
/// quote or backslash (most report text) is its own JSON, anything else goes through serde.
pub fn write_json_str(out: &mut Vec<u8>, text: &str) -> std::io::Result<()> {
    // A fold, not `all`: no early exit, so the check runs many bytes at a time.
    let plain = text.bytes().fold(true, |plain, b| {
        plain & (b' '..=b'~').contains(&b) & (b != b'"') & (b != b'\\')
    });
    if plain {
        out.reserve(text.len() + 2);
        out.push(b'"');
        out.extend_from_slice(text.as_bytes());
        out.push(b'"');
        return Ok(());
    }
    write_json_piece(out, &text)
}

/// A Markdown table cell: no HTML, no Markdown syntax, no line breaks, no pipes.
pub fn markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            // No @mentions from plan values (and no autolinked URLs, below).
            '@' => out.push_str("&#64;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '(' | ')' | '#' | '+' | '!' | '|' | '~' | '{'
            | '}' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' | '\t' => out.push(' '),
            c if c.is_control() || invisible(c) => out.push_str(&c.escape_unicode().to_string()),
            c => out.push(c),
        }
    }
    // GitHub's extended autolinks (URLs, `www.`, e-mail addresses) are found after entities are
    // decoded, so they are broken with a zero-width space that no autolink spans.
    out.replace("://", ":&#8203;//")
        .replace("www.", "www&#8203;.")
        .replace("&#64;", "&#64;&#8203;")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fast paths (printable ASCII told byte by byte) give what the character-by-character
    /// reading gives, for ASCII, controls, DEL, brackets, quotes and the escaped characters.
    #[test]
    fn fast_paths_agree_with_the_character_reading() {
        use proptest::prelude::*;
        let pieces = prop::sample::select(vec![
            "a", " ", "~", "[", "]", "\"", "\\", "\n", "\t", "\r", "\u{1b}", "\u{7f}", "\u{85}",
            "\u{ad}", "\u{200b}", "\u{202e}", "\u{2028}", "\u{feff}", "é", "水",
        ]);
        proptest!(|(parts in prop::collection::vec(pieces, 0..24))| {
            let text: String = parts.concat();
            let hidden = |c: char| {
                invisible(c) || separator(c) || (c.is_control() && !matches!(c, '\n' | '\t'))
            };
            let slow_visible: String = text
                .chars()
                .map(|c| if hidden(c) { c.escape_unicode().to_string() } else { c.to_string() })
                .collect();
            let fast_visible = visible(&text);
            prop_assert_eq!(fast_visible.as_ref(), slow_visible.as_str());
            let slow_message: String = slow_visible
                .chars()
                .flat_map(|c| matches!(c, '[' | ']').then_some('\\').into_iter().chain([c]))
                .collect();
            prop_assert_eq!(sarif_message(&text), slow_message);
            let mut fast = Vec::new();
            write_json_str(&mut fast, &text).unwrap();
            let mut slow = Vec::new();
            write_json_piece(&mut slow, &text).unwrap();
            prop_assert_eq!(fast, slow);
        });
    }

    #[test]
    fn workflow_commands_cannot_be_injected() {
        let hostile = "a%0A::error::x\n::warning::y\r,b:c";
        let data = workflow_data(hostile);
        assert!(!data.contains('\n') && !data.contains('\r'));
        assert_eq!(data, "a%250A::error::x%0A::warning::y%0D,b:c");
        assert_eq!(workflow_property("a:b,c"), "a%3Ab%2Cc");
    }

    #[test]
    fn markdown_cells_hold_no_autolinks() {
        let cell = markdown("see www.evil.test or https://evil.test or me@evil.test");
        assert!(!cell.contains("www."), "{cell}");
        assert!(!cell.contains("://"), "{cell}");
        assert!(!cell.contains('@'), "{cell}");
    }

    #[test]
    fn sarif_messages_hold_no_embedded_links() {
        assert_eq!(
            sarif_message("[x](https://e.test)"),
            "\\[x\\](https://e.test)"
        );
        assert_eq!(
            sarif_message("a\u{202e}b\u{2028}c"),
            "a\\u{202e}b\\u{2028}c"
        );
    }

    #[test]
    fn json_holds_no_raw_bidi() {
        let written = |value: &str| {
            let mut out = Vec::new();
            write_json(&mut out, &value, Layout::Pretty).unwrap();
            String::from_utf8(out).unwrap()
        };
        assert_eq!(written("a\u{202e}b"), "\"a\\u202eb\"\n");
        let back: String = serde_json::from_str(&written("a\u{2066}\u{2028}")).unwrap();
        assert_eq!(back, "a\u{2066}\u{2028}");
        // Each lead byte of an escaped character, beside characters that share it and stay.
        assert_eq!(
            written("\u{00AD}\u{00A9}\u{200B}\u{2014}\u{FEFF}\u{FF01}é"),
            "\"\\u00ad\u{00A9}\\u200b\u{2014}\\ufeff\u{FF01}é\"\n"
        );
    }

    #[test]
    fn markdown_cells_hold_no_markup() {
        assert_eq!(
            markdown("a|b\n<img>[x](y)"),
            "a\\|b &lt;img&gt;\\[x\\]\\(y\\)"
        );
    }

    #[test]
    fn xml_drops_invalid_characters() {
        assert_eq!(xml("a\x1bb\nc"), "a\\u{1b}b\nc");
        assert_eq!(xml("a\u{FFFE}b\u{FFFF}"), "a\\u{fffe}b\\u{ffff}");
    }

    #[test]
    fn invisible_characters_are_shown() {
        assert_eq!(terminal("ab\u{202E}cd"), "ab\\u{202e}cd");
        assert_eq!(markdown("a\u{200B}b"), "a\\u{200b}b");
        assert_eq!(workflow_data("a\u{2066}b"), "a\\u{2066}b");
    }
}
