//! One module directory's `.tf` and `.tf.json` files, parsed with hcl-edit (which keeps spans; a
//! JSON file is converted to native text first, see `json`), and lookups of the blocks
//! tracegate reads.

use crate::finding::Location;
use crate::support::line_index::LineIndex;
use hcl_edit::expr::Expression;
use hcl_edit::structure::{Attribute, Block, Body};
use hcl_edit::Span;

#[derive(Debug)]
pub struct SourceFile {
    /// Path shown in reports: relative to the repository (or source) root.
    pub display: std::sync::Arc<str>,
    /// Whether the file lives under `.terraform/` (downloaded, not editable in the repository).
    pub downloaded: bool,
    /// The text that `body` was parsed from: the file itself, or for a JSON file the native HCL
    /// it was converted to (line-aligned with the JSON where the JSON allows; `json_lines` maps
    /// each of its lines back).
    pub text: String,
    pub index: LineIndex,
    pub body: Body,
    /// The canonical path of the file (symlinks resolved): what lookups by file are keyed on.
    pub path: std::path::PathBuf,
    /// For a JSON file: generated line (index + 1) → JSON line and column.
    pub json_lines: Option<super::json::LineMap>,
}

impl SourceFile {
    pub fn location(&self, span: Option<std::ops::Range<usize>>) -> Location {
        let start = span.map_or(0, |s| s.start);
        let (line, column) = self.index.position(self.text.as_bytes(), start);
        let (line, column) = self.json_position(line, column);
        // A JSON file's bytes are not kept (only the text converted from it), so its byte
        // columns are known only at a line's start.
        let byte_column = if self.is_json() {
            (column == 1).then_some(1)
        } else {
            Some(self.index.byte_column(start))
        };
        Location {
            file: self.display.clone(),
            line,
            column: Some(column),
            byte_column,
        }
    }

    /// A position in `text` as a position in the file itself (they differ only for JSON files).
    pub fn json_position(&self, line: u32, column: u32) -> (u32, u32) {
        match &self.json_lines {
            // A generated line on its JSON line has the JSON's columns too (see `json`).
            Some(lines) => match lines.get(line as usize - 1) {
                Some(&(json_line, _)) if json_line == line => (line, column),
                Some(&at) => at,
                None => (line, column),
            },
            None => (line, column),
        }
    }

    /// Whether the file is a JSON file (which has no comments).
    pub fn is_json(&self) -> bool {
        self.json_lines.is_some()
    }

    /// The source text of a spanned node, shortened for evidence.
    pub fn snippet(&self, span: Option<std::ops::Range<usize>>) -> String {
        crate::finding::shorten(
            span.and_then(|s| self.text.get(s))
                .unwrap_or("…")
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" "),
        )
    }
}

/// A module directory, parsed. Files that could not be read are listed in `problems`.
#[derive(Debug, Default)]
pub struct ModuleSource {
    pub dir: std::path::PathBuf,
    /// The primary files, in name order.
    pub files: Vec<SourceFile>,
    /// Override files (`override.tf`, `*_override.tf`, and `.tf.json` alike), in name order,
    /// merged into the lookups (see [`Found::attribute`], [`Found::blocks`],
    /// [`ModuleSource::local`]).
    pub overrides: Vec<SourceFile>,
    pub problems: Vec<String>,
}

/// A block or attribute, and the file it is in. A top-level block found by a lookup also carries
/// the module's override files, which its `attribute` and `blocks` merge in as Terraform does.
pub struct Found<'m, T> {
    pub file: &'m SourceFile,
    pub item: &'m T,
    /// Override files to merge into this block (empty for nested blocks and attributes).
    overrides: &'m [SourceFile],
}

// Manual impls: both fields are references, whatever T is.
impl<T> Clone for Found<'_, T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Found<'_, T> {}

impl<'m, T: Span> Found<'m, T> {
    pub fn location(&self) -> Location {
        self.file.location(self.item.span())
    }
}

