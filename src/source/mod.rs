//! Layer 3's inputs: the configuration files under the source root and the modules `terraform init`
//! placed in `.terraform/modules`, read exactly as Terraform reads them (`files`: `*.tf` and
//! `*.tf.json`, no ignored names; `json`: JSON syntax). Sources come from untrusted pull requests:
//! nothing outside the source root is ever read (no `../` module sources, no symlinks, no absolute
//! `Dir`s leading out), only regular files are opened (a FIFO never is), files are size-capped,
//! and every directory is parsed once per run however many module paths reach it. Evaluation
//! (in `resolve::eval`) is bounded.

pub mod files;
pub mod json;
pub mod module;

use crate::support::line_index::LineIndex;
use crate::support::repo;
use module::{ModuleSource, SourceFile};
use serde::Deserialize;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

/// `path` with `.` and `..` components removed as text (Go's `filepath.Clean`).
fn lexically_clean(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// Larger `.tf` files are not read: no real configuration file comes near this.
pub const MAX_FILE_BYTES: u64 = 4 << 20;

/// Module calls nest no deeper than this in any real configuration; deeper paths are refused
/// (resolving them recurses once per level).
pub const MAX_MODULE_DEPTH: usize = 64;

/// Distinct module paths one run resolves; past it, modules count as not available.
pub const MAX_MODULE_PATHS: usize = 4096;

/// A module's sources, or why they cannot be read.
pub type ModuleResult = Result<ModuleSource, String>;

pub struct SourceTree {
    /// Canonical source root: nothing outside it is read.
    root: PathBuf,
    /// Reports show paths relative to this: the repository root (a `.git` upward), else `root`.
    display_base: PathBuf,
    /// `.terraform/modules/modules.json`: module key (`a.b`) → directory.
    installed: Option<HashMap<String, String>>,
    cache: Mutex<HashMap<Vec<String>, Arc<ModuleResult>>>,
    /// Parsed directories by canonical path: the same directory reached under many module paths
    /// (`source = "./"` forty times) is parsed once and shared.
    dirs: Mutex<HashMap<PathBuf, Arc<OnceLock<Arc<ModuleResult>>>>>,
    /// Problems met while reading (unreadable, oversized, escaping or unparsable files), not yet
    /// reported.
    problems: Mutex<Vec<String>>,
    tfvars: OnceLock<Vec<SourceFile>>,
}

#[derive(Deserialize)]
struct ModulesJson {
    #[serde(rename = "Modules", default)]
    modules: Vec<ModuleEntry>,
}

#[derive(Deserialize)]
struct ModuleEntry {
    #[serde(rename = "Key", default)]
    key: String,
    #[serde(rename = "Dir", default)]
    dir: String,
}

impl SourceTree {
    /// Opens a source root. `None` when it holds no `.tf` files.
    pub fn open(root: &Path) -> std::io::Result<Option<SourceTree>> {
        let root = std::fs::canonicalize(root)?;
        let has_tf = files::names(&root)?
            .iter()
            .any(|name| files::config_file(name).is_some());
        if !has_tf {
            return Ok(None);
        }
        let display_base = repo::root_of(&root).unwrap_or(&root).to_path_buf();
        // modules.json is read only when it is a regular file inside the root, of sane size.
        let installed = files::read_regular(
            &root,
            &root.join(".terraform/modules/modules.json"),
            MAX_FILE_BYTES,
            "modules.json",
        )
        .ok()
        .and_then(|read| serde_json::from_str::<ModulesJson>(&read.text).ok())
        .map(|json| {
            json.modules
                .into_iter()
                .map(|entry| (entry.key, entry.dir))
                .collect()
        });
        Ok(Some(SourceTree {
            root,
            display_base,
            installed,
            cache: Mutex::new(HashMap::new()),
            dirs: Mutex::new(HashMap::new()),
            problems: Mutex::new(Vec::new()),
            tfvars: OnceLock::new(),
        }))
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Resolves `path` and checks that it stays inside the source root (following symlinks).
    fn inside(&self, path: &Path) -> Option<PathBuf> {
        let canonical = std::fs::canonicalize(path).ok()?;
        canonical.starts_with(&self.root).then_some(canonical)
    }

    fn display(&self, path: &Path) -> String {
        repo::slash_relative(path, &self.display_base)
    }

    /// The parsed sources of the module at `path` (call names from the root, keys stripped).
    pub fn module(&self, path: &[String]) -> Arc<ModuleResult> {
        {
            let cache = self.cache.lock().expect("not poisoned");
            if let Some(found) = cache.get(path) {
                return found.clone();
            }
            // Each path is a key of its own: a plan with thousands of deep module paths
            // (`source = "./"` calling itself) would otherwise cost gigabytes.
            if cache.len() >= MAX_MODULE_PATHS {
                return Arc::new(Err(format!(
                    "more than {MAX_MODULE_PATHS} module paths: tracegate reads no more"
                )));
            }
        }
        let result = match self.locate(path) {
            Ok(dir) => self.parsed_dir(&dir),
            Err(e) => Arc::new(Err(e)),
        };
        let mut cache = self.cache.lock().expect("not poisoned");
        cache.entry(path.to_vec()).or_insert(result).clone()
    }

    /// The parsed directory `dir` (canonical): parsed by the first caller, the others wait for it
    /// and share the result. Its problems are recorded once.
    fn parsed_dir(&self, dir: &Path) -> Arc<ModuleResult> {
        let cell = self
            .dirs
            .lock()
            .expect("not poisoned")
            .entry(dir.to_path_buf())
            .or_default()
            .clone();
        cell.get_or_init(|| {
            let result = self.parse_dir(dir);
            let mut problems = self.problems.lock().expect("not poisoned");
            match &result {
                Ok(module) => problems.extend(module.problems.iter().cloned()),
                Err(problem) => problems.push(problem.clone()),
            }
            drop(problems);
            Arc::new(result)
        })
        .clone()
    }

    fn locate(&self, path: &[String]) -> Result<PathBuf, String> {
        if path.len() > MAX_MODULE_DEPTH {
            return Err(format!(
                "module calls nest {} deep, more than the {MAX_MODULE_DEPTH} tracegate follows",
                path.len()
            ));
        }
        let Some((last, parents)) = path.split_last() else {
            return Ok(self.root.clone());
        };
        let name = crate::plan::address::module_path(path);
        if let Some(dir) = self.installed.as_ref().and_then(|m| m.get(&path.join("."))) {
            return self
                .inside(&self.root.join(dir))
                .ok_or_else(|| format!("{name}: its directory {dir:?} in modules.json is missing or outside the source root"));
        }
        let parent = self.module(parents);
        let parent = parent.as_ref().as_ref().map_err(Clone::clone)?;
        let call = parent
            .module_call(last)
            .ok_or_else(|| format!("{name}: no module \"{last}\" block in the caller's sources"))?;
        let source = call
            .attribute("source")
            .and_then(|a| a.expr().as_str().map(str::to_owned))
            .ok_or_else(|| format!("{name}: its module block has no literal source"))?;
        if !(source.starts_with("./") || source.starts_with("../")) {
            return Err(format!(
                "{name}: it comes from {source:?} and .terraform/modules is not available (run `terraform init` before tracegate)"
            ));
        }
        // Terraform cleans a local source path as text (`./link/../real` is `real`) before the
        // file system sees it: a `..` after a symlink must not lead where the link points.
        self.inside(&lexically_clean(&parent.dir.join(&source)))
            .ok_or_else(|| {
                format!("{name}: its source {source:?} is missing or outside the source root")
            })
    }

    /// Reads and parses one file that Terraform reads, as `syntax`.
    fn read_file(
        &self,
        path: &Path,
        syntax: files::Syntax,
        tfvars: bool,
    ) -> Result<SourceFile, String> {
        let shown = self.display(path);
        let read = files::read_regular(&self.root, path, MAX_FILE_BYTES, &shown)?;
        let (text, json_lines) = match syntax {
            files::Syntax::Hcl => (read.text, None),
            files::Syntax::Json => {
                let converted = if tfvars {
                    json::tfvars(&read.text)
                } else {
                    json::config(&read.text)
                }
                .map_err(|e| format!("{shown} could not be parsed: {e}"))?;
                (converted.text, Some(converted.lines))
            }
        };
        let body = hcl_edit::parser::parse_body(&text).map_err(|e| {
            let first = e.to_string();
            let first = first.lines().next().unwrap_or("parse error").to_owned();
            format!("{shown} could not be parsed: {first}")
        })?;
        Ok(SourceFile {
            downloaded: read
                .real
                .strip_prefix(&self.root)
                .is_ok_and(|r| r.starts_with(".terraform")),
            display: shown.into(),
            index: LineIndex::new(text.as_bytes()),
            text,
            body,
            path: read.real,
            json_lines,
        })
    }

    fn parse_dir(&self, dir: &Path) -> ModuleResult {
        let mut names: Vec<(std::ffi::OsString, files::ConfigFile)> = files::names(dir)
            .map_err(|e| format!("cannot list {}: {e}", self.display(dir)))?
            .into_iter()
            .filter_map(|name| files::config_file(&name).map(|kind| (name, kind)))
            .collect();
        // Terraform reads entries in name (byte) order: afero.ReadDir sorts them.
        names.sort_by(|a, b| a.0.as_encoded_bytes().cmp(b.0.as_encoded_bytes()));
        let mut module = ModuleSource {
            dir: dir.to_path_buf(),
            ..ModuleSource::default()
        };
        // OpenTofu reads `x.tofu` instead of `x.tf`: which set made the plan is not known here,
        // so such a module is not evaluated (its verdicts rest on the plan).
        if let Some(tofu) = files::names(dir).unwrap_or_default().into_iter().find(|n| {
            n.as_encoded_bytes().ends_with(b".tofu")
                || n.as_encoded_bytes().ends_with(b".tofu.json")
        }) {
            return Err(format!(
                "{} holds OpenTofu files ({}), which OpenTofu reads instead of the .tf files of the same name: not evaluated",
                self.display(dir),
                tofu.to_string_lossy()
            ));
        }
        for (name, kind) in names {
            let path = dir.join(&name);
            // Terraform skips directories (`dirFiles`: `info.IsDir()`, from Lstat).
            if std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_dir()) {
                continue;
            }
            match self.read_file(&path, kind.syntax, false) {
                Ok(file) if kind.is_override => module.overrides.push(file),
                Ok(file) => module.files.push(file),
                Err(problem) => module.problems.push(problem),
            }
        }
        // A file Terraform reads that tracegate could not read (too large, not UTF-8, leading
        // outside the root, unparsable, an override among them) leaves the module incomplete:
        // it is not evaluated from the rest.
        if let Some(problem) = module.problems.first() {
            let shown = self.display(dir);
            return Err(format!(
                "{problem} (so {} is not evaluated: a file Terraform reads is missing from it)",
                if shown.is_empty() {
                    "the source root"
                } else {
                    shown.as_str()
                }
            ));
        }
        Ok(module)
    }

    /// Report path of a file under the source root.
    pub fn display_path(&self, path: &Path) -> String {
        self.display(path)
    }

    /// Problems met since the last call, once each.
    pub fn take_problems(&self) -> Vec<String> {
        std::mem::take(&mut *self.problems.lock().expect("not poisoned"))
    }

    /// `.tfvars` files of the root module that Terraform reads by itself, in its order: read
    /// once per tree, however many variables are resolved.
    pub fn root_tfvars(&self) -> &[SourceFile] {
        self.tfvars.get_or_init(|| self.read_root_tfvars())
    }

    fn read_root_tfvars(&self) -> Vec<SourceFile> {
        let names = files::names(&self.root).unwrap_or_default();
        let mut out = Vec::new();
        for name in files::tfvars_order(&names) {
            let syntax = files::tfvars_syntax(&name);
            match self.read_file(&self.root.join(&name), syntax, true) {
                Ok(file) => out.push(file),
                Err(problem) => self.problems.lock().expect("not poisoned").push(problem),
            }
        }
        out
    }
}
