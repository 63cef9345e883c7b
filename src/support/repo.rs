//! The repository a path lives in, and paths as reports show them: relative to that repository,
//! with `/` separators on every platform.

use std::path::Path;

/// The nearest directory at or above `dir` that holds `.git` (a directory, or a file in a
/// worktree or submodule).
pub fn root_of(dir: &Path) -> Option<&Path> {
    dir.ancestors().find(|d| d.join(".git").exists())
}

/// `path` relative to `base` (when it is inside it), with `/` separators; lossy for names that
/// are not UTF-8.
pub fn slash_relative(path: &Path, base: &Path) -> String {
    path.strip_prefix(base)
        .unwrap_or(path)
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_with_slashes() {
        let base = Path::new("/repo");
        assert_eq!(slash_relative(Path::new("/repo/a/b.tf"), base), "a/b.tf");
        assert_eq!(slash_relative(Path::new("/repo"), base), "");
    }

    #[test]
    fn this_checkout_has_a_root() {
        let here = Path::new(env!("CARGO_MANIFEST_DIR"));
        let root = root_of(here).expect("the crate is built from a checkout");
        assert!(here.starts_with(root));
    }
}
