//! The parts of `terraform show -json` output that tracegate reads, as typed, borrowed serde structs.
//! Everything else is skipped without building values (`IgnoredAny`), and attribute objects keep only
//! the attributes the rule reads (see [`Attributes`]).

use super::marks::Marks;
use crate::rule;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::{Map, Value};
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;

/// A string that borrows from the input when it can (no escapes, slice input) and owns otherwise.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Text<'a>(pub Cow<'a, str>);

impl<'a> Text<'a> {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The string's byte offset in `input`, when it was borrowed from it.
    pub fn offset_in(&self, input: &[u8]) -> Option<usize> {
        match &self.0 {
            Cow::Borrowed(s) => {
                let start = input.as_ptr() as usize;
                let at = s.as_ptr() as usize;
                (at >= start && at + s.len() <= start + input.len()).then(|| at - start)
            }
            Cow::Owned(_) => None,
        }
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TextVisitor;
        impl<'de> Visitor<'de> for TextVisitor {
            type Value = Text<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Text(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Text(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(Text(Cow::Owned(v)))
            }
        }
        deserializer.deserialize_str(TextVisitor)
    }
}

/// An attribute object (`after`, `after_unknown`, `values`, `expressions`, …) reduced to the
/// attributes the rule reads. Non-object values (`null`, `true`, `false`) are kept as they are.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Attributes(pub Value);

impl<'de> Deserialize<'de> for Attributes {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(Attributes(
            match KeptMembers::<UniqueKeys>::deserialize(deserializer)? {
                KeptMembers::Object(members) => Value::Object(
                    members
                        .into_iter()
                        .map(|(name, value)| (name.to_owned(), value.0))
                        .collect(),
                ),
                KeptMembers::Array => Value::Array(Vec::new()),
                KeptMembers::Bool(b) => Value::Bool(b),
                KeptMembers::Other => Value::Null,
            },
        ))
    }
}

/// An attribute object's members that rules read ([`rule::kept_attributes`]), each read as `V`,
/// the others skipped; a member given twice is refused. Anything but an object is told by its
/// shape only. The one reading behind [`Attributes`] and [`ConfigExpressions`].
enum KeptMembers<V> {
    Object(Vec<(&'static str, V)>),
    Array,
    Bool(bool),
    Other,
}

impl<'de, V: Deserialize<'de>> Deserialize<'de> for KeptMembers<V> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct MembersVisitor<V>(std::marker::PhantomData<V>);
        impl<'de, V: Deserialize<'de>> Visitor<'de> for MembersVisitor<V> {
            type Value = KeptMembers<V>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an attribute object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut kept: Vec<(&'static str, V)> = Vec::new();
                while let Some(key) = map.next_key::<Text<'de>>()? {
                    let Some(&name) = rule::kept_attributes().iter().find(|&&n| n == key.as_str())
                    else {
                        map.next_value::<IgnoredAny>()?;
                        continue;
                    };
                    // A second value for a judged attribute could hide the first: refuse.
                    if kept.iter().any(|&(seen, _)| seen == name) {
                        return Err(de::Error::custom(format_args!(
                            "duplicate attribute {name:?}"
                        )));
                    }
                    kept.push((name, map.next_value()?));
                }
                Ok(KeptMembers::Object(kept))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(KeptMembers::Array)
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
                Ok(KeptMembers::Bool(v))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(KeptMembers::Other)
            }
            fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(KeptMembers::Other)
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
                d.deserialize_any(self)
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
                Ok(KeptMembers::Other)
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
                Ok(KeptMembers::Other)
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
                Ok(KeptMembers::Other)
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
                Ok(KeptMembers::Other)
            }
        }
        deserializer.deserialize_any(MembersVisitor(std::marker::PhantomData))
    }
}

/// The kept attributes of one resource instance, held as compact JSON text and read into a value
/// only while that instance is judged: a plan of a million functions would otherwise hold a
/// million small maps (about 1.3 KB each) until its last function is judged.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Kept {
    #[default]
    Null,
    Bool(bool),
    EmptyObject,
    Json(Box<str>),
}

impl Kept {
    pub(super) fn of(value: Value) -> Kept {
        match value {
            Value::Null => Kept::Null,
            Value::Bool(b) => Kept::Bool(b),
            Value::Object(map) if map.is_empty() => Kept::EmptyObject,
            other => Kept::Json(other.to_string().into_boxed_str()),
        }
    }

