//! Reading one admitted entry (a `resource_changes` entry, a state resource) member by member:
//! the members and attributes a rule reads go to serde, one value at a time; everything else is
//! passed by the structural skipper, which is several times faster than serde's validating skip.
//! The result is the value serde's derive gives for the whole entry: the same fields, types,
//! defaults and errors for every member that is read. Like every skipped value of the plan, the
//! skipped members are checked for structure, not for full JSON grammar: they cannot change a
//! verdict.

use super::error::InputError;
use super::model::{Attributes, Change, Kept, ResourceChange, StateResource, Text, UniqueKeys};
use super::scan::{object, parse_at, Input, SliceInput};
use crate::rule;
use serde::Deserialize;
use serde_json::{Map, Value};
use std::borrow::Cow;

/// An entry the scanner keeps: read from its whole text (`text` starts at `input`'s origin).
pub trait Entry<'a>: Deserialize<'a> + Send {
    fn read(input: &impl Input<'a>, text: Cow<'a, str>) -> Result<Self, InputError> {
        parse_at(|| input.origin(), text)
    }
}

impl<'a> Entry<'a> for super::model::DeferredChange<'a> {}
impl<'a> Entry<'a> for super::model::OtherChange<'a> {}
impl Entry<'_> for serde::de::IgnoredAny {}

impl<'a> Entry<'a> for ResourceChange<'a> {
    fn read(input: &impl Input<'a>, text: Cow<'a, str>) -> Result<Self, InputError> {
        walked(input, text, resource_change)
    }
}

impl<'a> Entry<'a> for StateResource<'a> {
    fn read(input: &impl Input<'a>, text: Cow<'a, str>) -> Result<Self, InputError> {
        walked(input, text, state_resource)
    }
}

/// Turns a piece of the entry's text into text of the input's lifetime: the piece itself when the
/// entry is borrowed from the input, a copy when the entry was read from a stream.
type Lift<'t, 'a> = dyn Fn(&'t str) -> Cow<'a, str>;

/// Walks an entry's text with `walk`; an entry that is not an object goes to serde whole, so that
/// it gets serde's error (or, for an array, serde's reading of it) as it always did.
fn walked<'a, T: Deserialize<'a>>(
    input: &impl Input<'a>,
    text: Cow<'a, str>,
    walk: for<'t> fn(&mut SliceInput<'t>, &Lift<'t, 'a>) -> Result<T, InputError>,
) -> Result<T, InputError> {
    if !text.trim_start().starts_with('{') {
        return parse_at(|| input.origin(), text);
    }
    let result = match &text {
        Cow::Borrowed(entry) => walk(&mut SliceInput::new(entry, 0), &|piece| {
            Cow::Borrowed(piece)
        }),
        Cow::Owned(entry) => walk(&mut SliceInput::new(entry, 0), &|piece| {
            Cow::Owned(piece.to_owned())
        }),
    };
    result.map_err(|error| error.relocated(input.origin()))
}

/// The next value, parsed by serde as `T`.
fn member<'t, 'a, T: Deserialize<'a>>(
    input: &mut SliceInput<'t>,
    lift: &Lift<'t, 'a>,
) -> Result<T, InputError> {
    let piece = input.piece()?;
    parse_at(|| input.origin(), lift(piece))
}

/// A required member that was absent, as serde words it, at the end of the entry.
fn missing(input: &SliceInput<'_>, field: &str) -> InputError {
    input.error(&format!("missing field `{field}`"))
}

const RESOURCE_CHANGE: &[&str] = &[
    "address",
    "module_address",
    "mode",
    "type",
    "name",
    "deposed",
    "change",
];

fn resource_change<'t, 'a>(
    input: &mut SliceInput<'t>,
    lift: &Lift<'t, 'a>,
) -> Result<ResourceChange<'a>, InputError> {
    let mut address = None;
    let mut entry = ResourceChange {
        address: Text::default(),
        module_address: None,
        mode: Text::default(),
        resource_type: Text::default(),
        name: Text::default(),
        deposed: None,
        change: Change::default(),
    };
    object(input, "a resource change", RESOURCE_CHANGE, |input, key| {
        match key {
            "address" => address = Some(member(input, lift)?),
            "module_address" => entry.module_address = member(input, lift)?,
            "mode" => entry.mode = member(input, lift)?,
            "type" => entry.resource_type = member(input, lift)?,
            "name" => entry.name = member(input, lift)?,
            "deposed" => entry.deposed = member(input, lift)?,
            "change" => entry.change = change(input, lift)?,
            _ => input.value(false).map(drop)?,
        }
        Ok(())
    })?;
    entry.address = address.ok_or_else(|| missing(input, "address"))?;
    Ok(entry)
}

