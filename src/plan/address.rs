//! Terraform resource addresses: `module.a["k"].module.b[0].aws_lambda_function.f["x"]`.

/// The parts of an address that locate its configuration: module call names (instance keys
/// stripped), resource type and name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceAddress {
    pub modules: Vec<String>,
    pub resource_type: String,
    pub name: String,
}

impl ResourceAddress {
    /// The configuration address (no instance keys), e.g. `module.a.aws_lambda_function.f`.
    pub fn config_address(&self) -> String {
        let mut out = module_path(&self.modules);
        if !out.is_empty() {
            out.push('.');
        }
        out.push_str(&self.resource_type);
        out.push('.');
        out.push_str(&self.name);
        out
    }
}

/// `module.a.module.b` for `["a", "b"]`; empty for the root module.
pub fn module_path(modules: &[String]) -> String {
    modules
        .iter()
        .map(|m| format!("module.{m}"))
        .collect::<Vec<_>>()
        .join(".")
}

/// Splits an address into its dot-separated steps, keeping `[...]` keys (which may hold quoted
/// strings with dots, brackets and escapes) attached to their step, then drops the keys.
fn steps(address: &str) -> Option<Vec<&str>> {
    let bytes = address.as_bytes();
    let mut steps = Vec::new();
    let mut start = 0;
    let mut i = 0;
    let mut name_end = None;
    while i < bytes.len() {
        match bytes[i] {
            b'.' => {
                steps.push(&address[start..name_end.unwrap_or(i)]);
                start = i + 1;
                name_end = None;
            }
            b'[' => {
                name_end.get_or_insert(i);
                i += 1;
                let mut in_string = false;
                while i < bytes.len() {
                    match bytes[i] {
                        b'\\' if in_string => i += 1,
                        b'"' => in_string = !in_string,
                        b']' if !in_string => break,
                        _ => {}
                    }
                    i += 1;
                }
                if i >= bytes.len() {
                    return None;
                }
            }
            _ => {}
        }
        i += 1;
    }
    steps.push(&address[start..name_end.unwrap_or(bytes.len())]);
    Some(steps)
}

/// The length of the instance key `[...]` at the start of `bytes` (a quoted key may hold `]`,
/// quotes and escapes), or `None` when it does not start with a whole key.
fn key_len(bytes: &[u8]) -> Option<usize> {
    if bytes.first() != Some(&b'[') {
        return None;
    }
    let mut in_string = false;
    let mut i = 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if in_string => i += 1,
            b'"' => in_string = !in_string,
            b']' if !in_string => return Some(i + 1),
            _ => {}
        }
        i += 1;
    }
    None
}

/// Whether a deferred change's address covers an instance's: `[*]` (Terraform 1.10+, an
/// instance key not known yet) stands for any one key; everything else must be equal.
pub fn covers(pattern: &str, address: &str) -> bool {
    let (mut pattern, mut address) = (pattern.as_bytes(), address.as_bytes());
    loop {
        let Some(at) = pattern.windows(3).position(|w| w == b"[*]") else {
            return pattern == address;
        };
        if address.len() < at || pattern[..at] != address[..at] {
            return false;
        }
        let Some(key) = key_len(&address[at..]) else {
            return false;
        };
        pattern = &pattern[at + 3..];
        address = &address[at + key..];
    }
}

/// The module call names of a module address such as `module.a["k"].module.b[0]`.
pub fn module_names(module_address: &str) -> Option<Vec<String>> {
    if module_address.is_empty() {
        return Some(Vec::new());
    }
    let steps = steps(module_address)?;
    if steps.len() % 2 != 0 {
        return None;
    }
    steps
        .chunks(2)
        .map(|pair| (pair[0] == "module" && !pair[1].is_empty()).then(|| pair[1].to_owned()))
        .collect()
}

/// Parses a full managed-resource address.
pub fn parse(address: &str) -> Option<ResourceAddress> {
    let steps = steps(address)?;
    let mut modules = Vec::new();
    let mut rest = &steps[..];
    while rest.len() > 2 && rest[0] == "module" {
        modules.push(rest[1].to_owned());
        rest = &rest[2..];
    }
    match rest {
        [resource_type, name] if !resource_type.is_empty() && !name.is_empty() => {
            Some(ResourceAddress {
                modules,
                resource_type: (*resource_type).to_owned(),
                name: (*name).to_owned(),
            })
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_cover_any_one_key() {
        let pattern = "module.fns[*].aws_lambda_function.f[*]";
        assert!(covers(
            pattern,
            "module.fns[\"a\"].aws_lambda_function.f[0]"
        ));
        assert!(covers(
            pattern,
            "module.fns[\"]x[\"].aws_lambda_function.f[\"k\"]"
        ));
        assert!(!covers(pattern, "module.fns.aws_lambda_function.f[0]"));
        assert!(!covers(
            pattern,
            "module.other[\"a\"].aws_lambda_function.f[0]"
        ));
        assert!(!covers(pattern, "module.fns[\"a\"].aws_lambda_function.f"));
        assert!(covers("aws_lambda_function.f", "aws_lambda_function.f"));
        assert!(!covers("aws_lambda_function.f", "aws_lambda_function.f[0]"));
    }

    #[test]
    fn strips_instance_keys_at_every_depth() {
        let parsed =
            parse(r#"module.a["x.y"].module.b[0].aws_lambda_function.f["k]\"."]"#).unwrap();
        assert_eq!(parsed.modules, ["a", "b"]);
        assert_eq!(parsed.resource_type, "aws_lambda_function");
        assert_eq!(parsed.name, "f");
        assert_eq!(
            parsed.config_address(),
            "module.a.module.b.aws_lambda_function.f"
        );
    }

    #[test]
    fn module_addresses() {
        assert_eq!(
            module_names(r#"module.a["k"].module.b[1]"#).unwrap(),
            ["a", "b"]
        );
        assert_eq!(module_names("").unwrap(), Vec::<String>::new());
        assert!(module_names("modul.a").is_none());
        assert!(module_names("module.a[\"open").is_none());
    }

    #[test]
    fn root_resource() {
        let parsed = parse("aws_lambda_function.f[3]").unwrap();
        assert!(parsed.modules.is_empty());
        assert_eq!(parsed.name, "f");
        assert!(parse("aws_lambda_function").is_none());
    }
}
