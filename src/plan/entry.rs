//! Reading one admitted entry (a `resource_changes` entry, a state resource) member by member:
//! the members and attributes a rule reads go to serde, one value at a time; everything else is
//! passed by the structural skipper, which is several times faster than serde's validating skip.
//! The result is the value serde's derive gives for the whole entry: the same fields, types,
//! defaults and errors for every member that is read. Like every skipped value of the plan, the
//! skipped members are checked for structure, not for full JSON grammar: they cannot change a
//! verdict.

use super::error::InputError;
use super::marks::Marks;
use super::model::{
    Attributes, Change, Kept, OtherChange, OtherChangeBody, ResourceChange, StateResource, Text,
};
use super::scan::{object, parse_at, unescaped, Input, SliceInput};
use crate::rule;
use serde::Deserialize;
use std::borrow::Cow;

/// Which entries a section keeps besides the judged ones.
#[derive(Clone, Copy, Debug)]
pub enum Reads {
    /// The types rules read from `resource_changes` (IAM grants).
    Changes,
    /// The types rules read from a state (IAM policy documents).
    State,
    /// None: only judged entries are kept (`deferred_changes`).
    Nothing,
}

impl Reads {
    /// An entry of this type is read whole: judged, or read by a rule in this section.
    pub fn reads_type(self, resource_type: &str) -> bool {
        rule::judges_any(resource_type)
            || match self {
                Reads::Changes => rule::reads_type(resource_type),
                Reads::State => rule::reads_state_type(resource_type),
                Reads::Nothing => false,
            }
    }

    /// An entry is kept when its type is read, or when its address could name a judged type
    /// (the caller then refuses it: see [`super::model::type_conflict`]).
    fn keeps(self, address: &str, resource_type: &str) -> bool {
        self.reads_type(resource_type) || super::model::may_name_a_judged_type(address)
    }
}

/// An entry the scanner keeps, read member by member; the section's [`Reads`] decides from the
/// entry's own `type` whether its big members (`change`, `values`) are read or skipped, so an
/// entry is walked once, whatever order its members come in.
pub trait Entry<'a>: Deserialize<'a> + Send {
    /// The entry at `input`; `None` when `reads` does not keep it. With `summary`, a resource
    /// change also leaves its summary there, whatever its type (other entries have none).
    fn walk<'t>(
        input: &mut SliceInput<'t>,
        lift: &Lift<'t, 'a>,
        reads: Reads,
        summary: Option<&mut Option<OtherChange<'a>>>,
    ) -> Result<Option<Self>, InputError>;

    /// Its address and type, for an entry serde read whole.
    fn identity(&self) -> (&str, &str);

    /// The entry from its whole text (`text` starts at `input`'s origin): walked when it is an
    /// object; anything else goes to serde whole, so that it gets serde's error (or, for an
    /// array, serde's reading of it) as it always did.
    fn read(
        input: &impl Input<'a>,
        text: Cow<'a, str>,
        reads: Reads,
    ) -> Result<Option<Self>, InputError> {
        Self::read_summarized(input, text, reads, None)
    }

    /// [`Entry::read`], and with `summary` (for an object) the summary [`Entry::walk`] leaves:
    /// a stream's entry held whole is read as a mapped file's is.
    fn read_summarized(
        input: &impl Input<'a>,
        text: Cow<'a, str>,
        reads: Reads,
        summary: Option<&mut Option<OtherChange<'a>>>,
    ) -> Result<Option<Self>, InputError> {
        if !text.trim_start().starts_with('{') {
            let entry: Self = parse_at(|| input.origin(), text)?;
            let (address, resource_type) = entry.identity();
            return Ok(reads.keeps(address, resource_type).then_some(entry));
        }
        /// The walk must end where the text does: text left over means the skipper that cut the
        /// entry out and the walk read its structure differently (broken grammar), and what is
        /// left could be a whole entry.
        fn whole<'t, 'a, T: Entry<'a>>(
            text: &'t str,
            lift: &Lift<'t, 'a>,
            reads: Reads,
            summary: Option<&mut Option<OtherChange<'a>>>,
        ) -> Result<Option<T>, InputError> {
            let mut walk = SliceInput::new(text, 0);
            let entry = T::walk(&mut walk, lift, reads, summary)?;
            if walk.peek()?.is_some() {
                return Err(walk.error("the entry does not end where its structure does"));
            }
            Ok(entry)
        }
        let result = match &text {
            Cow::Borrowed(entry) => whole(entry, &|piece| Cow::Borrowed(piece), reads, summary),
            Cow::Owned(entry) => {
                whole(entry, &|piece| Cow::Owned(piece.to_owned()), reads, summary)
            }
        };
        result.map_err(|error| error.relocated(input.origin()))
    }
}

