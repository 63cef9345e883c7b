//! `.tf.json` and `.tfvars.json` files, read into the same hcl-edit model as native files.
//!
//! A JSON file is converted to the native HCL text that means the same thing, and that text is
//! parsed with hcl-edit, so every lookup and evaluation works on one model. The generated text
//! is laid out so that each block header and argument sits on the line and column of the JSON key
//! that opens it, and each argument's value at the JSON value's column (blank lines and spaces pad
//! it out): for JSON written one key per line, positions in the generated text are positions in
//! the JSON, and a literal string value spans the same columns (so a replacement edit lands on
//! the JSON value). Where the JSON puts several items on one line, the generated text moves on to
//! later lines and a per-line table maps each generated line back to the JSON line and the column
//! of the key that opened it ([`LineMap`]). `SourceFile::location` uses the table, so reports name the
//! `.tf.json` file at its own lines; `SourceFile::text` holds the generated HCL (snippets show
//! it).
//!
//! Meaning follows Terraform (`website/docs/language/syntax/json.mdx`; hcl v2.23.0
//! `json/structure.go` and `json/spec.md`): the root object's keys are block types, each label
//! one more object level, the body an object or an array of objects; `"//"` keys are skipped in
//! block bodies (`structure.go` `Content`/`JustAttributes`), not in expressions. A JSON string is
//! a template where Terraform evaluates with a context (resource and module arguments, `locals`,
//! output `value`, `count`, `for_each`) and a literal where it decodes with a nil context
//! (`(*expression).Value`: variable `default`/`description`/`sensitive`, module `source`/
//! `version`, lifecycle flags, and every value of a variable file). `type`, `provider`,
//! `depends_on`, `ignore_changes`, `replace_triggered_by`, `iterator` and module `providers`
//! values are expressions written as strings. Which object keys are nested blocks comes from the
//! provider schema in Terraform; tracegate knows the blocks it reads (see [`RESOURCE_BLOCKS`])
//! and reads every other object as an argument.

use crate::support::line_index::LineIndex;

/// Nesting deeper than this is refused (parsing recurses once per level).
const MAX_DEPTH: usize = 128;

/// Nested block types of the resources tracegate reads, for `aws_*` resources. `awscc_*`
/// resources have no nested blocks (their `tracing_config` is an object argument).
pub const RESOURCE_BLOCKS: &[&str] = &[
    "tracing_config",
    "vpc_config",
    "environment",
    "dead_letter_config",
    "file_system_config",
    "image_config",
    "ephemeral_storage",
    "snap_start",
    "logging_config",
    "timeouts",
];

/// Generated line (index + 1) → JSON line and column.
pub type LineMap = Vec<(u32, u32)>;

#[derive(Debug)]
enum Value {
    Null,
    Bool(bool),
    Number(String),
    Str(String),
    Array(Vec<Node>),
    Object(Vec<(Key, Node)>),
}

#[derive(Debug)]
struct Node {
    at: usize,
    end: usize,
    value: Value,
}

#[derive(Debug)]
struct Key {
    name: String,
    at: usize,
}

struct Parser<'t> {
    text: &'t [u8],
    pos: usize,
}