const CHANGE: &[&str] = &[
    "actions",
    "before",
    "importing",
    "after",
    "after_unknown",
    "after_sensitive",
];

fn change<'t, 'a>(input: &mut SliceInput<'t>, lift: &Lift<'t, 'a>) -> Result<Change, InputError> {
    if input.peek()? != Some(b'{') {
        return member(input, lift);
    }
    let mut change = Change::default();
    object(input, "a change", CHANGE, |input, key| {
        match key {
            "actions" => change.actions = member(input, lift)?,
            "before" => change.before = attributes(input, lift, 3)?,
            "importing" => {
                let piece = input.piece()?;
                change.importing = (piece != "null").then_some(serde::de::IgnoredAny);
            }
            "after" => change.after = attributes(input, lift, 3)?,
            "after_unknown" => change.after_unknown = attributes(input, lift, 3)?,
            "after_sensitive" => change.after_sensitive = attributes(input, lift, 3)?,
            _ => input.value(false).map(drop)?,
        }
        Ok(())
    })?;
    Ok(change)
}

const STATE_RESOURCE: &[&str] = &[
    "address",
    "mode",
    "type",
    "deposed_key",
    "values",
    "sensitive_values",
];

fn state_resource<'t, 'a>(
    input: &mut SliceInput<'t>,
    lift: &Lift<'t, 'a>,
) -> Result<StateResource<'a>, InputError> {
    let mut address = None;
    let mut resource = StateResource {
        address: Text::default(),
        mode: Text::default(),
        resource_type: Text::default(),
        deposed_key: None,
        values: Kept::default(),
        sensitive_values: Kept::default(),
    };
    object(input, "a state resource", STATE_RESOURCE, |input, key| {
        match key {
            "address" => address = Some(member(input, lift)?),
            "mode" => resource.mode = member(input, lift)?,
            "type" => resource.resource_type = member(input, lift)?,
            "deposed_key" => resource.deposed_key = member(input, lift)?,
            "values" => resource.values = attributes(input, lift, 2)?,
            "sensitive_values" => resource.sensitive_values = attributes(input, lift, 2)?,
            _ => input.value(false).map(drop)?,
        }
        Ok(())
    })?;
    resource.address = address.ok_or_else(|| missing(input, "address"))?;
    Ok(resource)
}

/// The most levels of `[` and `{` serde_json reads into a value (its recursion limit).
const MAX_NESTING: usize = 127;