impl<'a> Entry<'a> for super::model::DeferredChange<'a> {
    /// Rare (a deferred change each): read by serde whole.
    fn walk<'t>(
        input: &mut SliceInput<'t>,
        lift: &Lift<'t, 'a>,
        reads: Reads,
        _summary: Option<&mut Option<OtherChange<'a>>>,
    ) -> Result<Option<Self>, InputError> {
        let entry: Self = member(input, lift)?;
        let (address, resource_type) = entry.identity();
        Ok(reads.keeps(address, resource_type).then_some(entry))
    }

    fn identity(&self) -> (&str, &str) {
        self.resource_change.identity()
    }
}

impl<'a> Entry<'a> for ResourceChange<'a> {
    fn walk<'t>(
        input: &mut SliceInput<'t>,
        lift: &Lift<'t, 'a>,
        reads: Reads,
        summary: Option<&mut Option<OtherChange<'a>>>,
    ) -> Result<Option<Self>, InputError> {
        resource_change(input, lift, reads, summary)
    }

    fn identity(&self) -> (&str, &str) {
        (self.address.as_str(), self.resource_type.as_str())
    }
}

impl<'a> Entry<'a> for StateResource<'a> {
    fn walk<'t>(
        input: &mut SliceInput<'t>,
        lift: &Lift<'t, 'a>,
        reads: Reads,
        _summary: Option<&mut Option<OtherChange<'a>>>,
    ) -> Result<Option<Self>, InputError> {
        state_resource(input, lift, reads)
    }

    fn identity(&self) -> (&str, &str) {
        (self.address.as_str(), self.resource_type.as_str())
    }
}

/// Turns a piece of the entry's text into text of the input's lifetime: the piece itself when the
/// entry is borrowed from the input, a copy when the entry was read from a stream.
pub type Lift<'t, 'a> = dyn Fn(&'t str) -> Cow<'a, str>;

/// A member whose reading waits for the entry's `type` (it came first): where its value starts.
/// Read afterwards from there, when the type is one the section reads.
fn deferred<'t, T>(
    input: &mut SliceInput<'t>,
    at: Option<usize>,
    read: impl FnOnce(&mut SliceInput<'t>) -> Result<T, InputError>,
) -> Result<Option<T>, InputError> {
    let Some(at) = at else {
        return Ok(None);
    };
    let end = input.position();
    input.seek(at);
    let value = read(input)?;
    input.seek(end);
    Ok(Some(value))
}

/// The next value, parsed by serde as `T`.
fn member<'t, 'a, T: Deserialize<'a>>(
    input: &mut SliceInput<'t>,
    lift: &Lift<'t, 'a>,
) -> Result<T, InputError> {
    let piece = input.piece()?;
    parse_at(|| input.origin(), lift(piece))
}

/// The next value as [`Text`]: a string without escapes or control characters is its own text
/// (what serde would borrow); anything else goes to serde, for its reading and its error.
fn text<'t, 'a>(input: &mut SliceInput<'t>, lift: &Lift<'t, 'a>) -> Result<Text<'a>, InputError> {
    let piece = input.piece()?;
    match unescaped(piece) {
        Some(inner) => Ok(Text(lift(inner))),
        None => parse_at(|| input.origin(), lift(piece)),
    }
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
    reads: Reads,
    summary: Option<&mut Option<OtherChange<'a>>>,
) -> Result<Option<ResourceChange<'a>>, InputError> {
    let summarize = summary.is_some();
    let mut address = None;
    let mut typed = false;
    let mut change_at = None;
    let mut marks = OtherChangeBody::default();
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
            "address" => address = Some(text(input, lift)?),
            "module_address" => entry.module_address = member(input, lift)?,
            "mode" => entry.mode = text(input, lift)?,
            "type" => {
                entry.resource_type = text(input, lift)?;
                typed = true;
            }
            "name" => entry.name = text(input, lift)?,
            "deposed" => entry.deposed = member(input, lift)?,
            "change" if typed => {
                let keep = reads.reads_type(entry.resource_type.as_str());
                if keep || summarize {
                    (entry.change, marks) = change(input, lift, keep, summarize)?;
                } else {
                    input.value(false)?;
                }
            }
            "change" => change_at = Some(input.skip_value()?),
            _ => input.value(false).map(drop)?,
        }
        Ok(())
    })?;
    entry.address = address.ok_or_else(|| missing(input, "address"))?;
    let keep = reads.reads_type(entry.resource_type.as_str());
    if keep || summarize {
        if let Some((change, read)) = deferred(input, change_at, |input| {
            change(input, lift, keep, summarize)
        })? {
            (entry.change, marks) = (change, read);
        }
    }
    if let Some(summary) = summary {
        *summary = Some(OtherChange {
            address: entry.address.clone(),
            change: marks,
        });
    }
    if !keep {
        // Its change is not read: the caller refuses the entry or drops it.
        return Ok(reads
            .keeps(entry.address.as_str(), entry.resource_type.as_str())
            .then_some(entry));
    }
    Ok(Some(entry))
}

