//! Layer 3's inputs: the `.tf` files under the source root and the modules `terraform init` placed in
//! `.terraform/modules`. Sources come from untrusted pull requests: nothing outside the source root
//! is ever read (no `../` module sources, no symlinks, no absolute `Dir`s leading out), files are
//! size-capped, and evaluation (in `resolve::eval`) is bounded.

pub mod module;

use crate::support::line_index::LineIndex;
use crate::support::repo;
use module::{ModuleSource, SourceFile};
use serde::Deserialize;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

/// Larger `.tf` files are not read: no real configuration file comes near this.
pub const MAX_FILE_BYTES: u64 = 4 << 20;

/// Module calls nest no deeper than this in any real configuration; deeper paths are refused
/// (resolving them recurses once per level).
pub const MAX_MODULE_DEPTH: usize = 64;

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
        let has_tf = std::fs::read_dir(&root)?
            .filter_map(Result::ok)
            .any(|e| e.path().extension().is_some_and(|x| x == "tf"));
        if !has_tf {
            return Ok(None);
        }
        let display_base = repo::root_of(&root).unwrap_or(&root).to_path_buf();
        // modules.json is read only when it is a regular file inside the root, of sane size.
        let installed = std::fs::canonicalize(root.join(".terraform/modules/modules.json"))
            .ok()
            .filter(|real| real.starts_with(&root))
            .filter(|real| {
                std::fs::metadata(real).is_ok_and(|m| m.is_file() && m.len() <= MAX_FILE_BYTES)
            })
            .and_then(|real| std::fs::read(real).ok())
            .and_then(|bytes| serde_json::from_slice::<ModulesJson>(&bytes).ok())
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
        if let Some(found) = self.cache.lock().expect("not poisoned").get(path) {
            return found.clone();
        }
        // Parsed outside the lock: two threads may parse the same module once each, and the
        // first one stored wins.
        let result = Arc::new(self.locate(path).and_then(|dir| self.parse_dir(&dir)));
        let mut cache = self.cache.lock().expect("not poisoned");
        let stored = cache.entry(path.to_vec()).or_insert_with(|| {
            if let Ok(module) = result.as_ref() {
                self.problems
                    .lock()
                    .expect("not poisoned")
                    .extend(module.problems.iter().cloned());
            }
            result.clone()
        });
        stored.clone()
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
        self.inside(&parent.dir.join(&source)).ok_or_else(|| {
            format!("{name}: its source {source:?} is missing or outside the source root")
        })
    }

    fn parse_dir(&self, dir: &Path) -> ModuleResult {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
            .map_err(|e| format!("cannot list {}: {e}", self.display(dir)))?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "tf"))
            .collect();
        entries.sort();
        let mut module = ModuleSource {
            dir: dir.to_path_buf(),
            ..ModuleSource::default()
        };
        for path in entries {
            let shown = self.display(&path);
            let Some(real) = self.inside(&path) else {
                module
                    .problems
                    .push(format!("{shown} leads outside the source root: not read"));
                continue;
            };
            match std::fs::metadata(&real) {
                Ok(meta) if meta.len() > MAX_FILE_BYTES => {
                    module.problems.push(format!(
                        "{shown} is larger than {} MiB: not read",
                        MAX_FILE_BYTES >> 20
                    ));
                    continue;
                }
                Err(e) => {
                    module.problems.push(format!("{shown}: {e}"));
                    continue;
                }
                _ => {}
            }
            let text = match std::fs::read_to_string(&real) {
                Ok(text) => text,
                Err(e) => {
                    module.problems.push(format!("{shown}: {e}"));
                    continue;
                }
            };
            match hcl_edit::parser::parse_body(&text) {
                Ok(body) => module.files.push(SourceFile {
                    downloaded: real
                        .strip_prefix(&self.root)
                        .is_ok_and(|r| r.starts_with(".terraform")),
                    display: shown,
                    index: LineIndex::new(text.as_bytes()),
                    text,
                    body,
                }),
                Err(e) => {
                    let first = e.to_string();
                    let first = first.lines().next().unwrap_or("parse error");
                    module
                        .problems
                        .push(format!("{shown} could not be parsed: {first}"));
                }
            }
        }
        Ok(module)
    }

    /// The text of a line (1-based) of a file already read, by its report path.
    pub fn line(&self, display: &str, line: u32) -> Option<String> {
        let cache = self.cache.lock().expect("not poisoned");
        let file = cache
            .values()
            .filter_map(|m| m.as_ref().as_ref().ok())
            .flat_map(|m| m.files.iter())
            .find(|f| f.display == display)?;
        file.index.line(&file.text, line).map(str::to_owned)
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
        let mut names: Vec<PathBuf> = std::fs::read_dir(&self.root)
            .into_iter()
            .flatten()
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| {
                let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
                name == "terraform.tfvars" || name.ends_with(".auto.tfvars")
            })
            .collect();
        names.sort();
        names
            .into_iter()
            .filter_map(|path| {
                let real = self.inside(&path)?;
                if std::fs::metadata(&real).ok()?.len() > MAX_FILE_BYTES {
                    return None;
                }
                let text = std::fs::read_to_string(&real).ok()?;
                let body = hcl_edit::parser::parse_body(&text).ok()?;
                Some(SourceFile {
                    downloaded: false,
                    display: self.display(&path),
                    index: LineIndex::new(text.as_bytes()),
                    text,
                    body,
                })
            })
            .collect()
    }
}