    /// The attributes as a value.
    pub fn value(&self) -> Value {
        match self {
            Kept::Null => Value::Null,
            Kept::Bool(b) => Value::Bool(*b),
            Kept::EmptyObject => Value::Object(Map::new()),
            // Text checked as `UniqueKeys` when read (or written from a value it built), no deeper
            // than it was: it reads back. As `UniqueKeys`, whose keys are plain strings: a serde
            // `Value` takes an object keyed `$serde_json::private::RawValue` for a raw value.
            Kept::Json(text) => {
                serde_json::from_str::<UniqueKeys>(text)
                    .expect("kept text is checked JSON")
                    .0
            }
        }
    }

    /// The top-level attribute `key` when it is a string (what `value().get(key)` then `as_str`
    /// gives), read without building the other attributes.
    pub fn string(&self, key: &str) -> Option<String> {
        struct Member<'k>(&'k str);
        impl<'de> serde::de::Visitor<'de> for Member<'_> {
            type Value = Option<String>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut found = None;
                while let Some(key) = map.next_key::<Cow<'de, str>>()? {
                    if key == self.0 {
                        // Kept text has no key twice; a value of another type is no string.
                        // As `value()` builds it (`UniqueKeys`): the same member, the same type.
                        found = map
                            .next_value::<UniqueKeys>()?
                            .0
                            .as_str()
                            .map(str::to_owned);
                    } else {
                        map.next_value::<de::IgnoredAny>()?;
                    }
                }
                Ok(found)
            }
        }
        match self {
            Kept::Json(text) => {
                let mut de = serde_json::Deserializer::from_str(text);
                // Not an object: no member, as `Value::get` says.
                serde::Deserializer::deserialize_any(&mut de, Member(key))
                    .ok()
                    .flatten()
            }
            Kept::Null | Kept::Bool(_) | Kept::EmptyObject => None,
        }
    }
}

impl<'de> Deserialize<'de> for Kept {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Attributes::deserialize(deserializer).map(|a| Kept::of(a.0))
    }
}

/// A JSON value whose objects have unique keys: in the attributes the rule judges (and in an
/// envelope read for `--plan-path`), a repeated key could hide the value that matters, so it is
/// refused rather than silently overwritten.
pub struct UniqueKeys(pub Value);

