//! Which files Terraform reads, and reading one of them safely.
//!
//! The file set follows Terraform v1.11.4 `internal/configs/parser_config_dir.go` (`dirFiles`,
//! `fileExt`, `IsIgnoredFile`; moved to `parser_file_matcher.go` in v1.13 with the same rules):
//! only `*.tf` and `*.tf.json` directly in the module directory, skipping names that start with
//! `.`, end with `~`, or are `#…#`. A file is an override file when its stem (the name without
//! `.tf` / `.tf.json`) is `override` or ends in `_override`. The variable files follow
//! `internal/command/meta_vars.go` `collectVariableValues`: `terraform.tfvars`, then
//! `terraform.tfvars.json`, then `*.auto.tfvars` / `*.auto.tfvars.json` in name order.

use std::io::Read;
use std::path::{Path, PathBuf};

/// The syntax of a file: native HCL or JSON (Terraform's `parser.go` `LoadHCLFile` picks the JSON
/// parser when the name ends in `.json`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Syntax {
    Hcl,
    Json,
}

/// A configuration file of a module directory, as Terraform classifies its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConfigFile {
    pub syntax: Syntax,
    pub is_override: bool,
}

/// Terraform's `IsIgnoredFile`: editor and hidden files.
pub fn is_ignored(name: &[u8]) -> bool {
    name.starts_with(b".")
        || name.ends_with(b"~")
        || (name.starts_with(b"#") && name.ends_with(b"#"))
}

/// How Terraform classifies a directory entry's name, or `None` when it does not read it as part
/// of the module. Names are compared as bytes (Terraform compares Go strings, which are bytes),
/// so a non-UTF-8 name is classified too.
pub fn config_file(name: &std::ffi::OsStr) -> Option<ConfigFile> {
    let name = name.as_encoded_bytes();
    let (syntax, stem) = if let Some(stem) = name.strip_suffix(b".tf") {
        (Syntax::Hcl, stem)
    } else if let Some(stem) = name.strip_suffix(b".tf.json") {
        (Syntax::Json, stem)
    } else {
        return None;
    };
    if is_ignored(name) {
        return None;
    }
    Some(ConfigFile {
        syntax,
        is_override: stem == b"override" || stem.ends_with(b"_override"),
    })
}

/// The root module's variable files that Terraform reads by itself, in its order, from the names
/// in the directory (`meta_vars.go` `collectVariableValues`; `meta.go` `isAutoVarFile`). There is
/// no ignored-name filter for these in Terraform, so none here either.
pub fn tfvars_order(names: &[std::ffi::OsString]) -> Vec<std::ffi::OsString> {
    let mut out = Vec::new();
    for fixed in ["terraform.tfvars", "terraform.tfvars.json"] {
        if names.iter().any(|n| n == fixed) {
            out.push(fixed.into());
        }
    }
    let mut auto: Vec<&std::ffi::OsString> = names
        .iter()
        .filter(|n| {
            let b = n.as_encoded_bytes();
            b.ends_with(b".auto.tfvars") || b.ends_with(b".auto.tfvars.json")
        })
        .collect();
    auto.sort_by(|a, b| a.as_encoded_bytes().cmp(b.as_encoded_bytes()));
    out.extend(auto.into_iter().cloned());
    out
}

/// Whether a variable file is JSON (`addVarsFromFile`: the name ends in `.json`).
pub fn tfvars_syntax(name: &std::ffi::OsStr) -> Syntax {
    if name.as_encoded_bytes().ends_with(b".json") {
        Syntax::Json
    } else {
        Syntax::Hcl
    }
}

/// The names directly in `dir` (not sorted).
pub fn names(dir: &Path) -> std::io::Result<Vec<std::ffi::OsString>> {
    Ok(std::fs::read_dir(dir)?
        .filter_map(Result::ok)
        .map(|e| e.file_name())
        .collect())
}

