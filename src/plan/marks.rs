//! The marks of an `after_unknown` or `after_sensitive` object, as the source layer asks about
//! them (is this attribute, or anything inside it, marked?), held as the paths to the `true`
//! leaves and nothing else. Terraform writes these objects in the shape of the resource's values
//! (`false` leaves, empty containers: jsonplan/plan.go, `unknownAsBool` and `sensitiveAsBool`);
//! as a `serde_json::Value` for every resource of a large plan they cost about ten times their
//! text. Reading them pruned costs a few bytes for each marked leaf.

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use std::borrow::Cow;
use std::fmt;

/// What a value of `after_unknown` (or `after_sensitive`) marks.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub enum Marks {
    /// No `true` anywhere: `false`, `null`, any other scalar, an empty or unmarked container,
    /// or no value at all.
    #[default]
    None,
    /// `true`: the whole value is marked.
    All,
    /// An object: its members that mark something, sorted by key.
    Object(Box<[(Box<str>, Marks)]>),
    /// An array: its elements that mark something, by index, ascending.
    Array(Box<[(usize, Marks)]>),
}

/// One step of a path into a value: a member's key or an element's index.
#[derive(Debug, Clone, Copy)]
pub enum Step<'s> {
    Key(&'s str),
    Index(usize),
}

impl Marks {
    /// Whether the value at `path` (or anything inside it) is marked: `true` at a prefix of the
    /// path, or anywhere inside the value at its end; a step that finds nothing marks nothing.
    pub fn marks_at<'s>(&self, path: impl IntoIterator<Item = Step<'s>>) -> bool {
        let mut node = self;
        for step in path {
            if node.is_all() {
                return true;
            }
            let next = match step {
                Step::Key(key) => node.key(key),
                Step::Index(index) => node.index(index),
            };
            match next {
                Some(next) => node = next,
                None => return false,
            }
        }
        node.any()
    }

    /// Whether the whole value is marked (`true`).
    pub fn is_all(&self) -> bool {
        matches!(self, Marks::All)
    }

    /// Whether anything in the value is marked.
    pub fn any(&self) -> bool {
        !matches!(self, Marks::None)
    }

    /// The marks of member `key`, when this is an object that marks something in it.
    pub fn key(&self, key: &str) -> Option<&Marks> {
        let Marks::Object(members) = self else {
            return None;
        };
        let at = members
            .binary_search_by(|(name, _)| name.as_ref().cmp(key))
            .ok()?;
        Some(&members[at].1)
    }

    /// The marks of element `index`, when this is an array that marks something in it.
    pub fn index(&self, index: usize) -> Option<&Marks> {
        let Marks::Array(elements) = self else {
            return None;
        };
        let at = elements.binary_search_by_key(&index, |(i, _)| *i).ok()?;
        Some(&elements[at].1)
    }
}

impl<'de> Deserialize<'de> for Marks {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(MarksVisitor)
    }
}

struct MarksVisitor;