impl<'de> Deserialize<'de> for UniqueKeys {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct UniqueVisitor;
        impl<'de> Visitor<'de> for UniqueVisitor {
            type Value = UniqueKeys;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a JSON value")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<UniqueKeys, A::Error> {
                let mut out = Map::new();
                while let Some(key) = map.next_key::<String>()? {
                    let value = map.next_value::<UniqueKeys>()?.0;
                    match out.entry(key) {
                        serde_json::map::Entry::Vacant(slot) => {
                            slot.insert(value);
                        }
                        serde_json::map::Entry::Occupied(seen) => {
                            return Err(de::Error::custom(format_args!(
                                "duplicate attribute {:?}",
                                seen.key()
                            )));
                        }
                    }
                }
                Ok(UniqueKeys(Value::Object(out)))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<UniqueKeys, A::Error> {
                let mut out = Vec::new();
                while let Some(item) = seq.next_element::<UniqueKeys>()? {
                    out.push(item.0);
                }
                Ok(UniqueKeys(Value::Array(out)))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<UniqueKeys, E> {
                Ok(UniqueKeys(Value::Bool(v)))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<UniqueKeys, E> {
                Ok(UniqueKeys(Value::from(v)))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<UniqueKeys, E> {
                Ok(UniqueKeys(Value::from(v)))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<UniqueKeys, E> {
                Ok(UniqueKeys(Value::from(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<UniqueKeys, E> {
                Ok(UniqueKeys(Value::String(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<UniqueKeys, E> {
                Ok(UniqueKeys(Value::String(v)))
            }
            fn visit_unit<E: de::Error>(self) -> Result<UniqueKeys, E> {
                Ok(UniqueKeys(Value::Null))
            }
            fn visit_none<E: de::Error>(self) -> Result<UniqueKeys, E> {
                Ok(UniqueKeys(Value::Null))
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<UniqueKeys, D::Error> {
                d.deserialize_any(self)
            }
        }
        deserializer.deserialize_any(UniqueVisitor)
    }
}

/// The set of a change's actions. Compared as a set: OpenTofu writes `["forget","create"]` where
/// Terraform writes `["create","forget"]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Actions(u8);

impl Actions {
    pub const NO_OP: u8 = 1;
    pub const CREATE: u8 = 2;
    pub const READ: u8 = 4;
    pub const UPDATE: u8 = 8;
    pub const DELETE: u8 = 16;
    pub const FORGET: u8 = 32;
    pub const OTHER: u8 = 128;

    const NAMES: [(u8, &'static str); 6] = [
        (Self::NO_OP, "no-op"),
        (Self::CREATE, "create"),
        (Self::READ, "read"),
        (Self::UPDATE, "update"),
        (Self::DELETE, "delete"),
        (Self::FORGET, "forget"),
    ];

    pub fn from_bits(bits: u8) -> Actions {
        Actions(bits)
    }

    pub fn contains(self, bit: u8) -> bool {
        self.0 & bit != 0
    }

    pub fn is(self, bits: u8) -> bool {
        self.0 == bits
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// One of the action lists Terraform and OpenTofu write (`internal/command/jsonplan`
    /// `actionString`): anything else is a plan no apply runs as written.
    pub fn is_written_by_terraform(self) -> bool {
        const WRITTEN: [u8; 8] = [
            Actions::NO_OP,
            Actions::CREATE,
            Actions::READ,
            Actions::UPDATE,
            Actions::DELETE,
            Actions::DELETE | Actions::CREATE,
            Actions::FORGET,
            Actions::CREATE | Actions::FORGET,
        ];
        WRITTEN.contains(&self.0)
    }

    /// Action names in a fixed order, for reports: one shared slice per set of actions.
    pub fn names(self) -> &'static [&'static str] {
        static TABLE: std::sync::OnceLock<Vec<Vec<&'static str>>> = std::sync::OnceLock::new();
        let table =
            TABLE.get_or_init(|| (0..=u8::MAX).map(|bits| Actions(bits).listed()).collect());
        &table[usize::from(self.0)]
    }

    fn listed(self) -> Vec<&'static str> {
        let mut names: Vec<&'static str> = Self::NAMES
            .iter()
            .filter(|(bit, _)| self.contains(*bit))
            .map(|(_, name)| *name)
            .collect();
        if self.contains(Self::OTHER) {
            names.push("other");
        }
        names
    }
}

impl<'de> Deserialize<'de> for Actions {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ActionsVisitor;
        impl<'de> Visitor<'de> for ActionsVisitor {
            type Value = Actions;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a list of actions")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Actions, A::Error> {
                let mut bits = 0;
                while let Some(name) = seq.next_element::<Text<'de>>()? {
                    bits |= Actions::NAMES
                        .iter()
                        .find(|(_, n)| *n == name.as_str())
                        .map_or(Actions::OTHER, |(bit, _)| *bit);
                }
                Ok(Actions(bits))
            }
        }
        deserializer.deserialize_seq(ActionsVisitor)
    }
}

/// One entry of `resource_changes`.
#[derive(Debug, Deserialize)]
pub struct ResourceChange<'a> {
    #[serde(borrow)]
    pub address: Text<'a>,
    #[serde(borrow, default)]
    pub module_address: Option<Text<'a>>,
    #[serde(borrow, default)]
    pub mode: Text<'a>,
    #[serde(borrow, rename = "type", default)]
    pub resource_type: Text<'a>,
    #[serde(borrow, default)]
    pub name: Text<'a>,
    #[serde(borrow, default)]
    pub deposed: Option<Text<'a>>,
    #[serde(default)]
    pub change: Change,
}

impl ResourceChange<'_> {
    /// A type the rule judges, and managed unless it says it is a data source: an entry that
    /// hides its mode is still judged.
    pub fn is_judged(&self) -> bool {
        self.mode.as_str() != "data" && rule::judges_any(self.resource_type.as_str())
    }

    /// A type some rule reads to decide (IAM grants), managed or data source.
    pub fn is_read(&self) -> bool {
        rule::reads_type(self.resource_type.as_str())
    }

    /// An entry whose `type` is missing or disagrees with a judged type its address names:
    /// Terraform never writes one, and skipping it could hide a function.
    pub fn type_conflict(&self) -> Option<String> {
        type_conflict(
            self.address.as_str(),
            self.resource_type.as_str(),
            self.mode.as_str(),
        )
    }
}

/// Whether an address could name a judged type (a necessary condition for
/// [`type_conflict`] on an entry whose own type is not judged): it contains a judged type's name.
pub fn may_name_a_judged_type(address: &str) -> bool {
    rule::ALL
        .iter()
        .flat_map(|r| r.targets.iter())
        .any(|t| address.contains(t.resource_type))
}

/// The address of an entry that would not be judged (its `type` is missing or another type, or
/// it says it is a data source) while its address names a managed resource of a judged type.
pub fn type_conflict(address: &str, resource_type: &str, mode: &str) -> Option<String> {
    let conflict = match crate::plan::address::parse(address) {
        // The type must be the one the address names, whenever either is judged: an awscc entry
        // at an aws address would otherwise hide the aws function of the same address.
        Some(parsed) => {
            let judged = rule::judges_any(&parsed.resource_type) || rule::judges_any(resource_type);
            judged && (parsed.resource_type != resource_type || mode == "data")
        }
        // Data sources (`data.TYPE.NAME`) do not parse as managed addresses.
        None => {
            mode != "data" && !rule::judges_any(resource_type) && may_name_a_judged_type(address)
        }
    };
    conflict.then(|| address.to_owned())
}

#[derive(Debug, Default, Deserialize)]
pub struct Change {
    #[serde(default)]
    pub actions: Actions,
    /// What is deployed now (`null` on create), kept for the ratchet.
    #[serde(default)]
    pub before: Kept,
    /// `importing` (Terraform 1.5+): the object is adopted by this plan, not yet managed here.
    #[serde(default)]
    pub importing: Option<serde::de::IgnoredAny>,
    #[serde(default)]
    pub after: Kept,
    #[serde(default)]
    pub after_unknown: Kept,
    #[serde(default)]
    pub after_sensitive: Kept,
}

/// `resource_changes`, keeping only managed resources of the types the rule judges.
#[derive(Debug, Default)]
pub struct JudgedChanges<'a>(pub Vec<ResourceChange<'a>>);

impl<'de: 'a, 'a> Deserialize<'de> for JudgedChanges<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ChangesVisitor;
        impl<'de> Visitor<'de> for ChangesVisitor {
            type Value = JudgedChanges<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a list of resource changes")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut kept = Vec::new();
                while let Some(change) = seq.next_element::<ResourceChange<'de>>()? {
                    if let Some(address) = change.type_conflict() {
                        return Err(de::Error::custom(missing_type(&address)));
                    }
                    if change.is_judged() {
                        kept.push(change);
                    }
                }
                Ok(JudgedChanges(kept))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(JudgedChanges(Vec::new()))
            }
        }
        deserializer.deserialize_any(ChangesVisitor)
    }
}

/// A `configuration` module: the root module or the `module` of a module call.
#[derive(Debug, Default, Deserialize)]
pub struct ConfigModule<'a> {
    #[serde(borrow, default, deserialize_with = "judged_config_resources")]
    pub resources: Vec<ConfigResource<'a>>,
    #[serde(borrow, default)]
    pub module_calls: BTreeMap<String, ModuleCall<'a>>,
    #[serde(default)]
    pub variables: BTreeMap<String, ConfigVariable>,
}

#[derive(Debug, Deserialize)]
pub struct ConfigResource<'a> {
    #[serde(borrow, default)]
    pub mode: Text<'a>,
    #[serde(borrow, rename = "type", default)]
    pub resource_type: Text<'a>,
    #[serde(borrow, default)]
    pub name: Text<'a>,
    #[serde(default)]
    pub expressions: ConfigExpressions,
    /// `depends_on` as written in the module (addresses without instance keys).
    #[serde(default)]
    pub depends_on: Vec<String>,
}