/// The type a nested block stands for: its own, or the label of a `dynamic` block.
fn block_type(block: &Block) -> &str {
    if block.ident.as_str() == "dynamic" {
        block.labels.first().map_or("", |l| l.as_str())
    } else {
        block.ident.as_str()
    }
}

fn same_labels(a: &Block, b: &Block) -> bool {
    a.labels.len() == b.labels.len()
        && a.labels
            .iter()
            .zip(&b.labels)
            .all(|(x, y)| x.as_str() == y.as_str())
}

impl<'m> Found<'m, Block> {
    fn plain(file: &'m SourceFile, item: &'m Block) -> Self {
        Found {
            file,
            item,
            overrides: &[],
        }
    }

    /// The location of the block's header (its first line).
    pub fn header(&self) -> Location {
        self.location()
    }

    /// The blocks of the override files that override this one, in the order Terraform applies
    /// them (file name order, then order in the file).
    fn override_blocks(&self) -> impl Iterator<Item = Found<'m, Block>> + 'm {
        let (ident, base) = (self.item.ident.as_str(), self.item);
        self.overrides.iter().flat_map(move |file| {
            file.body
                .get_blocks(ident)
                .filter(move |b| same_labels(b, base))
                .map(move |item| Found::plain(file, item))
        })
    }

    /// An argument, with override files merged: an override's argument replaces the base's
    /// whole, the last override winning (v1.11.4 `internal/configs/module_merge_body.go`
    /// `prepareContent`: attributes replaced by name; `module_merge.go` `Variable.merge` and
    /// `ModuleCall.merge` replace each field, meta-argument and input the override sets).
    pub fn attribute(&self, key: &str) -> Option<Found<'m, Attribute>> {
        let last_override = self
            .override_blocks()
            .filter_map(|b| b.item.body.get_attribute(key).map(|item| (b.file, item)))
            .last();
        let (file, item) =
            last_override.or_else(|| self.item.body.get_attribute(key).map(|a| (self.file, a)))?;
        Some(Found {
            file,
            item,
            overrides: &[],
        })
    }

    /// Nested blocks of type `ident` (or `dynamic` blocks, for `"dynamic"`), with override files
    /// merged as `module_merge_body.go` `prepareContent` does: when an override has any block of
    /// type X or a `dynamic "X"`, every base block of type X and every base `dynamic "X"` is
    /// dropped and the override's are appended; nothing is merged deeper. Each override file is
    /// applied in turn. `lifecycle` is merged field by field in Terraform (`Resource.merge`), so
    /// its blocks are never dropped here: base first, then each override's (a later block's
    /// field wins).
    pub fn blocks(&self, ident: &'m str) -> impl Iterator<Item = Found<'m, Block>> + 'm {
        let mut merged: Vec<Found<'m, Block>> = self
            .item
            .body
            .blocks()
            .map(|item| Found::plain(self.file, item))
            .collect();
        for over in self.override_blocks() {
            let nested: Vec<&'m Block> = over.item.body.blocks().collect();
            if ident != "lifecycle" {
                let replaced: std::collections::HashSet<&str> =
                    nested.iter().map(|b| block_type(b)).collect();
                merged.retain(|b| !replaced.contains(block_type(b.item)));
            }
            merged.extend(nested.into_iter().map(|item| Found::plain(over.file, item)));
        }
        merged
            .into_iter()
            .filter(move |b| b.item.ident.as_str() == ident)
    }
}

impl<'m> Found<'m, Attribute> {
    pub fn expr(&self) -> &'m Expression {
        &self.item.value
    }

    pub fn value_location(&self) -> Location {
        self.file.location(self.item.value.span())
    }

    pub fn value_text(&self) -> String {
        self.file.snippet(self.item.value.span())
    }
}

