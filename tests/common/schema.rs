//! Published JSON schemas under `testdata/schemas/`, compiled by boon with format assertions on
//! (`uri`, `date-time` and the others are checked, as the platforms' ingestion does).

use serde_json::Value;

pub struct Schema {
    schemas: boon::Schemas,
    index: boon::SchemaIndex,
}

impl Schema {
    /// The schema in the repository file `path`; loaded from the file, never fetched.
    pub fn load(path: &str) -> Schema {
        let schema: Value = serde_json::from_slice(&super::read(path)).unwrap();
        let url = format!("file:///{path}");
        let mut compiler = boon::Compiler::new();
        compiler.enable_format_assertions();
        compiler.add_resource(&url, schema).unwrap();
        let mut schemas = boon::Schemas::new();
        let index = compiler
            .compile(&url, &mut schemas)
            .unwrap_or_else(|e| panic!("{path} compiles: {e}"));
        Schema { schemas, index }
    }

    /// Each violated keyword, where in the document: the leaves of boon's error tree.
    pub fn errors(&self, document: &Value) -> Vec<String> {
        fn leaves(error: &boon::ValidationError, out: &mut Vec<String>) {
            if error.causes.is_empty() {
                out.push(format!("{} at {}", error.kind, error.instance_location));
            }
            for cause in &error.causes {
                leaves(cause, out);
            }
        }
        let mut out = Vec::new();
        if let Err(error) = self.schemas.validate(document, self.index) {
            leaves(&error, &mut out);
        }
        out
    }
}