/// A state module's resources, keeping only judged ones and refusing entries whose type is missing.
fn judged_state_resources<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Vec<StateResource<'de>>, D::Error> {
    let all = Option::<Vec<StateResource<'de>>>::deserialize(deserializer)?.unwrap_or_default();
    let mut kept = Vec::new();
    for resource in all {
        if let Some(address) = resource.type_conflict() {
            return Err(de::Error::custom(missing_type(&address)));
        }
        if resource.is_judged() || resource.is_read() {
            kept.push(resource);
        }
    }
    Ok(kept)
}

fn judged_config_resources<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Vec<ConfigResource<'de>>, D::Error> {
    let all = Option::<Vec<ConfigResource<'de>>>::deserialize(deserializer)?.unwrap_or_default();
    Ok(all
        .into_iter()
        .filter(|r| {
            let resource_type = r.resource_type.as_str();
            (r.mode.as_str() != "data" && rule::judges_any(resource_type))
                || rule::reads_type(resource_type)
        })
        .collect())
}

#[derive(Debug, Deserialize)]
pub struct ModuleCall<'a> {
    #[serde(default)]
    pub source: Option<String>,
    /// Input name → expression (`{"constant_value": …}` or `{"references": […]}`).
    #[serde(borrow, default)]
    pub expressions: Inputs<'a>,
    #[serde(borrow, default)]
    pub module: ConfigModule<'a>,
}

#[derive(Debug, Default, Deserialize)]
pub struct ConfigVariable {
    /// `None` when the variable has no default (it is required); `Some` of `null` for
    /// `default = null`.
    #[serde(default, deserialize_with = "present")]
    default: Option<ConfigValue>,
    #[serde(default)]
    pub sensitive: bool,
}

impl ConfigVariable {
    /// The declared default: `None` when the variable is required, `Some(Null)` for
    /// `default = null`.
    pub fn default_value(&self) -> Option<Cow<'_, Value>> {
        self.default.as_ref().map(ConfigValue::value)
    }
}

fn present<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<ConfigValue>, D::Error> {
    ConfigValue::deserialize(deserializer).map(Some)
}