impl<'de> Visitor<'de> for MarksVisitor {
    type Value = Marks;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E: de::Error>(self, marked: bool) -> Result<Marks, E> {
        Ok(if marked { Marks::All } else { Marks::None })
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Marks, E> {
        Ok(Marks::None)
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Marks, E> {
        Ok(Marks::None)
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Marks, E> {
        Ok(Marks::None)
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<Marks, E> {
        Ok(Marks::None)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Marks, E> {
        Ok(Marks::None)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Marks, A::Error> {
        let mut members: Vec<(Cow<'de, str>, Marks)> = Vec::new();
        while let Some(Key(key)) = map.next_key::<Key<'de>>()? {
            members.push((key, map.next_value::<Marks>()?));
        }
        // A second value for a key could hide the first's marks: refuse, as every part the
        // scanner reads does. Sorted, a repeat is a neighbour (n log n, whatever the keys).
        members.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        if let Some(pair) = members.windows(2).find(|pair| pair[0].0 == pair[1].0) {
            return Err(de::Error::custom(format_args!(
                "duplicate attribute {:?}",
                pair[0].0
            )));
        }
        let marked: Box<[(Box<str>, Marks)]> = members
            .into_iter()
            .filter(|(_, marks)| marks.any())
            .map(|(key, marks)| (Box::from(key.as_ref()), marks))
            .collect();
        Ok(if marked.is_empty() {
            Marks::None
        } else {
            Marks::Object(marked)
        })
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Marks, A::Error> {
        let mut marked = Vec::new();
        let mut index = 0;
        while let Some(marks) = seq.next_element::<Marks>()? {
            if marks.any() {
                marked.push((index, marks));
            }
            index += 1;
        }
        Ok(if marked.is_empty() {
            Marks::None
        } else {
            Marks::Array(marked.into_boxed_slice())
        })
    }
}

/// An object key, borrowed when serde can lend it.
struct Key<'de>(Cow<'de, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, key: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(key)))
            }
            fn visit_str<E: de::Error>(self, key: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(key.to_owned())))
            }
            fn visit_string<E: de::Error>(self, key: String) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(key)))
            }
        }
        deserializer.deserialize_str(KeyVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::Value;

    /// What the source layer asked of a `Value` before: `true` at a prefix of the path marks
    /// it, a step that finds nothing does not, and at the path's end any `true` inside does.
    fn marked_value(value: &Value, path: &[Result<&str, usize>]) -> bool {
        let mut node = value;
        for step in path {
            if node == &Value::Bool(true) {
                return true;
            }
            let next = match step {
                Ok(key) => node.get(key),
                Err(index) => node.get(*index),
            };
            match next {
                Some(next) => node = next,
                None => return false,
            }
        }
        fn any_true(value: &Value) -> bool {
            match value {
                Value::Bool(b) => *b,
                Value::Array(items) => items.iter().any(any_true),
                Value::Object(map) => map.values().any(any_true),
                _ => false,
            }
        }
        any_true(node)
    }

    fn marked(marks: &Marks, path: &[Result<&str, usize>]) -> bool {
        marks.marks_at(path.iter().map(|step| match step {
            Ok(key) => Step::Key(key),
            Err(index) => Step::Index(*index),
        }))
    }

    fn paths() -> impl Strategy<Value = Vec<Result<&'static str, usize>>> {
        let step = prop_oneof![
            proptest::sample::select(vec!["a", "b", "c", "role", "tags", "x"]).prop_map(Ok),
            (0usize..4).prop_map(Err),
        ];
        proptest::collection::vec(step, 0..4)
    }

    fn json() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Bool(true)),
            Just(Value::Bool(false)),
            Just(Value::Null),
            Just(Value::from(1)),
            Just(Value::from("true")),
        ];
        leaf.prop_recursive(4, 24, 4, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                proptest::collection::btree_map(
                    proptest::sample::select(vec!["a", "b", "c", "role", "tags"]),
                    inner,
                    0..4
                )
                .prop_map(|map| Value::Object(
                    map.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
                )),
            ]
        })
    }

    proptest::proptest! {
        /// The pruned marks answer every path as the whole value does.
        #[test]
        fn marks_answer_as_the_value_does(
            value in json(),
            path in paths(),
        ) {
            let marks: Marks = serde_json::from_str(&value.to_string()).unwrap();
            proptest::prop_assert_eq!(marked(&marks, &path), marked_value(&value, &path));
        }
    }

    #[test]
    fn only_marked_paths_are_held() {
        let marks: Marks = serde_json::from_str(
            r#"{"arn":true,"tags":{},"ingress":[{"cidr":[false]},{"cidr":[false,true]}],"id":false}"#,
        )
        .unwrap();
        let expected = Marks::Object(Box::new([
            ("arn".into(), Marks::All),
            (
                "ingress".into(),
                Marks::Array(Box::new([(
                    1,
                    Marks::Object(Box::new([(
                        "cidr".into(),
                        Marks::Array(Box::new([(1, Marks::All)])),
                    )])),
                )])),
            ),
        ]));
        assert_eq!(marks, expected);
        assert_eq!(
            serde_json::from_str::<Marks>(r#"{"a":{"b":[false,{}]}}"#).unwrap(),
            Marks::None
        );
    }

    #[test]
    fn a_repeated_key_is_refused_even_when_unmarked() {
        for text in [
            r#"{"role":true,"role":false}"#,
            r#"{"a":false,"b":1,"a":null}"#,
        ] {
            let error = serde_json::from_str::<Marks>(text).unwrap_err().to_string();
            assert!(error.starts_with("duplicate attribute"), "{text}: {error}");
        }
        // An escaped key is the same key.
        assert!(serde_json::from_str::<Marks>(r#"{"role":true,"r\u006fle":true}"#).is_err());
    }
}