const CHANGE: &[&str] = &[
    "actions",
    "before",
    "importing",
    "after",
    "after_unknown",
    "after_sensitive",
];

/// A change: with `keep`, what the rules read of it (else the default); with `marks`, what its
/// summary reads (else the default).
fn change<'t, 'a>(
    input: &mut SliceInput<'t>,
    lift: &Lift<'t, 'a>,
    keep: bool,
    marks: bool,
) -> Result<(Change, OtherChangeBody), InputError> {
    // One copy each, the flags constant in it: the walk without sources runs the code it ran
    // before summaries were walked.
    match (keep, marks) {
        (true, false) => change_read::<true, false>(input, lift),
        (true, true) => change_read::<true, true>(input, lift),
        (false, true) => change_read::<false, true>(input, lift),
        (false, false) => change_read::<false, false>(input, lift),
    }
}

fn change_read<'t, 'a, const KEEP: bool, const MARKS: bool>(
    input: &mut SliceInput<'t>,
    lift: &Lift<'t, 'a>,
) -> Result<(Change, OtherChangeBody), InputError> {
    if input.peek()? != Some(b'{') {
        let piece = input.piece()?;
        let change = match KEEP {
            true => parse_at(|| input.origin(), lift(piece))?,
            false => Change::default(),
        };
        let body = match MARKS {
            true => parse_at(|| input.origin(), lift(piece))?,
            false => OtherChangeBody::default(),
        };
        return Ok((change, body));
    }
    let mut change = Change::default();
    let mut body = OtherChangeBody::default();
    object(input, "a change", CHANGE, |input, key| {
        match key {
            // Read for the summary too: a plan Terraform never writes is refused either way.
            "actions" if KEEP => change.actions = member(input, lift)?,
            "actions" if MARKS => body.actions = member(input, lift)?,
            "before" if KEEP => change.before = attributes(input, lift, 3)?,
            "importing" if KEEP => {
                let piece = input.piece()?;
                change.importing = (piece != "null").then_some(serde::de::IgnoredAny);
            }
            "after" if KEEP => change.after = attributes(input, lift, 3)?,
            "after_unknown" => {
                (change.after_unknown, body.after_unknown) =
                    kept_and_marks::<KEEP, MARKS>(input, lift)?
            }
            "after_sensitive" => {
                (change.after_sensitive, body.after_sensitive) =
                    kept_and_marks::<KEEP, MARKS>(input, lift)?
            }
            _ => input.value(false).map(drop)?,
        }
        Ok(())
    })?;
    Ok((change, body))
}

/// An `after_unknown` or `after_sensitive` value: with `keep`, its kept attributes; with `marks`,
/// its marks (each the default otherwise).
fn kept_and_marks<'t, 'a, const KEEP: bool, const MARKS: bool>(
    input: &mut SliceInput<'t>,
    lift: &Lift<'t, 'a>,
) -> Result<(Kept, Marks), InputError> {
    let marked = if MARKS {
        let at = input.position();
        let read = marks_of(input, lift, 2)?;
        if KEEP {
            input.seek(at);
        }
        read
    } else {
        Marks::None
    };
    let kept = match KEEP {
        true => attributes(input, lift, 3)?,
        false => Kept::default(),
    };
    Ok((kept, marked))
}

