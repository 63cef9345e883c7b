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
    pub display: String,
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
        let (line, column) = span.map_or((1, 1), |s| {
            self.index.position(self.text.as_bytes(), s.start)
        });
        let (line, column) = self.json_position(line, column);
        Location {
            file: self.display.clone(),
            line,
            column: Some(column),
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
    /// Override files (`override.tf`, `*_override.tf`, and `.tf.json` alike), in name order. They
    /// are not merged: a resource, module call, variable or local that one of them touches is not
    /// looked up at all (see [`ModuleSource::overridden`]).
    pub overrides: Vec<SourceFile>,
    pub problems: Vec<String>,
}

/// A block or attribute, and the file it is in.
pub struct Found<'m, T> {
    pub file: &'m SourceFile,
    pub item: &'m T,
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

impl<'m> Found<'m, Block> {
    /// The location of the block's header (its first line).
    pub fn header(&self) -> Location {
        self.location()
    }

    pub fn attribute(&self, key: &str) -> Option<Found<'m, Attribute>> {
        self.item.body.get_attribute(key).map(|item| Found {
            file: self.file,
            item,
        })
    }

    pub fn blocks(&self, ident: &'m str) -> impl Iterator<Item = Found<'m, Block>> + 'm {
        let file = self.file;
        self.item
            .body
            .get_blocks(ident)
            .map(move |item| Found { file, item })
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
            file.body
                .get_blocks(ident)
                .map(move |item| Found { file, item })
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

    /// The override file that touches the named item, if any. Terraform merges override files
    /// into the primary declarations (v1.11.4 `internal/configs/module.go` `mergeFile`,
    /// `module_merge.go`, `module_merge_body.go` `MergeBodies`); tracegate does not, so it fails
    /// closed instead: an overridden item is not looked up (its base alone is not what Terraform
    /// evaluates), and the tree reports "overridden in …: not evaluated".
    pub fn overridden(&self, ident: &str, labels: &[&str]) -> Option<&SourceFile> {
        self.overrides.iter().find(|file| {
            file.body.get_blocks(ident).any(|block| {
                if ident == "locals" {
                    labels
                        .first()
                        .is_some_and(|name| block.body.get_attribute(name).is_some())
                } else {
                    block.labels.len() == labels.len()
                        && block
                            .labels
                            .iter()
                            .zip(labels)
                            .all(|(l, want)| l.as_str() == *want)
                }
            })
        })
    }

    pub fn resource(&self, resource_type: &str, name: &str) -> Option<Found<'_, Block>> {
        if self
            .overridden("resource", &[resource_type, name])
            .is_some()
        {
            return None;
        }
        self.labelled("resource", &[resource_type, name])
    }

    pub fn module_call(&self, name: &str) -> Option<Found<'_, Block>> {
        if self.overridden("module", &[name]).is_some() {
            return None;
        }
        self.labelled("module", &[name])
    }

    pub fn variable(&self, name: &str) -> Option<Found<'_, Block>> {
        if self.overridden("variable", &[name]).is_some() {
            return None;
        }
        self.labelled("variable", &[name])
    }

    pub fn local(&self, name: &str) -> Option<Found<'_, Attribute>> {
        if self.overridden("locals", &[name]).is_some() {
            return None;
        }
        self.top_blocks("locals")
            .find_map(|block| block.attribute(name))
    }
}