/// A value of the configuration that a trace may read (a module input's expression, a
/// variable's default, a resource's kept expression), held as its JSON text and built only when
/// read. A module sets and declares many and a trace reads one or two; built as serde values,
/// every small object (`{"constant_value": …}`) was a map node of its own: the configuration
/// cost about 11× its text in memory and a tenth of a dense plan's read.
#[derive(Debug)]
pub struct ConfigValue {
    text: Box<serde_json::value::RawValue>,
    /// A large value, built once: many functions can read one value (`count` instances share
    /// their configuration), and building it per read would cost functions × its size.
    built: std::sync::OnceLock<Value>,
}

/// Values up to this size are built at each read (a read costs at most this); larger ones once.
const BUILT_ONCE_FROM: usize = 1024;

impl ConfigValue {
    pub fn value(&self) -> Cow<'_, Value> {
        let text = self.text.get();
        if text.len() < BUILT_ONCE_FROM {
            Cow::Owned(build(text))
        } else {
            Cow::Borrowed(self.built.get_or_init(|| build(text)))
        }
    }
}

/// Builds checked text as `UniqueKeys` (keys as plain strings: a serde `Value` would take an
/// object keyed `$serde_json::private::RawValue` for a raw value of its own and refuse it).
fn build(text: &str) -> Value {
    // Checked when read: the grammar and key rules `UniqueKeys` applies, within serde's nesting
    // limit counted from the value's own start (as this parse counts it).
    serde_json::from_str::<UniqueKeys>(text)
        .expect("a configuration value checked when read")
        .0
}

impl<'de> Deserialize<'de> for ConfigValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = Box::<serde_json::value::RawValue>::deserialize(deserializer)?;
        // What `UniqueKeys` refuses is refused here, with its words; the position is the
        // value's end in the plan (serde places the error there).
        if let Err(error) = serde_json::from_str::<super::entry::Checked>(text.get()) {
            return Err(de::Error::custom(super::error::cause(&error)));
        }
        Ok(ConfigValue {
            text,
            built: std::sync::OnceLock::new(),
        })
    }
}

/// A configured resource's expressions, reduced to the attributes rules read (as [`Attributes`]
/// reduces an attribute object), each held as a [`ConfigValue`]. Anything but an object holds
/// none.
#[derive(Debug, Default)]
pub struct ConfigExpressions(Vec<(&'static str, ConfigValue)>);

impl ConfigExpressions {
    /// The expression of attribute `key`, if the configuration writes it.
    pub fn get(&self, key: &str) -> Option<Cow<'_, Value>> {
        self.0
            .iter()
            .find(|(name, _)| *name == key)
            .map(|(_, value)| value.value())
    }

    /// Every kept expression, built as read.
    pub fn values(&self) -> impl Iterator<Item = Cow<'_, Value>> {
        self.0.iter().map(|(_, value)| value.value())
    }

    /// Whether the configuration writes attribute `key`.
    pub fn contains(&self, key: &str) -> bool {
        self.0.iter().any(|(name, _)| *name == key)
    }
}

impl<'de> Deserialize<'de> for ConfigExpressions {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(match KeptMembers::deserialize(deserializer)? {
            KeptMembers::Object(members) => ConfigExpressions(members),
            _ => ConfigExpressions::default(),
        })
    }
}

/// A module call's inputs, sorted by name: a trace looks one up per module it crosses.
#[derive(Debug, Default)]
pub struct Inputs<'a>(Vec<(Text<'a>, ConfigValue)>);

impl Inputs<'_> {
    /// The expression set for input `name`, if the call sets it.
    pub fn get(&self, name: &str) -> Option<Cow<'_, Value>> {
        let at = self
            .0
            .binary_search_by(|(input, _)| input.as_str().cmp(name))
            .ok()?;
        Some(self.0[at].1.value())
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Inputs<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct InputsVisitor;
        impl<'de> Visitor<'de> for InputsVisitor {
            type Value = Inputs<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a map of module inputs")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Inputs<'de>, A::Error> {
                let mut inputs: Vec<(Text<'de>, ConfigValue)> = Vec::new();
                while let Some(entry) = map.next_entry()? {
                    inputs.push(entry);
                }
                inputs.sort_unstable_by(|(a, _), (b, _)| a.as_str().cmp(b.as_str()));
                // A second expression for an input could hide the first: refuse.
                if let Some(pair) = inputs.windows(2).find(|p| p[0].0 == p[1].0) {
                    return Err(de::Error::custom(format_args!(
                        "duplicate key {:?}",
                        crate::finding::shorten(pair[0].0.as_str().to_owned())
                    )));
                }
                Ok(Inputs(inputs))
            }
        }
        deserializer.deserialize_map(InputsVisitor)
    }
}