/// The marks of an `after_unknown` or `after_sensitive` value (see [`Marks`]) inside `enclosing`
/// levels of its entry (the value's own level not among them: `nesting` counts it); refused
/// where serde, reading the whole entry, would refuse it.
fn marks_of<'t, 'a>(
    input: &mut SliceInput<'t>,
    lift: &Lift<'t, 'a>,
    enclosing: usize,
) -> Result<Marks, InputError> {
    let piece = input.piece()?;
    match piece {
        "true" => return Ok(Marks::All),
        "false" | "null" | "{}" | "[]" => return Ok(Marks::None),
        _ => {}
    }
    if piece.len() / 2 > MAX_NESTING - enclosing && enclosing + nesting(piece) > MAX_NESTING {
        return Err(InputError::TooDeep);
    }
    parse_at(|| input.origin(), lift(piece))
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
    reads: Reads,
) -> Result<Option<StateResource<'a>>, InputError> {
    let mut address = None;
    let mut typed = false;
    let (mut values_at, mut sensitive_at) = (None, None);
    let mut resource = StateResource {
        address: Text::default(),
        mode: Text::default(),
        resource_type: Text::default(),
        deposed_key: None,
        values: Kept::default(),
        sensitive_values: Kept::default(),
    };
    object(input, "a state resource", STATE_RESOURCE, |input, key| {
        let read = typed && reads.reads_type(resource.resource_type.as_str());
        match key {
            "address" => address = Some(text(input, lift)?),
            "mode" => resource.mode = text(input, lift)?,
            "type" => {
                resource.resource_type = text(input, lift)?;
                typed = true;
            }
            "deposed_key" => resource.deposed_key = member(input, lift)?,
            "values" if read => resource.values = attributes(input, lift, 2)?,
            "sensitive_values" if read => resource.sensitive_values = attributes(input, lift, 2)?,
            "values" if !typed => values_at = Some(input.skip_value()?),
            "sensitive_values" if !typed => sensitive_at = Some(input.skip_value()?),
            _ => input.value(false).map(drop)?,
        }
        Ok(())
    })?;
    resource.address = address.ok_or_else(|| missing(input, "address"))?;
    if !reads.reads_type(resource.resource_type.as_str()) {
        return Ok(reads
            .keeps(resource.address.as_str(), resource.resource_type.as_str())
            .then_some(resource));
    }
    if let Some(values) = deferred(input, values_at, |input| attributes(input, lift, 2))? {
        resource.values = values;
    }
    if let Some(sensitive) = deferred(input, sensitive_at, |input| attributes(input, lift, 2))? {
        resource.sensitive_values = sensitive;
    }
    Ok(Some(resource))
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
/// around it in its entry, this object's own included. The kept attributes are held as their own
/// text (checked by serde for grammar and repeated keys, not rebuilt): one allocation per object.
fn attributes<'t, 'a>(
    input: &mut SliceInput<'t>,
    lift: &Lift<'t, 'a>,
    enclosing: usize,
) -> Result<Kept, InputError> {
    if input.peek()? != Some(b'{') {
        let Attributes(value) = member(input, lift)?;
        return Ok(Kept::of(value));
    }
    let mut kept: Vec<(&'static str, &'t str)> = Vec::new();
    object(input, "an attribute object", &[], |input, key| {
        let Some(&name) = rule::kept_attributes().iter().find(|&&name| name == key) else {
            return input.value(false).map(drop);
        };
        // A second value for a judged attribute could hide the first: refuse.
        if kept.iter().any(|&(seen, _)| seen == name) {
            return Err(input.error(&format!("duplicate attribute {key:?}")));
        }
        let piece = input.piece()?;
        // serde read the whole entry with its nesting limit: an attribute that nested too deep
        // for it inside its entry is still refused (and a kept one always reads back).
        if piece.len() / 2 > MAX_NESTING - enclosing && enclosing + nesting(piece) > MAX_NESTING {
            return Err(InputError::TooDeep);
        }
        if !plain_string(piece) {
            let Checked = parse_at(|| input.origin(), Cow::Borrowed(piece))?;
        }
        kept.push((name, piece));
        Ok(())
    })?;
    if kept.is_empty() {
        return Ok(Kept::EmptyObject);
    }
    let length = kept
        .iter()
        .map(|(name, piece)| name.len() + piece.len() + 4)
        .sum::<usize>()
        + 1;
    let mut text = String::with_capacity(length);
    for (name, piece) in kept {
        text.push(if text.is_empty() { '{' } else { ',' });
        // Attribute names are plain identifiers: nothing to escape.
        text.push('"');
        text.push_str(name);
        text.push_str("\":");
        text.push_str(piece);
    }
    text.push('}');
    Ok(Kept::Json(text.into_boxed_str()))
}

