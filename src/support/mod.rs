//! Small helpers every room shares and that know nothing of plans, rules or reports: text
//! positions, the repository root, hex. Nothing here imports the rest of the crate.

pub mod date;
pub mod hex;
pub mod line_index;
pub mod repo;
pub mod toml_text;
