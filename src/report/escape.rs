//! Escaping for every format that carries plan values: they come from untrusted input.

use std::borrow::Cow;

/// Text for people: control characters (ESC, CR, newlines, …) become visible escapes, so that a
/// plan value cannot move the cursor, recolour the terminal or forge lines.
pub fn terminal(text: &str) -> Cow<'_, str> {
    if !text.chars().any(char::is_control) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.chars()
            .map(|c| {
                if c.is_control() {
                    c.escape_unicode().to_string()
                } else {
                    c.to_string()
                }
            })
            .collect(),
    )
}

/// XML 1.0 text: characters XML cannot hold become visible escapes; quick-xml escapes markup.
pub fn xml(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() && !matches!(c, '\t' | '\n' | '\r') {
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
            c if c.is_control() => out.push_str(&c.escape_unicode().to_string()),
            c => out.push(c),
        }
    }
    out
}

/// GitHub workflow command property values (`file=…,title=…`): data escaping plus `:` and `,`.
pub fn workflow_property(text: &str) -> String {
    workflow_data(text).replace(':', "%3A").replace(',', "%2C")
}

/// A Markdown table cell: no HTML, no Markdown syntax, no line breaks, no pipes.
pub fn markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '(' | ')' | '#' | '+' | '!' | '|' | '~' | '{'
            | '}' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' | '\t' => out.push(' '),
            c if c.is_control() => out.push_str(&c.escape_unicode().to_string()),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workflow_commands_cannot_be_injected() {
        let hostile = "a%0A::error::x\n::warning::y\r,b:c";
        let data = workflow_data(hostile);
        assert!(!data.contains('\n') && !data.contains('\r'));
        assert_eq!(data, "a%250A::error::x%0A::warning::y%0D,b:c");
        assert_eq!(workflow_property("a:b,c"), "a%3Ab%2Cc");
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
    }
}