/// Whether `piece` is a string serde accepts as it stands, told without serde: no control
/// character, no unescaped quote inside, and only one-character escapes. A `\u` escape (whose
/// surrogate rules are serde's) or anything else doubtful goes to serde, for its verdict and its
/// error. The common case is a policy document held as a string: serde would copy it, escape by
/// escape, into a buffer that starts empty for every value.
fn plain_string(piece: &str) -> bool {
    let [b'"', inner @ .., b'"'] = piece.as_bytes() else {
        return false;
    };
    let mut at = 0;
    while let Some(&byte) = inner.get(at) {
        match byte {
            0..=0x1f | b'"' => return false,
            b'\\' => match inner.get(at + 1) {
                Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => at += 2,
                _ => return false,
            },
            _ => at += 1,
        }
    }
    true
}

/// A value checked as [`super::model::UniqueKeys`] checks it (JSON grammar, no key twice in an
/// object, the same error) without being built.
pub(super) struct Checked;

impl<'de> Deserialize<'de> for Checked {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::{self, MapAccess, SeqAccess, Visitor};
        struct CheckedVisitor;
        impl<'de> Visitor<'de> for CheckedVisitor {
            type Value = Checked;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON value")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Checked, A::Error> {
                // The first keys are compared in place (most objects hold a few: no allocation,
                // no hashing); from the ninth on, a set, so that an object of many keys costs
                // linear time, never quadratic.
                const FEW: usize = 8;
                let mut few: [Cow<'de, str>; FEW] = Default::default();
                let mut held = 0;
                let mut many: std::collections::HashSet<Cow<'de, str>> =
                    std::collections::HashSet::new();
                while let Some(key) = map.next_key::<Text<'de>>()? {
                    map.next_value::<Checked>()?;
                    let name = key.as_str();
                    if few[..held].iter().any(|seen| seen == name) || many.contains(name) {
                        return Err(de::Error::custom(format_args!(
                            "duplicate attribute {:?}",
                            crate::finding::shorten(name.to_owned())
                        )));
                    }
                    if held < FEW {
                        few[held] = key.0;
                        held += 1;
                    } else {
                        many.insert(key.0);
                    }
                }
                Ok(Checked)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Checked, A::Error> {
                while seq.next_element::<Checked>()?.is_some() {}
                Ok(Checked)
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Checked, E> {
                Ok(Checked)
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Checked, E> {
                Ok(Checked)
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Checked, E> {
                Ok(Checked)
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Checked, E> {
                Ok(Checked)
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<Checked, E> {
                Ok(Checked)
            }
            fn visit_unit<E: de::Error>(self) -> Result<Checked, E> {
                Ok(Checked)
            }
        }
        deserializer.deserialize_any(CheckedVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// What `plain_string` lets past serde, serde accepts: strings of quotes, escapes,
        /// control characters and `\u` in any order.
        #[test]
        fn plain_strings_are_strings_serde_accepts(
            inner in proptest::collection::vec(proptest::sample::select(vec![
                "a", "é", "\"", "\\", "\\\"", "\\n", "\\t", "\\/", "\\b", "\\f", "\\r",
                "\\u", "\\u0041", "\\ud800", "\\x", "\u{1}", "\n", "\u{7f}", " ",
            ]), 0..12)
        ) {
            let piece = format!("\"{}\"", inner.concat());
            if plain_string(&piece) {
                proptest::prop_assert!(serde_json::from_str::<String>(&piece).is_ok(), "{piece:?}");
            }
        }
    }

    #[test]
    fn plain_strings_leave_doubtful_ones_to_serde() {
        assert!(plain_string(r#""{\"Version\":\"2012-10-17\"}\n""#));
        assert!(plain_string(r#""""#));
        for doubtful in [
            r#""\u0041""#,
            r#""a\""#,
            "\"a\u{1}\"",
            r#""a"b""#,
            r#""\x""#,
            "\"",
            "abc",
        ] {
            assert!(!plain_string(doubtful), "{doubtful:?}");
        }
    }

    /// A repeated key is refused wherever it falls, before and after the keys checked in place
    /// give way to the set, and written escaped or not; distinct keys are accepted.
    #[test]
    fn checked_refuses_a_repeated_key_at_any_position() {
        for keys in 1..20 {
            let names: Vec<String> = (0..keys).map(|k| format!("k{k}")).collect();
            let object = |names: &[String]| {
                let members: Vec<String> =
                    names.iter().map(|n| format!("\"{n}\":[{{}}]")).collect();
                format!("{{{}}}", members.join(","))
            };
            assert!(
                serde_json::from_str::<Checked>(&object(&names)).is_ok(),
                "{keys} keys"
            );
            for first in 0..keys {
                let mut repeated = names.clone();
                // Once plain, once with an escaped `k` (\u006b): the same key to JSON.
                repeated.push(format!("\\u006b{}", &names[first][1..]));
                let Err(error) = serde_json::from_str::<Checked>(&object(&repeated)) else {
                    panic!("{keys} keys, k{first} again: accepted");
                };
                assert!(
                    error
                        .to_string()
                        .starts_with(&format!("duplicate attribute {:?}", names[first])),
                    "{keys} keys, k{first} again: {error}"
                );
            }
        }
    }

    /// An entry with its kept attributes as values (the walker keeps their text as written,
    /// serde's derive as it writes them again).
    trait Normal {
        fn normal(&self) -> String;
    }

    impl Normal for ResourceChange<'_> {
        fn normal(&self) -> String {
            let c = &self.change;
            let (address, module, mode) = (&self.address, &self.module_address, &self.mode);
            let (kind, name, deposed) = (&self.resource_type, &self.name, &self.deposed);
            format!(
                "{address:?} {module:?} {mode:?} {kind:?} {name:?} {deposed:?} {:?} {:?} {:?} {:?} {:?} {:?}",
                c.actions,
                c.importing.is_some(),
                c.before.value(),
                c.after.value(),
                c.after_unknown.value(),
                c.after_sensitive.value()
            )
        }
    }

    impl Normal for StateResource<'_> {
        fn normal(&self) -> String {
            let (address, mode, kind) = (&self.address, &self.mode, &self.resource_type);
            format!(
                "{address:?} {mode:?} {kind:?} {:?} {:?} {:?}",
                self.deposed_key,
                self.values.value(),
                self.sensitive_values.value()
            )
        }
    }

    /// The entry as the walker reads it (from a slice, then from a stream's copy) and as serde's
    /// derive reads it whole: the same value, or both an error (the same one for nesting), or
    /// an entry the section does not keep (the walker then reads its big members not at all).
    fn agree<'a, T: Entry<'a> + Normal + std::fmt::Debug>(text: &'a str, reads: Reads) {
        let slice = T::read(&SliceInput::new(text, 0), Cow::Borrowed(text), reads);
        let owned = T::read(
            &SliceInput::new(text, 0),
            Cow::Owned(text.to_owned()),
            reads,
        );
        let whole = serde_json::from_str::<T>(text);
        match (&slice, &owned, &whole) {
            (Ok(Some(a)), Ok(Some(b)), Ok(c)) => {
                assert_eq!(a.normal(), c.normal(), "{text}");
                assert_eq!(b.normal(), c.normal(), "{text}");
            }
            (Ok(None), Ok(None), Ok(c)) => {
                let (address, resource_type) = c.identity();
                assert!(!reads.keeps(address, resource_type), "{text}");
            }
            // An entry not kept is not read past its identity: serde's error in a member
            // the walker passes is not raised.
            (Ok(None), Ok(None), Err(_)) => {
                // (The text may not be JSON: its plain string members, as written.)
                let member = |key: &str| {
                    let written = text.split(&format!("\"{key}\":\"")).nth(1);
                    written
                        .and_then(|rest| rest.split('"').next())
                        .unwrap_or_default()
                };
                assert!(!reads.keeps(member("address"), member("type")), "{text}");
            }
            (Err(a), Err(b), Err(c)) => {
                // The same cause (positions aside: serde counts from the entry's end or the
                // value's, the walker from where it stopped).
                let cause = |e: &InputError| match e {
                    InputError::InvalidJson { detail, .. } | InputError::NotJson { detail, .. } => {
                        detail.clone()
                    }
                    other => other.to_string(),
                };
                // The walker words a repeated member as the scanner does everywhere else.
                let serde_error = InputError::from_json(c, 0);
                let serde_cause = cause(&serde_error);
                let serde_cause = match serde_cause.strip_prefix("duplicate field `") {
                    Some(field) => format!("duplicate key {:?}", field.trim_end_matches('`')),
                    None => serde_cause,
                };
                assert_eq!(cause(a), serde_cause, "{text}");
                assert_eq!(cause(b), serde_cause, "{text}");
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
            r#"{"address":"x","change":{"after":{"tracing_config":[{"mode":"A","mode":"B"}]}}}"#.to_owned(),
            r#"{"address":"x","change":{"after":{"tracing_config":[{"mode":tru}]}}}"#.to_owned(),
            r#"{"address":"x","change":{"after":{"role":"a\u00e9\n","tracing_config":[{"mode":1.50e3,"n":-0,"b":18446744073709551616}],"tracing_config_extra":[1]}}}"#.to_owned(),
            r#"{"address":"x","change":{"after":{ "role" : "r" , "tracing_config" : [ ] }}}"#.to_owned(),
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
        for text in typed_too(changes) {
            agree::<ResourceChange>(&text, Reads::Changes);
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
        for text in typed_too(resources) {
            agree::<StateResource>(&text, Reads::State);
        }
    }

    /// Each text, and each object without a `type` also with a judged one (first, and last: the
    /// big members then come before it and are read afterwards).
    fn typed_too(texts: Vec<String>) -> Vec<String> {
        let mut all = Vec::new();
        for text in texts {
            if text.starts_with('{') && !text.contains("type") && text.len() > 2 {
                all.push(text.replacen('{', r#"{"type":"aws_lambda_function","#, 1));
                let end = text.rfind('}').expect("an object");
                all.push(format!(
                    r#"{},"type":"aws_lambda_function"}}"#,
                    &text[..end]
                ));
            }
            all.push(text);
        }
        all
    }

    /// The summary as the walk reads it and as serde's derive reads it whole (what a stream
    /// reads): the same address and marks, or both an error; and reading it never turns an
    /// entry the walk accepts alone into one it refuses, except for a broken summary.
    #[test]
    fn the_walk_reads_the_summary_serde_reads() {
        fn walk(text: &str, summarize: bool) -> Result<Option<OtherChange<'_>>, InputError> {
            let mut input = SliceInput::new(text, 0);
            let mut summary = None;
            let read = ResourceChange::walk(
                &mut input,
                &|piece| Cow::Borrowed(piece),
                Reads::Changes,
                summarize.then_some(&mut summary),
            );
            read.map(|_| summary)
        }
        let texts = typed_too(vec![
            r#"{"address":"aws_iam_role.r","type":"aws_iam_role","change":{"actions":["create"],"after":{"arn":null},"after_unknown":{"arn":true,"tags":{},"inline":[{"x":[false,true]}]},"after_sensitive":{"tags":{"k":true}}}}"#.to_owned(),
            r#"{"change":{"after_unknown":true,"after_sensitive":false},"address":"aws_s3_bucket.b","type":"aws_s3_bucket"}"#.to_owned(),
            r#"{"address":"data.aws_iam_policy_document.d","mode":"data","change":{"after_unknown":{"json":true}}}"#.to_owned(),
            r#"{"address":"x","change":{"after_unknown":{"a\u0062":true,"b":"s","c":1,"d":null}}}"#.to_owned(),
            r#"{"address":"x","change":{}}"#.to_owned(),
            r#"{"address":"x"}"#.to_owned(),
            r#"{"address":"x","change":{"after_unknown":[true,false,[true]]}}"#.to_owned(),
            r#"{"address":"x","change":{"after_unknown" : { "a" : true } , "after_sensitive" : [ ] }}"#.to_owned(),
            // Errors: a repeated key in the marks, or a repeated marks member; not an object.
            r#"{"address":"x","change":{"after_unknown":{"a":true,"a":false}}}"#.to_owned(),
            r#"{"address":"x","change":{"after_unknown":{"a":{"b":1,"b":1}}}}"#.to_owned(),
            r#"{"address":"x","change":{"after_unknown":{},"after_unknown":{"a":true}}}"#.to_owned(),
            r#"{"address":"x","change":{"after_unknown":{"a":tru}}}"#.to_owned(),
            r#"{"address":"x","change":null}"#.to_owned(),
            r#"{"address":"x","change":[["create"]]}"#.to_owned(),
            r#"{"address":"x","change":"c"}"#.to_owned(),
            // Actions are read for the summary too; a change as an array is read by position.
            r#"{"address":"x","change":{"actions":true,"after_unknown":{"a":true}}}"#.to_owned(),
            r#"{"address":"x","change":[true]}"#.to_owned(),
            r#"{"address":"x","change":[["create"],{"a":true}]}"#.to_owned(),
        ]);
        let mut texts = texts;
        // serde's nesting limit, counted from the entry: the marks' own level is theirs.
        for n in 123..=127 {
            let deep = "{\"a\":".repeat(n) + "true" + &"}".repeat(n);
            texts.push(format!(
                r#"{{"address":"x","change":{{"after_unknown":{deep}}}}}"#
            ));
            texts.push(format!(
                r#"{{"address":"x","type":"aws_lambda_function","change":{{"after_sensitive":{deep}}}}}"#
            ));
        }
        for text in &texts {
            let alone = walk(text, false);
            let summarized = walk(text, true);
            let whole = serde_json::from_str::<OtherChange>(text);
            match (&alone, &summarized, &whole) {
                (_, Ok(Some(a)), Ok(b)) => {
                    assert_eq!(a.address.as_str(), b.address.as_str(), "{text}");
                    assert_eq!(a.change.after_unknown, b.change.after_unknown, "{text}");
                    assert_eq!(a.change.after_sensitive, b.change.after_sensitive, "{text}");
                }
                // Both refuse (where the walk alone accepts, a member only the summary
                // reads is broken).
                (_, Err(_), Err(_)) => {}
                _ => panic!("{text}: alone {alone:?}, walked {summarized:?}, serde {whole:?}"),
            }
            if alone.is_err() {
                assert!(summarized.is_err(), "{text}");
            }
        }
        // By design the walk does not check the grammar of what it skips (serde, reading the
        // whole entry, does): an entry with a broken member nobody reads is read.
        let skipped = r#"{"address":"x","change":{"after":{"a":tru},"after_unknown":{"a":true}}}"#;
        let read = walk(skipped, true).expect("read").expect("summarized");
        assert!(read
            .change
            .after_unknown
            .key("a")
            .is_some_and(Marks::is_all));
        assert!(serde_json::from_str::<OtherChange>(skipped).is_err());
    }

    #[test]
    fn entries_of_other_types_are_not_kept_unless_their_address_names_a_judged_type() {
        let read = |text: &str, reads| {
            ResourceChange::read(&SliceInput::new(text, 0), Cow::Borrowed(text), reads)
                .expect("valid")
                .map(|c| c.resource_type.as_str().to_owned())
        };
        let role =
            r#"{"address":"aws_iam_role.r","type":"aws_iam_role","change":{"after":{"arn":"a"}}}"#;
        assert_eq!(read(role, Reads::Changes).as_deref(), Some("aws_iam_role"));
        assert_eq!(read(role, Reads::Nothing), None);
        // Not read, so its change is not parsed: a broken one passes (structure is checked).
        let bucket = r#"{"address":"aws_s3_bucket.b","type":"aws_s3_bucket","change":{"after":{"tracing_config":1,"tracing_config":2}}}"#;
        assert_eq!(read(bucket, Reads::Changes), None);
        // An address that names a function is kept for the caller to refuse (type_conflict).
        let hiding = r#"{"address":"aws_lambda_function.f","type":"aws_s3_bucket","change":{}}"#;
        assert_eq!(
            read(hiding, Reads::Changes).as_deref(),
            Some("aws_s3_bucket")
        );
        // A second type cannot hide the first, before or after the change.
        for twice in [
            r#"{"address":"x","type":"aws_s3_bucket","change":{},"type":"aws_lambda_function"}"#,
            r#"{"address":"x","change":{},"type":"aws_lambda_function","type":"aws_s3_bucket"}"#,
        ] {
            let error = ResourceChange::read(
                &SliceInput::new(twice, 0),
                Cow::Borrowed(twice),
                Reads::Changes,
            )
            .expect_err("a repeated type");
            assert!(
                error.to_string().contains("duplicate key \"type\""),
                "{error}"
            );
        }
    }

    #[test]
    fn nesting_counts_brackets_outside_strings() {
        assert_eq!(nesting(r#"[{"a":"[[[\"{"}]"#), 2);
        assert_eq!(nesting(r#""[""#), 0);
        assert_eq!(nesting("[[],[[]]]"), 3);
    }
}