#[derive(Debug, Deserialize)]
pub struct PlanVariable {
    /// As `UniqueKeys`: a repeated key refused, and no key read as serde's raw-value marker.
    #[serde(default, deserialize_with = "unique_value")]
    pub value: Value,
}

fn unique_value<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Value, D::Error> {
    UniqueKeys::deserialize(deserializer).map(|unique| unique.0)
}

#[derive(Debug, Default, Deserialize)]
pub struct Configuration<'a> {
    #[serde(borrow, default)]
    pub root_module: ConfigModule<'a>,
}

/// A module of a state's `values` (or a plan's `planned_values`).
#[derive(Debug, Default, Deserialize)]
pub struct StateModule<'a> {
    /// A child module's address (`module.a["k"]`); none for the root module.
    #[serde(borrow, default)]
    pub address: Option<Text<'a>>,
    #[serde(borrow, default, deserialize_with = "judged_state_resources")]
    pub resources: Vec<StateResource<'a>>,
    #[serde(borrow, default)]
    pub child_modules: Vec<StateModule<'a>>,
}

#[derive(Debug, Deserialize)]
pub struct StateResource<'a> {
    #[serde(borrow)]
    pub address: Text<'a>,
    #[serde(borrow, default)]
    pub mode: Text<'a>,
    #[serde(borrow, rename = "type", default)]
    pub resource_type: Text<'a>,
    #[serde(borrow, default)]
    pub deposed_key: Option<Text<'a>>,
    #[serde(default)]
    pub values: Kept,
    #[serde(default)]
    pub sensitive_values: Kept,
}

#[derive(Debug, Default, Deserialize)]
pub struct StateValues<'a> {
    #[serde(borrow, default)]
    pub root_module: StateModule<'a>,
}

impl StateResource<'_> {
    /// A managed resource of a judged type.
    pub fn is_judged(&self) -> bool {
        self.mode.as_str() != "data" && rule::judges_any(self.resource_type.as_str())
    }

    /// A type some rule reads from a state to decide (IAM policy documents), managed or data
    /// source.
    pub fn is_read(&self) -> bool {
        rule::reads_state_type(self.resource_type.as_str())
    }

    pub fn type_conflict(&self) -> Option<String> {
        type_conflict(
            self.address.as_str(),
            self.resource_type.as_str(),
            self.mode.as_str(),
        )
    }
}

impl<'a> StateModule<'a> {
    /// Gives every resource of a child module its full address. Terraform 0.12 wrote the
    /// resources of `prior_state` child modules with addresses relative to their module
    /// (testdata/corpus: terraform-compliance's issue-249 plan, Terraform 0.12.24); taken as
    /// written, such a function would match a root entry of the same address and vanish.
    pub fn qualify_addresses(&mut self) {
        fn visit(module: &mut StateModule, parent: &str) {
            let own = module
                .address
                .as_ref()
                .map_or_else(|| parent.to_owned(), |a| a.as_str().to_owned());
            if !own.is_empty() {
                let prefix = format!("{own}.");
                for resource in &mut module.resources {
                    if !resource.address.as_str().starts_with(&prefix) {
                        let full = format!("{prefix}{}", resource.address.as_str());
                        resource.address = Text(Cow::Owned(full));
                    }
                }
            }
            for child in &mut module.child_modules {
                visit(child, &own);
            }
        }
        visit(self, "");
    }

    /// Every judged managed resource of this module and its children, depth first.
    pub fn judged_resources(&self) -> Vec<&StateResource<'a>> {
        self.resources_where(|r| r.is_judged())
    }

    /// Every resource a rule reads from a state to decide (IAM policy documents), depth first.
    pub fn read_resources(&self) -> Vec<&StateResource<'a>> {
        self.resources_where(|r| r.is_read())
    }

    fn resources_where(&self, keep: fn(&StateResource) -> bool) -> Vec<&StateResource<'a>> {
        let mut out = Vec::new();
        let mut stack = vec![self];
        while let Some(module) = stack.pop() {
            out.extend(module.resources.iter().filter(|r| keep(r)));
            stack.extend(module.child_modules.iter().rev());
        }
        out
    }
}