impl Parser<'_> {
    fn err<T>(&self, what: &str) -> Result<T, String> {
        Err(format!("{what} at byte {}", self.pos))
    }

    fn ws(&mut self) {
        while self
            .text
            .get(self.pos)
            .is_some_and(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
        {
            self.pos += 1;
        }
    }

    fn value(&mut self, depth: usize) -> Result<Node, String> {
        if depth > MAX_DEPTH {
            return self.err("JSON nested too deep");
        }
        self.ws();
        let at = self.pos;
        let value =
            match self.text.get(self.pos) {
                Some(b'{') => {
                    self.pos += 1;
                    let mut members = Vec::new();
                    self.ws();
                    if self.text.get(self.pos) == Some(&b'}') {
                        self.pos += 1;
                    } else {
                        loop {
                            self.ws();
                            let key_at = self.pos;
                            if self.text.get(self.pos) != Some(&b'"') {
                                return self.err("expected a string key");
                            }
                            let name = self.string()?;
                            self.ws();
                            if self.text.get(self.pos) != Some(&b':') {
                                return self.err("expected ':'");
                            }
                            self.pos += 1;
                            let value = self.value(depth + 1)?;
                            members.push((Key { name, at: key_at }, value));
                            self.ws();
                            match self.text.get(self.pos) {
                                Some(b',') => self.pos += 1,
                                Some(b'}') => {
                                    self.pos += 1;
                                    break;
                                }
                                _ => return self.err("expected ',' or '}'"),
                            }
                        }
                    }
                    Value::Object(members)
                }
                Some(b'[') => {
                    self.pos += 1;
                    let mut items = Vec::new();
                    self.ws();
                    if self.text.get(self.pos) == Some(&b']') {
                        self.pos += 1;
                    } else {
                        loop {
                            items.push(self.value(depth + 1)?);
                            self.ws();
                            match self.text.get(self.pos) {
                                Some(b',') => self.pos += 1,
                                Some(b']') => {
                                    self.pos += 1;
                                    break;
                                }
                                _ => return self.err("expected ',' or ']'"),
                            }
                        }
                    }
                    Value::Array(items)
                }
                Some(b'"') => Value::Str(self.string()?),
                Some(b't') if self.text[self.pos..].starts_with(b"true") => {
                    self.pos += 4;
                    Value::Bool(true)
                }
                Some(b'f') if self.text[self.pos..].starts_with(b"false") => {
                    self.pos += 5;
                    Value::Bool(false)
                }
                Some(b'n') if self.text[self.pos..].starts_with(b"null") => {
                    self.pos += 4;
                    Value::Null
                }
                Some(b'-' | b'0'..=b'9') => {
                    let start = self.pos;
                    while self.text.get(self.pos).is_some_and(|b| {
                        matches!(b, b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9')
                    }) {
                        self.pos += 1;
                    }
                    let number = std::str::from_utf8(&self.text[start..self.pos]).unwrap_or("");
                    if serde_json::from_str::<serde_json::Number>(number).is_err() {
                        return self.err("invalid number");
                    }
                    Value::Number(number.to_owned())
                }
                _ => return self.err("expected a JSON value"),
            };
        Ok(Node {
            at,
            end: self.pos,
            value,
        })
    }

    /// A string at `pos` (which holds `"`), decoded by serde_json.
    fn string(&mut self) -> Result<String, String> {
        let start = self.pos;
        self.pos += 1;
        loop {
            match self.text.get(self.pos) {
                Some(b'\\') => self.pos += 2,
                Some(b'"') => {
                    self.pos += 1;
                    break;
                }
                Some(_) => self.pos += 1,
                None => return self.err("unterminated string"),
            }
        }
        let raw = std::str::from_utf8(&self.text[start..self.pos.min(self.text.len())])
            .map_err(|_| "invalid UTF-8".to_owned())?;
        serde_json::from_str(raw).map_err(|e| format!("invalid string at byte {start}: {e}"))
    }
}

fn parse(text: &str) -> Result<Node, String> {
    let mut parser = Parser {
        text: text.as_bytes(),
        pos: 0,
    };
    let node = parser.value(0)?;
    parser.ws();
    if parser.pos != text.len() {
        return parser.err("trailing text after the JSON value");
    }
    Ok(node)
}

/// How a string is read where it stands.
#[derive(Clone, Copy, PartialEq)]
enum Mode {
    /// A template (an evaluation context is present).
    Template,
    /// A literal string (decoded with a nil context).
    Literal,
    /// An expression written as a string (`type`, `provider`, `depends_on`, …).
    Raw,
}

/// What kind of body is being converted.
#[derive(Clone, Copy)]
enum Ctx<'a> {
    Resource(&'a str),
    /// A nested block of a resource (template arguments, no further known blocks).
    Nested,
    Lifecycle,
    Dynamic,
    Module,
    Variable,
    Output,
    Provider,
    /// Template arguments, no known blocks (provisioners, conditions, validation…).
    Generic,
}

struct Gen<'t> {
    json: &'t str,
    index: LineIndex,
    out: String,
    map: LineMap,
}