impl ModuleSource {
    fn top_blocks<'m>(&'m self, ident: &'m str) -> impl Iterator<Item = Found<'m, Block>> + 'm {
        self.files.iter().flat_map(move |file| {
            file.body.get_blocks(ident).map(move |item| Found {
                file,
                item,
                overrides: &self.overrides,
            })
        })
    }

    fn labelled<'m>(&'m self, ident: &'m str, labels: &[&str]) -> Option<Found<'m, Block>> {
        self.top_blocks(ident).find(|b| {
            b.item.labels.len() == labels.len()
                && b.item
                    .labels
                    .iter()
                    .zip(labels)
                    .all(|(l, want)| l.as_str() == *want)
        })
    }

    /// A `resource` block, with its override files merged (`module.go` `mergeFile`).
    pub fn resource(&self, resource_type: &str, name: &str) -> Option<Found<'_, Block>> {
        self.labelled("resource", &[resource_type, name])
    }

    /// Every `resource` (or `data`, for `ident = "data"`) block of one type, in file order.
    pub fn blocks_of_type<'m>(
        &'m self,
        ident: &'m str,
        block_type: &'m str,
    ) -> impl Iterator<Item = Found<'m, Block>> + 'm {
        self.top_blocks(ident)
            .filter(move |b| b.item.labels.first().map(|l| l.as_str()) == Some(block_type))
    }

    /// A `module` block, with its override files merged.
    pub fn module_call(&self, name: &str) -> Option<Found<'_, Block>> {
        self.labelled("module", &[name])
    }

    /// A `variable` block, with its override files merged.
    pub fn variable(&self, name: &str) -> Option<Found<'_, Block>> {
        self.labelled("variable", &[name])
    }

    /// A local value: an override file's entry of the same name replaces the base's whole, the
    /// last override winning (`module_merge.go` `Local.merge`). Terraform refuses an override
    /// local without a base, so one is returned only when the base defines it.
    pub fn local(&self, name: &str) -> Option<Found<'_, Attribute>> {
        let base = self
            .top_blocks("locals")
            .find_map(|block| block.item.body.get_attribute(name).map(|a| (block.file, a)))?;
        let over = self
            .overrides
            .iter()
            .flat_map(|file| {
                file.body
                    .get_blocks("locals")
                    .filter_map(move |b| b.body.get_attribute(name).map(|a| (file, a)))
            })
            .last();
        let (file, item) = over.unwrap_or(base);
        Some(Found {
            file,
            item,
            overrides: &[],
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(name: &str, text: &str) -> SourceFile {
        SourceFile {
            display: name.into(),
            downloaded: false,
            text: text.to_owned(),
            index: LineIndex::new(text.as_bytes()),
            body: hcl_edit::parser::parse_body(text).unwrap(),
            path: name.into(),
            json_lines: None,
        }
    }

    #[test]
    fn overrides_merge_like_terraform() {
        let module = ModuleSource {
            files: vec![file(
                "main.tf",
                "resource \"t\" \"n\" {\n  a = 1\n  b = 1\n  tracing_config {\n    mode = \"Active\"\n  }\n  dynamic \"tracing_config\" {\n    for_each = []\n    content {}\n  }\n  vpc_config {}\n}\n",
            )],
            overrides: vec![
                file(
                    "a_override.tf",
                    "resource \"t\" \"n\" {\n  a = 2\n  dynamic \"tracing_config\" {\n    for_each = [1]\n    content {}\n  }\n}\n",
                ),
                file("override.tf", "resource \"t\" \"n\" {\n  a = 3\n}\n"),
            ],
            ..ModuleSource::default()
        };
        let r = module.resource("t", "n").unwrap();
        assert_eq!(&*r.file.display, "main.tf");
        let a = r.attribute("a").unwrap();
        assert_eq!(
            (&*a.file.display, a.expr().to_string().trim()),
            ("override.tf", "3")
        );
        assert_eq!(&*r.attribute("b").unwrap().file.display, "main.tf");
        // Every base tracing_config and dynamic "tracing_config" is gone; vpc_config stays.
        assert_eq!(r.blocks("tracing_config").count(), 0);
        let dynamic: Vec<_> = r.blocks("dynamic").collect();
        assert_eq!(dynamic.len(), 1);
        assert_eq!(&*dynamic[0].file.display, "a_override.tf");
        assert_eq!(r.blocks("vpc_config").count(), 1);
    }
}