/// The top-level document: a plan, a state, or something else (its keys are remembered for the
/// error message).
#[derive(Debug, Default)]
pub struct Document<'a> {
    pub format_version: Option<Text<'a>>,
    pub terraform_version: Option<Text<'a>>,
    pub variables: BTreeMap<String, PlanVariable>,
    pub resource_changes: Option<JudgedChanges<'a>>,
    pub configuration: Option<Configuration<'a>>,
    pub values: Option<StateValues<'a>>,
    /// `prior_state`: the state the plan was made from, refreshed (its `values`).
    pub prior_state: Option<StateValues<'a>>,
    /// `planned_values`: what the plan will leave (judged resources only).
    pub planned_values: Option<StateValues<'a>>,
    /// `deferred_changes` (Terraform 1.9+): changes left to a later plan, judged types only.
    pub deferred_changes: Vec<DeferredChange<'a>>,
    /// The entries of `resource_changes` a rule reads to decide (IAM grants).
    pub read_changes: Vec<ResourceChange<'a>>,
    /// Every entry of `resource_changes`, when the reader was asked to keep them.
    pub other_resources: Vec<OtherChange<'a>>,
    /// `errored` (Terraform 1.6+): a partial plan saved after an error.
    pub errored: Option<bool>,
    /// `complete` (Terraform 1.8+): false for `-target` plans and plans with deferrals.
    pub complete: Option<bool>,
    pub has_planned_values: bool,
    /// Keys that are neither plan nor state keys, in input order (at most a few).
    pub other_keys: Vec<String>,
}

impl Document<'_> {
    /// Full addresses for every state resource (see `StateModule::qualify_addresses`).
    pub fn qualify_state_addresses(&mut self) {
        for values in [
            &mut self.values,
            &mut self.prior_state,
            &mut self.planned_values,
        ]
        .into_iter()
        .flatten()
        {
            values.root_module.qualify_addresses();
        }
    }
}

/// Top-level keys tracegate reads: a second occurrence of one could hide the first.
pub(crate) const READ_KEYS: &[&str] = &[
    "format_version",
    "terraform_version",
    "variables",
    "resource_changes",
    "configuration",
    "values",
    "prior_state",
    "planned_values",
    "deferred_changes",
    "errored",
    "complete",
];

/// Keys a plan or state may hold that tracegate does not read.
pub(crate) const KNOWN_SKIPPED_KEYS: &[&str] = &[
    "output_changes",
    "resource_drift",
    "relevant_attributes",
    "checks",
    "timestamp",
    "applyable",
    "action_invocations",
    "deferred_action_invocations",
];

/// Any entry of `resource_changes`, as the source layer asks about it: which of its attributes
/// the plan leaves unknown until apply, and which it marks sensitive. Read by the walk member by
/// member ([`super::entry`]), by serde from a stream.
#[derive(Debug, Deserialize)]
pub struct OtherChange<'a> {
    #[serde(borrow)]
    pub address: Text<'a>,
    #[serde(default)]
    pub change: OtherChangeBody,
}

#[derive(Debug, Default, Deserialize)]
pub struct OtherChangeBody {
    /// Not asked about, but read: a plan Terraform never writes (`"actions": true`) is refused.
    /// First, as it always was: serde reads a change written as an array by position.
    #[serde(default)]
    pub actions: Actions,
    /// `true` for a wholly unknown object, else an object whose `true` leaves are unknown.
    #[serde(default)]
    pub after_unknown: Marks,
    /// The same shape for values the plan marks sensitive.
    #[serde(default)]
    pub after_sensitive: Marks,
}

/// One entry of `deferred_changes`: a change Terraform leaves to a later plan.
#[derive(Debug, Deserialize)]
pub struct DeferredChange<'a> {
    #[serde(borrow, default)]
    pub reason: Text<'a>,
    #[serde(borrow)]
    pub resource_change: ResourceChange<'a>,
}

/// `prior_state`: only its `values` are read.
#[derive(Debug, Default, Deserialize)]
pub struct PriorState<'a> {
    #[serde(borrow, default)]
    pub values: Option<StateValues<'a>>,
}

/// `deferred_changes`, keeping only judged entries (and refusing entries whose type is missing).
#[derive(Debug, Default)]
pub struct JudgedDeferred<'a>(pub Vec<DeferredChange<'a>>);

impl<'de: 'a, 'a> Deserialize<'de> for JudgedDeferred<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct DeferredVisitor;
        impl<'de> Visitor<'de> for DeferredVisitor {
            type Value = JudgedDeferred<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a list of deferred changes")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut kept = Vec::new();
                while let Some(deferred) = seq.next_element::<DeferredChange<'de>>()? {
                    if let Some(address) = deferred.resource_change.type_conflict() {
                        return Err(de::Error::custom(missing_type(&address)));
                    }
                    if deferred.resource_change.is_judged() {
                        kept.push(deferred);
                    }
                }
                Ok(JudgedDeferred(kept))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(JudgedDeferred(Vec::new()))
            }
        }
        deserializer.deserialize_any(DeferredVisitor)
    }
}

/// The message for an entry whose type is missing or disagrees with its address.
pub fn missing_type(address: &str) -> String {
    format!("the entry {address:?} names a Lambda function in its address but its \"type\" or \"mode\" says otherwise")
}