fn is_ident(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || c == '_' || c == '-')
}

/// Escapes a literal piece of template source for an HCL quoted string: backslash escapes only
/// (`$${` and `%%{` mean the same in both).
fn escape(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
}

/// A literal string as an HCL quoted string: template sequences are escaped.
fn literal(text: &str) -> String {
    let mut out = String::from("\"");
    let mut escaped = String::new();
    escape(text, &mut escaped);
    out.push_str(&escaped.replace("${", "$${").replace("%{", "%%{"));
    out.push('"');
    out
}

enum Piece<'s> {
    Text(&'s str),
    /// `${…}` (the inner text) or `%{…}` (the whole sequence).
    Interp(&'s str),
    Directive(&'s str),
}

/// The end (index after the closing brace) of a `${`/`%{` sequence whose body starts at `from`.
fn sequence_end(s: &[u8], mut i: usize, depth_left: usize) -> Option<usize> {
    if depth_left == 0 {
        return None;
    }
    let mut depth = 1;
    while i < s.len() {
        match s[i] {
            b'{' => depth += 1,
            b'}' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i + 1);
                }
            }
            b'"' => {
                i += 1;
                while i < s.len() && s[i] != b'"' {
                    if s[i] == b'\\' {
                        i += 1;
                    } else if s[i..].starts_with(b"${") || s[i..].starts_with(b"%{") {
                        i = sequence_end(s, i + 2, depth_left - 1)? - 1;
                    }
                    i += 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// Splits template source into literal text and sequences (hclsyntax template syntax: `$${` and
/// `%%{` are literal).
fn pieces(s: &str) -> Result<Vec<Piece<'_>>, String> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let (mut i, mut text_start) = (0, 0);
    while i < b.len() {
        if b[i..].starts_with(b"$${") || b[i..].starts_with(b"%%{") {
            i += 3;
        } else if b[i..].starts_with(b"${") || b[i..].starts_with(b"%{") {
            if text_start < i {
                out.push(Piece::Text(&s[text_start..i]));
            }
            let end = sequence_end(b, i + 2, 16)
                .ok_or_else(|| format!("unterminated template sequence in {s:?}"))?;
            out.push(if b[i] == b'$' {
                Piece::Interp(&s[i + 2..end - 1])
            } else {
                Piece::Directive(&s[i..end])
            });
            i = end;
            text_start = i;
        } else {
            i += 1;
        }
    }
    if text_start < b.len() {
        out.push(Piece::Text(&s[text_start..]));
    }
    Ok(out)
}

/// An expression written as a string, on one line.
fn raw(expr: &str) -> String {
    if expr.contains(['\n', '\r']) {
        format!("({expr})")
    } else {
        expr.to_owned()
    }
}

/// A JSON string read as a template. One `${…}` and nothing else is the expression itself
/// (hclsyntax's interpolation unwrapping).
fn template(s: &str) -> Result<String, String> {
    let pieces = pieces(s)?;
    if let [Piece::Interp(inner)] = pieces.as_slice() {
        let inner = inner.trim_start_matches('~').trim_end_matches('~').trim();
        return Ok(raw(inner));
    }
    let mut out = String::from("\"");
    for piece in pieces {
        match piece {
            Piece::Text(text) => escape(text, &mut out),
            Piece::Interp(inner) => {
                out.push_str("${");
                out.push_str(inner);
                out.push('}');
            }
            Piece::Directive(all) => out.push_str(all),
        }
    }
    out.push('"');
    Ok(out)
}

fn expr(node: &Node, mode: Mode) -> Result<String, String> {
    Ok(match &node.value {
        Value::Null => "null".to_owned(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.clone(),
        Value::Str(s) => match mode {
            Mode::Template => template(s)?,
            Mode::Literal => literal(s),
            Mode::Raw => raw(s),
        },
        Value::Array(items) => {
            let items: Result<Vec<String>, String> = items.iter().map(|i| expr(i, mode)).collect();
            format!("[{}]", items?.join(", "))
        }
        Value::Object(members) => {
            let mut parts = Vec::new();
            for (key, value) in members {
                let key = match mode {
                    Mode::Template => template(&key.name)?,
                    _ => literal(&key.name),
                };
                // An object key that is one interpolation is an expression key: parenthesize it.
                let key = if key.starts_with('"') {
                    key
                } else {
                    format!("({key})")
                };
                parts.push(format!("{key} = {}", expr(value, mode)?));
            }
            format!("{{{}}}", parts.join(", "))
        }
    })
}

impl Gen<'_> {
    /// Starts a generated line for the JSON text at byte `at`: on that JSON line when the output
    /// has not passed it yet.
    fn begin(&mut self, at: usize) {
        let (line, column) = self.index.position(self.json.as_bytes(), at);
        if !self.map.is_empty() {
            self.out.push('\n');
        }
        while (self.map.len() as u32) + 1 < line {
            let n = self.map.len() as u32 + 1;
            self.map.push((n, 1));
            self.out.push('\n');
        }
        self.map.push((line, column));
        if self.map.len() as u32 == line {
            // On the JSON's own line: start at the JSON's column too.
            self.pad_to(column);
        }
    }

    /// Pads the current line with spaces up to 1-based `column` (when it is not past it).
    fn pad_to(&mut self, column: u32) {
        let line_start = self.out.rfind('\n').map_or(0, |i| i + 1);
        let current = self.out[line_start..].chars().count() as u32 + 1;
        for _ in current..column {
            self.out.push(' ');
        }
    }

    /// Bodies of a block: one object, or an array of objects (several blocks).
    fn bodies<'n>(&self, node: &'n Node, what: &str) -> Result<Vec<&'n Node>, String> {
        match &node.value {
            Value::Object(_) => Ok(vec![node]),
            Value::Array(items) if items.iter().all(|i| matches!(i.value, Value::Object(_))) => {
                Ok(items.iter().collect())
            }
            _ => Err(format!(
                "{what}: a block body must be an object or an array of objects"
            )),
        }
    }

    /// A block of type `kind` whose JSON value is `node` (after `labels` levels of labels).
    fn block(
        &mut self,
        kind: &str,
        labels_left: usize,
        labels: &mut Vec<String>,
        key_at: usize,
        node: &Node,
        ctx: &dyn Fn(&[String]) -> Ctx<'static>,
    ) -> Result<(), String> {
        if labels_left > 0 {
            let Value::Object(members) = &node.value else {
                // An array at a label level keeps order: each element is one more nesting.
                if let Value::Array(items) = &node.value {
                    for item in items {
                        self.block(kind, labels_left, labels, item.at, item, ctx)?;
                    }
                    return Ok(());
                }
                return Err(format!("{kind}: expected an object of labels"));
            };
            for (key, value) in members {
                labels.push(key.name.clone());
                self.block(kind, labels_left - 1, labels, key.at, value, ctx)?;
                labels.pop();
            }
            return Ok(());
        }
        let bodies = self.bodies(node, kind)?;
        let several = bodies.len() > 1;
        for body in bodies {
            self.begin(if several { body.at } else { key_at });
            self.out.push_str(kind);
            for label in labels.iter() {
                self.out.push(' ');
                self.out.push('"');
                escape(label, &mut self.out);
                self.out.push('"');
            }
            self.out.push_str(" {");
            self.body(body, ctx(labels))?;
            self.begin(body.end.saturating_sub(1));
            self.out.push('}');
        }
        Ok(())
    }

    fn attribute(&mut self, key: &Key, value_node: &Node, mode: Mode) -> Result<(), String> {
        if !is_ident(&key.name) {
            return Err(format!("{:?} is not a valid argument name", key.name));
        }
        let value = expr(value_node, mode)?;
        self.begin(key.at);
        self.out.push_str(&key.name);
        self.out.push_str(" = ");
        let (line, column) = self.index.position(self.json.as_bytes(), value_node.at);
        if self.map.len() as u32 == line {
            self.pad_to(column);
        }
        self.out.push_str(&value);
        Ok(())
    }

    fn body(&mut self, node: &Node, ctx: Ctx) -> Result<(), String> {
        let Value::Object(members) = &node.value else {
            return Err("a block body must be an object".to_owned());
        };
        for (key, value) in members {
            let name = key.name.as_str();
            if name == "//" {
                continue;
            }
            let is_object = matches!(value.value, Value::Object(_))
                || matches!(&value.value, Value::Array(items) if !items.is_empty() && items.iter().all(|i| matches!(i.value, Value::Object(_))));
            let generic: &dyn Fn(&[String]) -> Ctx<'static> = &|_| Ctx::Generic;
            let nested: &dyn Fn(&[String]) -> Ctx<'static> = &|_| Ctx::Nested;
            match (ctx, name) {
                (Ctx::Resource(_), "count" | "for_each") => {
                    self.attribute(key, value, Mode::Template)?
                }
                (Ctx::Resource(_) | Ctx::Output | Ctx::Module, "depends_on")
                | (Ctx::Resource(_), "provider")
                | (Ctx::Lifecycle, "ignore_changes" | "replace_triggered_by")
                | (Ctx::Dynamic, "iterator")
                | (Ctx::Variable, "type") => self.attribute(key, value, Mode::Raw)?,
                (Ctx::Resource(_), "lifecycle") => {
                    self.block(name, 0, &mut Vec::new(), key.at, value, &|_| Ctx::Lifecycle)?
                }
                (Ctx::Resource(_), "connection") => {
                    self.block(name, 0, &mut Vec::new(), key.at, value, generic)?
                }
                (Ctx::Resource(_), "provisioner") => {
                    self.block(name, 1, &mut Vec::new(), key.at, value, generic)?
                }
                (Ctx::Resource(_) | Ctx::Nested, "dynamic") => {
                    self.block(name, 1, &mut Vec::new(), key.at, value, &|_| Ctx::Dynamic)?
                }
                (Ctx::Dynamic, "content") => {
                    self.block(name, 0, &mut Vec::new(), key.at, value, nested)?
                }
                (Ctx::Resource(t), _)
                    if is_object && t.starts_with("aws_") && RESOURCE_BLOCKS.contains(&name) =>
                {
                    self.block(name, 0, &mut Vec::new(), key.at, value, nested)?
                }
                (Ctx::Lifecycle, "create_before_destroy" | "prevent_destroy")
                | (Ctx::Module, "source" | "version")
                | (
                    Ctx::Variable,
                    "default" | "description" | "sensitive" | "nullable" | "ephemeral",
                )
                | (Ctx::Output, "description" | "sensitive" | "ephemeral")
                | (Ctx::Provider, "alias" | "version") => {
                    self.attribute(key, value, Mode::Literal)?
                }
                (Ctx::Lifecycle | Ctx::Output, "precondition" | "postcondition")
                | (Ctx::Variable, "validation") => {
                    self.block(name, 0, &mut Vec::new(), key.at, value, generic)?
                }
                (Ctx::Module, "providers") => {
                    let Value::Object(members) = &value.value else {
                        return Err("module providers must be an object".to_owned());
                    };
                    let mut parts = Vec::new();
                    for (k, v) in members {
                        parts.push(format!("{} = {}", raw(&k.name), expr(v, Mode::Raw)?));
                    }
                    self.begin(key.at);
                    self.out
                        .push_str(&format!("providers = {{{}}}", parts.join(", ")));
                }
                _ => self.attribute(key, value, Mode::Template)?,
            }
        }
        Ok(())
    }
}

/// A converted file: the generated HCL text and its line table.
#[derive(Debug)]
pub struct Converted {
    pub text: String,
    pub lines: LineMap,
}

/// Converts a `.tf.json` configuration file.
pub fn config(json: &str) -> Result<Converted, String> {
    let root = parse(json)?;
    let mut gen = Gen {
        json,
        index: LineIndex::new(json.as_bytes()),
        out: String::new(),
        map: Vec::new(),
    };
    let Value::Object(members) = &root.value else {
        return Err("the root of a .tf.json file must be an object".to_owned());
    };
    for (key, value) in members {
        let labels = &mut Vec::new();
        match key.name.as_str() {
            "resource" | "data" => gen.block(&key.name, 2, labels, key.at, value, &|labels| {
                // The resource type decides which keys are nested blocks.
                if labels.first().is_some_and(|t| t.starts_with("aws_")) {
                    Ctx::Resource("aws_")
                } else {
                    Ctx::Resource("")
                }
            })?,
            "module" => gen.block("module", 1, labels, key.at, value, &|_| Ctx::Module)?,
            "variable" => gen.block("variable", 1, labels, key.at, value, &|_| Ctx::Variable)?,
            "output" => gen.block("output", 1, labels, key.at, value, &|_| Ctx::Output)?,
            "provider" => gen.block("provider", 1, labels, key.at, value, &|_| Ctx::Provider)?,
            "locals" => gen.block("locals", 0, labels, key.at, value, &|_| Ctx::Generic)?,
            // "//" comments, and blocks tracegate does not read (terraform, moved, import,
            // check, removed, ephemeral…).
            _ => {}
        }
    }
    Ok(Converted {
        text: gen.out,
        lines: gen.map,
    })
}

/// Converts a `.tfvars.json` variable file: an object of name → value, every value constant
/// (`addVarsFromFile`: `JustAttributes`, `Value(nil)`).
pub fn tfvars(json: &str) -> Result<Converted, String> {
    let root = parse(json)?;
    let mut gen = Gen {
        json,
        index: LineIndex::new(json.as_bytes()),
        out: String::new(),
        map: Vec::new(),
    };
    let Value::Object(members) = &root.value else {
        return Err("the root of a .tfvars.json file must be an object".to_owned());
    };
    for (key, value) in members {
        if key.name == "//" || !is_ident(&key.name) {
            continue;
        }
        gen.attribute(key, value, Mode::Literal)?;
    }
    Ok(Converted {
        text: gen.out,
        lines: gen.map,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates() {
        assert_eq!(template("${var.mode}").unwrap(), "var.mode");
        assert_eq!(template("Active").unwrap(), "\"Active\"");
        assert_eq!(
            template("a-${var.x}-\"b\"").unwrap(),
            "\"a-${var.x}-\\\"b\\\"\""
        );
        assert_eq!(
            template("${lookup(var.m, \"k\")}").unwrap(),
            "lookup(var.m, \"k\")"
        );
        assert_eq!(template("$${x}").unwrap(), "\"$${x}\"");
        assert_eq!(literal("${true}"), "\"$${true}\"");
        assert!(template("${oops").is_err());
    }

    #[test]
    fn lines_follow_the_json() {
        let json = "{\n  \"resource\": {\n    \"aws_lambda_function\": {\n      \"f\": {\n        \"//\": \"note\",\n        \"tracing_config\": {\n          \"mode\": \"${var.mode}\"\n        }\n      }\n    }\n  }\n}\n";
        let converted = config(json).unwrap();
        let body = hcl_edit::parser::parse_body(&converted.text).unwrap();
        let block = body.get_blocks("resource").next().unwrap();
        let (line, _) = LineIndex::new(converted.text.as_bytes())
            .position(converted.text.as_bytes(), block.span().unwrap().start);
        assert_eq!(converted.lines[line as usize - 1].0, 4);
        let tracing = block.body.get_blocks("tracing_config").next().unwrap();
        let mode = tracing.body.get_attribute("mode").unwrap();
        assert_eq!(mode.value.to_string().trim(), "var.mode");
        use hcl_edit::Span;
        let (line, _) = LineIndex::new(converted.text.as_bytes())
            .position(converted.text.as_bytes(), mode.span().unwrap().start);
        assert_eq!(line, 7, "pretty JSON keeps its lines in the generated text");
    }

    #[test]
    fn one_line_json_maps_back() {
        let json = "{\"locals\": {\"a\": \"x\", \"b\": 1}, \"variable\": {\"v\": {\"default\": \"${x}\", \"type\": \"string\"}}}";
        let converted = config(json).unwrap();
        let body = hcl_edit::parser::parse_body(&converted.text).unwrap();
        assert!(converted.lines.iter().all(|(l, _)| *l == 1));
        let var = body.get_blocks("variable").next().unwrap();
        let default = var.body.get_attribute("default").unwrap();
        assert_eq!(default.value.as_str(), Some("${x}"));
    }

    #[test]
    fn blocks_and_arguments_follow_terraform() {
        let json = r#"{
  "//": "root comment",
  "module": {"m": {"source": "./m", "providers": {"aws": "aws.usw1"}, "tracing_mode": "${var.mode}", "depends_on": ["aws_iam_role.r"]}},
  "variable": {"v": {"type": "list(string)", "default": ["${x}"], "sensitive": "true"}},
  "resource": {"aws_lambda_function": {"f": [
    {"dynamic": {"tracing_config": {"for_each": "${var.on ? [1] : []}", "iterator": "it", "content": {"mode": "Active"}}},
     "lifecycle": {"ignore_changes": ["tags"], "prevent_destroy": "true"},
     "tags": {"//": "a key in an expression", "k": "v"}}
  ]},
  "awscc_lambda_function": {"g": {"tracing_config": {"mode": "Active"}}}},
  "terraform": {"required_version": ">= 1.0"}
}"#;
        let converted = config(json).unwrap();
        let body = hcl_edit::parser::parse_body(&converted.text)
            .unwrap_or_else(|e| panic!("{e}\n{}", converted.text));
        let module = body.get_blocks("module").next().unwrap();
        let attr = |b: &hcl_edit::structure::Block, k: &str| {
            b.body
                .get_attribute(k)
                .unwrap()
                .value
                .to_string()
                .trim()
                .to_owned()
        };
        assert_eq!(attr(module, "source"), "\"./m\"");
        assert_eq!(attr(module, "tracing_mode"), "var.mode");
        assert_eq!(attr(module, "providers"), "{aws = aws.usw1}");
        assert_eq!(attr(module, "depends_on"), "[aws_iam_role.r]");
        let variable = body.get_blocks("variable").next().unwrap();
        assert_eq!(attr(variable, "type"), "list(string)");
        assert_eq!(
            attr(variable, "default"),
            "[\"$${x}\"]",
            "a literal, not a template"
        );
        assert_eq!(attr(variable, "sensitive"), "\"true\"");
        let resources: Vec<_> = body.get_blocks("resource").collect();
        let f = resources[0];
        let dynamic = f.body.get_blocks("dynamic").next().unwrap();
        assert_eq!(dynamic.labels[0].as_str(), "tracing_config");
        assert_eq!(attr(dynamic, "for_each"), "var.on ? [1] : []");
        assert_eq!(attr(dynamic, "iterator"), "it");
        let content = dynamic.body.get_blocks("content").next().unwrap();
        assert_eq!(attr(content, "mode"), "\"Active\"");
        let lifecycle = f.body.get_blocks("lifecycle").next().unwrap();
        assert_eq!(attr(lifecycle, "ignore_changes"), "[tags]");
        assert_eq!(
            attr(f, "tags"),
            "{\"//\" = \"a key in an expression\", \"k\" = \"v\"}"
        );
        // awscc's tracing_config is an object argument, not a block.
        let g = resources[1];
        assert!(g.body.get_blocks("tracing_config").next().is_none());
        assert_eq!(attr(g, "tracing_config"), "{\"mode\" = \"Active\"}");
        assert!(body.get_blocks("terraform").next().is_none());
    }

    #[test]
    fn deep_or_broken_json_is_an_error_not_a_crash() {
        let deep = format!(
            "{{\"locals\": {{\"x\": {}1{}}}}}",
            "[".repeat(100_000),
            "]".repeat(100_000)
        );
        assert!(config(&deep).unwrap_err().contains("too deep"));
        for broken in [
            "",
            "{",
            "{\"a\": }",
            "[1]",
            "{\"resource\": {\"t\": {\"n\": 1}}}",
            "{} x",
        ] {
            assert!(config(broken).is_err(), "{broken:?}");
        }
        assert!(tfvars("{\"a\": \"${x}\", \"//\": 1}").is_ok());
    }
}