/// A file read from under the source root.
pub struct Regular {
    /// The canonical path (symlinks resolved).
    pub real: PathBuf,
    pub text: String,
}

/// Reads `path` only when it resolves (following symlinks) to a regular file inside `root` of at
/// most `cap` bytes, in UTF-8. The file type is checked on the canonical path before the file
/// is opened, so a FIFO, socket or device under a `.tf` name is never opened (opening a FIFO
/// blocks), and checked again on the opened handle. `shown` names the file in the error.
pub fn read_regular(root: &Path, path: &Path, cap: u64, shown: &str) -> Result<Regular, String> {
    let real = std::fs::canonicalize(path).map_err(|e| format!("{shown}: {e}: not read"))?;
    if !real.starts_with(root) {
        return Err(format!("{shown} leads outside the source root: not read"));
    }
    let meta = std::fs::metadata(&real).map_err(|e| format!("{shown}: {e}: not read"))?;
    if !meta.is_file() {
        return Err(format!("{shown} is not a regular file: not read"));
    }
    if meta.len() > cap {
        return Err(format!(
            "{shown} is larger than {} MiB: not read",
            cap >> 20
        ));
    }
    let file = std::fs::File::open(&real).map_err(|e| format!("{shown}: {e}: not read"))?;
    // Swapped for something else between the check and the open: refuse it all the same.
    if !file.metadata().is_ok_and(|m| m.is_file()) {
        return Err(format!("{shown} is not a regular file: not read"));
    }
    let mut bytes = Vec::new();
    file.take(cap + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("{shown}: {e}: not read"))?;
    if bytes.len() as u64 > cap {
        return Err(format!(
            "{shown} is larger than {} MiB: not read",
            cap >> 20
        ));
    }
    let text =
        String::from_utf8(bytes).map_err(|_| format!("{shown} is not valid UTF-8: not read"))?;
    Ok(Regular { real, text })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::{OsStr, OsString};

    fn kind(name: &str) -> Option<(Syntax, bool)> {
        config_file(OsStr::new(name)).map(|c| (c.syntax, c.is_override))
    }

    #[test]
    fn terraform_file_set() {
        assert_eq!(kind("main.tf"), Some((Syntax::Hcl, false)));
        assert_eq!(kind("a.b.tf"), Some((Syntax::Hcl, false)));
        assert_eq!(kind("main.tf.json"), Some((Syntax::Json, false)));
        assert_eq!(kind("override.tf"), Some((Syntax::Hcl, true)));
        assert_eq!(kind("_override.tf"), Some((Syntax::Hcl, true)));
        assert_eq!(kind("x_override.tf.json"), Some((Syntax::Json, true)));
        assert_eq!(kind("xoverride.tf"), Some((Syntax::Hcl, false)));
        assert_eq!(kind("override_x.tf"), Some((Syntax::Hcl, false)));
        assert_eq!(kind("Override.tf"), Some((Syntax::Hcl, false)));
        for ignored in [
            ".shadow.tf",
            ".#main.tf",
            "main.tf~",
            "#main.tf#",
            "x.tfvars",
            "x.TF",
        ] {
            assert_eq!(kind(ignored), None, "{ignored}");
        }
        assert_eq!(kind("main.tf.bak"), None);
        assert_eq!(kind("x.tftest.hcl"), None);
    }

    #[test]
    fn tfvars_in_terraform_order() {
        let names: Vec<OsString> = [
            "a.auto.tfvars.json",
            "terraform.tfvars.json",
            "b.auto.tfvars",
            "terraform.tfvars",
            "other.tfvars",
            ".h.auto.tfvars",
        ]
        .into_iter()
        .map(OsString::from)
        .collect();
        assert_eq!(
            tfvars_order(&names),
            [
                "terraform.tfvars",
                "terraform.tfvars.json",
                ".h.auto.tfvars",
                "a.auto.tfvars.json",
                "b.auto.tfvars"
            ]
            .map(OsString::from)
        );
    }
}