/// How deeply a value's text nests arrays and objects (brackets outside strings).
fn nesting(text: &str) -> usize {
    let (mut depth, mut deepest) = (0usize, 0usize);
    let (mut in_string, mut escaped) = (false, false);
    for &byte in text.as_bytes() {
        match (in_string, byte) {
            (true, _) if escaped => escaped = false,
            (true, b'\\') => escaped = true,
            (true, b'"') | (false, b'"') => in_string = !in_string,
            (false, b'[' | b'{') => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            (false, b']' | b'}') => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    deepest
}

/// An attribute object reduced to the attributes rules read ([`Attributes`]): only those reach
/// serde. Anything but an object is serde's to read, as before. `enclosing` counts the levels
/// around it in its entry, this object's own included.
fn attributes<'t, 'a>(
    input: &mut SliceInput<'t>,
    lift: &Lift<'t, 'a>,
    enclosing: usize,
) -> Result<Kept, InputError> {
    if input.peek()? != Some(b'{') {
        let Attributes(value) = member(input, lift)?;
        return Ok(Kept::of(value));
    }
    let mut kept = Map::new();
    object(input, "an attribute object", &[], |input, key| {
        if !rule::kept_attributes().contains(&key) {
            return input.value(false).map(drop);
        }
        // A second value for a judged attribute could hide the first: refuse.
        if kept.contains_key(key) {
            return Err(input.error(&format!("duplicate attribute {key:?}")));
        }
        let piece = input.piece()?;
        // serde read the whole entry with its nesting limit: an attribute that nested too deep
        // for it inside its entry is still refused (and a kept one always reads back).
        if enclosing + nesting(piece) > MAX_NESTING {
            return Err(InputError::TooDeep);
        }
        let UniqueKeys(value) = parse_at(|| input.origin(), lift(piece))?;
        kept.insert(key.to_owned(), value);
        Ok(())
    })?;
    Ok(Kept::of(Value::Object(kept)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The entry as the walker reads it (from a slice, then from a stream's copy) and as serde's
    /// derive reads it whole: the same value, or both an error (the same one for nesting).
    fn agree<'a, T: Entry<'a> + std::fmt::Debug>(text: &'a str) {
        let slice = T::read(&SliceInput::new(text, 0), Cow::Borrowed(text));
        let owned = T::read(&SliceInput::new(text, 0), Cow::Owned(text.to_owned()));
        let whole = serde_json::from_str::<T>(text);
        match (&slice, &owned, &whole) {
            (Ok(a), Ok(b), Ok(c)) => {
                assert_eq!(format!("{a:?}"), format!("{c:?}"), "{text}");
                assert_eq!(format!("{b:?}"), format!("{c:?}"), "{text}");
            }
            (Err(a), Err(b), Err(c)) => {
                let deep = |e: &InputError| matches!(e, InputError::TooDeep);
                let serde_deep = InputError::from_json(c, 0);
                assert_eq!(deep(a), deep(&serde_deep), "{text}: {a} / {c}");
                assert_eq!(deep(b), deep(&serde_deep), "{text}: {b} / {c}");
            }
            _ => panic!("{text}: walker {slice:?} / {owned:?}, serde {whole:?}"),
        }
    }

    #[test]
    fn the_walker_reads_what_serde_reads() {
        let deep = |n: usize| "[".repeat(n) + &"]".repeat(n);
        let mut changes = vec![
            r#"{"address":"aws_lambda_function.f","mode":"managed","type":"aws_lambda_function","name":"f","change":{"actions":["create"],"after":{"tracing_config":[{"mode":"Active"}],"code":{"x":[1,2,{"y":"z"}]}},"after_unknown":{"tracing_config":true},"after_sensitive":{}}}"#.to_owned(),
            // Keys and values with escapes, members in another order, unknown members.
            r#"{"change":{"after":{"tracing\u005fconfig":[{"mode":"Pass\"Through"}]},"actions":["update"]},"ty\u0070e":"aws_lambda_function","address":"a\\b","extra":[{"a":"}"}]}"#.to_owned(),
            r#"{"address":"x","module_address":null,"deposed":"d","change":{"importing":{"id":"i"},"before":null,"after":true}}"#.to_owned(),
            r#"{"address":"x","change":{"importing":null,"after":[1,2],"after_unknown":"s","after_sensitive":3}}"#.to_owned(),
            // Errors: a missing address, a judged attribute twice, wrong types, a non-object.
            r#"{"type":"aws_lambda_function","change":{}}"#.to_owned(),
            r#"{"address":"x","change":{"after":{"tracing_config":1,"tracing_config":2}}}"#.to_owned(),
            r#"{"address":"x","address":"y"}"#.to_owned(),
            r#"{"address":5}"#.to_owned(),
            r#"{"address":"x","mode":null}"#.to_owned(),
            r#"{"address":"x","change":null}"#.to_owned(),
            r#"{"address":"x","change":{"actions":"create"}}"#.to_owned(),
            r#"["x"]"#.to_owned(),
            r#"null"#.to_owned(),
        ];
        for n in [120, 124, 125, 126, 127, 130] {
            changes.push(format!(
                r#"{{"address":"x","change":{{"after":{{"tracing_config":{}}}}}}}"#,
                deep(n)
            ));
        }
        for text in &changes {
            agree::<ResourceChange>(text);
        }
        let mut resources = vec![
            r#"{"address":"aws_lambda_function.f","mode":"managed","type":"aws_lambda_function","values":{"tracing_config":[{"mode":"Active"}],"role":"r","big":"..."},"sensitive_values":{}}"#.to_owned(),
            r#"{"values":null,"address":"x","deposed_key":"k"}"#.to_owned(),
            r#"{"mode":"data","values":{"json":"{}"}}"#.to_owned(),
        ];
        for n in [124, 125, 126, 127] {
            resources.push(format!(
                r#"{{"address":"x","values":{{"role":{}}}}}"#,
                deep(n)
            ));
        }
        for text in &resources {
            agree::<StateResource>(text);
        }
    }

    #[test]
    fn nesting_counts_brackets_outside_strings() {
        assert_eq!(nesting(r#"[{"a":"[[[\"{"}]"#), 2);
        assert_eq!(nesting(r#""[""#), 0);
        assert_eq!(nesting("[[],[[]]]"), 3);
    }
}