impl<'de: 'a, 'a> Deserialize<'de> for Document<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct DocumentVisitor;
        impl<'de> Visitor<'de> for DocumentVisitor {
            type Value = Document<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut doc = Document::default();
                let mut seen: Vec<String> = Vec::new();
                while let Some(key) = map.next_key::<Text<'de>>()? {
                    if READ_KEYS.contains(&key.as_str()) {
                        if seen.iter().any(|k| k == key.as_str()) {
                            return Err(de::Error::custom(format_args!(
                                "duplicate key {:?}",
                                key.as_str()
                            )));
                        }
                        seen.push(key.as_str().to_owned());
                    }
                    match key.as_str() {
                        "format_version" => doc.format_version = map.next_value()?,
                        "terraform_version" => doc.terraform_version = map.next_value()?,
                        "variables" => {
                            doc.variables = map
                                .next_value::<Option<BTreeMap<String, PlanVariable>>>()?
                                .unwrap_or_default()
                        }
                        "resource_changes" => doc.resource_changes = Some(map.next_value()?),
                        "configuration" => doc.configuration = map.next_value()?,
                        "values" => doc.values = map.next_value()?,
                        "prior_state" => {
                            doc.prior_state = map
                                .next_value::<Option<PriorState<'de>>>()?
                                .and_then(|p| p.values)
                        }
                        "deferred_changes" => {
                            doc.deferred_changes = map.next_value::<JudgedDeferred<'de>>()?.0
                        }
                        "errored" => doc.errored = map.next_value()?,
                        "complete" => doc.complete = map.next_value()?,
                        "planned_values" => {
                            doc.has_planned_values = true;
                            doc.planned_values = map.next_value()?;
                        }
                        other => {
                            if !KNOWN_SKIPPED_KEYS.contains(&other) && doc.other_keys.len() < 5 {
                                doc.other_keys.push(other.to_owned());
                            }
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok(doc)
            }
        }
        deserializer.deserialize_map(DocumentVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::{ConfigValue, Inputs, Kept, BUILT_ONCE_FROM};
    use serde_json::json;
    use std::borrow::Cow;

    /// A small configuration value is built at each read, a large one once (every later read
    /// borrows the same value); both read back what serde reads.
    #[test]
    fn configuration_values_are_built_when_read() {
        let small: ConfigValue = serde_json::from_str(r#"{"constant_value":"Active"}"#).unwrap();
        assert!(matches!(small.value(), Cow::Owned(_)));
        assert_eq!(*small.value(), json!({"constant_value": "Active"}));
        let list: Vec<String> = (0..BUILT_ONCE_FROM).map(|i| i.to_string()).collect();
        let text = json!({ "constant_value": list }).to_string();
        let large: ConfigValue = serde_json::from_str(&text).unwrap();
        let (Cow::Borrowed(first), Cow::Borrowed(second)) = (large.value(), large.value()) else {
            panic!("a large value is built once");
        };
        assert!(std::ptr::eq(first, second));
        assert_eq!(first.to_string(), text);
    }

    /// Inputs are found by name whatever their order or escapes; a repeated one is refused.
    #[test]
    fn module_inputs_are_found_by_name() {
        let inputs: Inputs = serde_json::from_str(
            r#"{"z":{"constant_value":1},"\u0061":{"references":["var.b"]},"m":{}}"#,
        )
        .unwrap();
        assert_eq!(*inputs.get("a").unwrap(), json!({"references": ["var.b"]}));
        assert_eq!(*inputs.get("z").unwrap(), json!({"constant_value": 1}));
        assert!(inputs.get("b").is_none());
        let error = serde_json::from_str::<Inputs>(r#"{"a":1,"b":2,"a":3}"#).unwrap_err();
        assert!(error.to_string().contains("duplicate key \"a\""), "{error}");
    }

    /// `Kept::string` gives what reading the whole value and taking the member as a string gives.
    #[test]
    fn a_kept_string_member_is_what_the_value_holds() {
        let cases = [
            json!({"arn": "arn:aws:iam::1:role/r", "policy": "{\"a\":[1]}", "n": 1}),
            json!({"arn": 7, "role": null}),
            json!({"role": {"arn": "nested"}}),
            json!(["arn"]),
            json!({}),
            json!(null),
            json!(true),
            json!({"arn": "\u{e9}\"\\"}),
            // serde's raw-value marker is an ordinary key to both.
            json!({"role": {"$serde_json::private::RawValue": "\"other\""}}),
        ];
        for value in cases {
            let kept = Kept::of(value.clone());
            for key in ["arn", "role", "policy", "n", "missing"] {
                let whole = kept.value();
                let expected = whole.get(key).and_then(|v| v.as_str()).map(str::to_owned);
                assert_eq!(kept.string(key), expected, "{value} {key}");
            }
        }
    }
}
