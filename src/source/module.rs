//! One module directory's `.tf` files, parsed with hcl-edit (which keeps spans), and lookups of the
//! blocks tracegate reads.

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
    pub text: String,
    pub index: LineIndex,
    pub body: Body,
}

impl SourceFile {
    pub fn location(&self, span: Option<std::ops::Range<usize>>) -> Location {
        let (line, column) = span.map_or((1, 1), |s| {
            self.index.position(self.text.as_bytes(), s.start)
        });
        Location {
            file: self.display.clone(),
            line,
            column: Some(column),
        }
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
    pub files: Vec<SourceFile>,
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

    pub fn resource(&self, resource_type: &str, name: &str) -> Option<Found<'_, Block>> {
        self.labelled("resource", &[resource_type, name])
    }

    pub fn module_call(&self, name: &str) -> Option<Found<'_, Block>> {
        self.labelled("module", &[name])
    }

    pub fn variable(&self, name: &str) -> Option<Found<'_, Block>> {
        self.labelled("variable", &[name])
    }

    pub fn local(&self, name: &str) -> Option<Found<'_, Attribute>> {
        self.top_blocks("locals")
            .find_map(|block| block.attribute(name))
    }
}
