//! The structural skipper (`plan::skip`) against its contract and against serde_json, on random
//! documents (escapes, deep nesting, long strings, multi-byte characters) fed in chunks split at
//! every offset, on every backend this CPU has.
//!
//! What the skipper promises (the module documentation states it in full): it ends a value
//! exactly where its structure (strings with escapes, bracket depth outside strings, scalar
//! delimiters) ends it, and checks nothing else. So: (1) on any bytes it answers as the
//! byte-at-a-time reference does; (2) on JSON serde_json accepts, it ends where serde_json does;
//! (3) a proper prefix of an object, array or string is `More`; (4) when the structure is broken
//! (a closing quote or bracket dropped, an opening one added), serde_json rejects the text and the
//! skipper never ends it where the intact value ended, unless the change leaves a backslash
//! outside strings (which means nothing to the skipper, rule 3); (5) grammar inside is not checked: a value
//! with a broken grammar but intact structure ends where the intact one did, though serde_json
//! rejects it (the scanner hands every value it reads to serde; skipped values cannot change a
//! verdict).

use proptest::prelude::*;
use serde::de::IgnoredAny;
use serde_json::Value;
use tracegate::plan::skip::{reference, Backend, Fed, Skipper};

const BACKENDS: [Backend; 3] = [Backend::Detected, Backend::Sse2, Backend::Portable];

/// Feeds `chunks` in order; the end as an offset into their concatenation, `Err(None)` for
/// `More`, `Err(Some(i))` for `Unexpected(i)`.
fn run(backend: Backend, chunks: &[&[u8]]) -> Result<usize, Option<usize>> {
    let mut skipper = Skipper::new();
    let mut total = 0;
    for chunk in chunks {
        match skipper.feed_on(backend, chunk) {
            Fed::Done(n) => return Ok(total + n),
            Fed::More => total += chunk.len(),
            Fed::Unexpected(i) | Fed::TooDeep(i) => return Err(Some(total + i)),
        }
    }
    Err(None)
}

fn reference_run(bytes: &[u8]) -> Result<usize, Option<usize>> {
    match reference::feed(&mut Skipper::new(), bytes) {
        Fed::Done(n) => Ok(n),
        Fed::More => Err(None),
        Fed::Unexpected(i) | Fed::TooDeep(i) => Err(Some(i)),
    }
}

/// The answer on `bytes` whole, and checks that every two-chunk split and every backend agree.
fn answer(bytes: &[u8]) -> Result<usize, Option<usize>> {
    let whole = run(Backend::Detected, &[bytes]);
    for backend in BACKENDS {
        for split in splits(bytes.len()) {
            let (a, b) = bytes.split_at(split);
            assert_eq!(
                run(backend, &[a, b]),
                whole,
                "{backend:?}, split at {split} of {:?}",
                String::from_utf8_lossy(bytes)
            );
        }
    }
    whole
}

/// Where to split a text of `len` bytes in two: at every offset up to 700 bytes; beyond, at every
/// offset of the first and last 200 and every 13th between (a debug build runs this in CI).
fn splits(len: usize) -> Vec<usize> {
    if len <= 700 {
        return (0..=len).collect();
    }
    (0..200)
        .chain((200..len - 200).step_by(13))
        .chain(len - 200..=len)
        .collect()
}

/// Where serde_json ends the first value of `bytes`, or `None` when it rejects it.
fn serde_end(bytes: &[u8]) -> Option<usize> {
    let mut stream = serde_json::Deserializer::from_slice(bytes).into_iter::<IgnoredAny>();
    match stream.next() {
        Some(Ok(_)) => Some(stream.byte_offset()),
        _ => None,
    }
}

fn string_strategy() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z]{0,8}",
        // Escapes, quotes, backslash runs, brackets and multi-byte characters inside strings.
        prop::collection::vec(
            prop_oneof![
                Just("\"".to_owned()),
                Just("\\".to_owned()),
                Just("\\\\\\".to_owned()),
                Just("{[]}".to_owned()),
                Just("é€😀".to_owned()),
                Just("\n\t\u{1}".to_owned()),
                "[a-z ]{1,5}",
            ],
            0..12
        )
        .prop_map(|parts| parts.concat()),
        // Long strings, across many blocks.
        (1usize..400, "[A-Za-z0-9+/]{1,4}").prop_map(|(n, unit)| unit.repeat(n)),
    ]
}

fn json_strategy() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        (-1e9f64..1e9).prop_map(Value::from),
        string_strategy().prop_map(Value::String),
    ];
    leaf.prop_recursive(8, 200, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
            prop::collection::vec((string_strategy(), inner), 0..8)
                .prop_map(|members| Value::Object(members.into_iter().collect())),
        ]
    })
}

/// A value as text: compact, pretty, or wrapped in deep nesting.
fn text_strategy() -> impl Strategy<Value = String> {
    // Up to 60 wrappings (120 levels) around a value of up to 8: within the skipper's 128.
    (json_strategy(), 0u8..3, 0usize..60).prop_map(|(value, style, depth)| {
        let text = match style {
            0 => value.to_string(),
            1 => serde_json::to_string_pretty(&value).unwrap(),
            _ => format!("{}{value}{}", "[{\"k\":".repeat(depth), "}]".repeat(depth)),
        };
        text
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    /// (2) and (3): serde_json's end, with any trailer; every prefix is `More`.
    #[test]
    fn ends_where_serde_does(text in text_strategy(), trailer in prop_oneof![Just(""), Just(","), Just(" ]"), Just("}x")]) {
        let whole = format!("  {text}{trailer}");
        let bytes = whole.as_bytes();
        let expected = serde_end(bytes).expect("serde accepts what it wrote");
        let scalar = !matches!(text.as_bytes()[0], b'{' | b'[' | b'"');
        if scalar && trailer.is_empty() {
            // A scalar needs the byte after it: at the end of the input it is `More`.
            prop_assert_eq!(answer(bytes), Err(None));
        } else {
            prop_assert_eq!(answer(bytes), Ok(expected));
        }
        if !scalar {
            for cut in splits(expected).into_iter().filter(|&cut| cut < expected) {
                prop_assert_eq!(run(Backend::Detected, &[&bytes[..cut]]), Err(None));
            }
        }
    }

    /// (1): any bytes from an alphabet of structure and noise, split anywhere, as the reference.
    #[test]
    fn any_bytes_as_the_reference(bytes in prop::collection::vec(prop_oneof![
        Just(b'"'), Just(b'\\'), Just(b'{'), Just(b'}'), Just(b'['), Just(b']'), Just(b' '),
        Just(b','), Just(b'1'), Just(b'a'), Just(b':'), Just(b'\n'), Just(0xC3), Just(0xA9),
        Just(b'{' ^ 0x20), Just(b']' ^ 0x20)], 1..300), lead in prop_oneof![Just("{"), Just("["), Just("\""), Just(""), Just("1")]) {
        let mut all = lead.as_bytes().to_vec();
        all.extend_from_slice(&bytes);
        let expected = reference_run(&all);
        prop_assert_eq!(answer(&all), expected);
    }

    /// (4) and (5): broken structure never ends where the intact value did; broken grammar does.
    #[test]
    fn broken_structure_is_never_the_intact_end(value in json_strategy(), pick in any::<prop::sample::Index>(), kind in 0u8..4) {
        let text = value.to_string();
        if !matches!(text.as_bytes()[0], b'{' | b'[') {
            return Ok(());
        }
        let bytes = text.as_bytes();
        // Positions of structure outside strings, from serde's own output.
        let mut in_string = false;
        let mut escape = false;
        let mut quotes = Vec::new();
        let mut closes = Vec::new();
        let mut colons = Vec::new();
        for (i, &b) in bytes.iter().enumerate() {
            if in_string {
                if escape { escape = false } else if b == b'\\' { escape = true } else if b == b'"' { in_string = false; quotes.push(i) }
                continue;
            }
            match b {
                b'"' => { in_string = true; quotes.push(i) }
                b'}' | b']' => closes.push(i),
                b':' => colons.push(i),
                _ => {}
            }
        }
        let mut broken = bytes.to_vec();
        let structural = match kind {
            0 => { broken.remove(closes[pick.index(closes.len())]); true }
            1 if !quotes.is_empty() => { broken.remove(quotes[pick.index(quotes.len())]); true }
            2 => { broken.insert(closes[pick.index(closes.len())], b'['); true }
            3 if !colons.is_empty() => { broken[colons[pick.index(colons.len())]] = b','; false }
            _ => return Ok(()),
        };
        prop_assert!(serde_json::from_slice::<IgnoredAny>(&broken).is_err(), "serde rejects {}", String::from_utf8_lossy(&broken));
        let got = answer(&broken);
        if structural {
            prop_assert_ne!(got, Ok(broken.len()));
        } else {
            prop_assert_eq!(got, Ok(broken.len()));
        }
    }

    /// Broken structure never ends a value past where its own brackets close it: a sibling
    /// written after a value broken anywhere (a byte dropped, or a quote, a bracket or a scalar
    /// byte put in) is never read as part of it.
    #[test]
    fn a_broken_value_never_swallows_its_sibling(value in json_strategy(), at in any::<prop::sample::Index>(), insert in prop_oneof![Just(None), Just(Some(b'"')), Just(Some(b'[')), Just(Some(b'}')), Just(Some(b']')), Just(Some(b't')), Just(Some(b'\\'))]) {
        let text = value.to_string();
        if !matches!(text.as_bytes()[0], b'{' | b'[') {
            return Ok(());
        }
        let mut broken = text.into_bytes();
        // Inside the value: a quote put before it would make it a string, which ends at the next
        // quote for a parser too.
        let i = 1 + at.index(broken.len() - 1);
        match insert {
            None => { broken.remove(i); }
            Some(byte) => broken.insert(i, byte),
        }
        // The sibling closes what the broken value left open, the way a hostile plan would.
        let sibling = br#",{"address":"aws_lambda_function.f"}"#;
        let mut all = broken.clone();
        all.extend_from_slice(sibling);
        all.extend_from_slice(b"\"]}]}");
        if let Ok(end) = answer(&all) {
            prop_assert!(end <= broken.len(), "{} ended at {end}", String::from_utf8_lossy(&all));
        }
    }
}

#[test]
fn a_dropped_quote_that_exposes_a_backslash_is_an_error() {
    // `["\""]` without its first quote: the backslash is outside a string, so the quote after it
    // is in a place no string can start (it once balanced again, and read as a whole value).
    let broken = br#"[\""]"#;
    assert_eq!(answer(broken), Err(Some(2)));
    assert!(serde_json::from_slice::<IgnoredAny>(broken).is_err());
}

#[test]
fn deep_nesting_and_block_edges() {
    // A backslash run and a quote at every offset around the 64-byte block edges.
    for pad in 0..130 {
        for run in 0..5 {
            let text = format!(
                "[\"{}{}\\\"\",{}]",
                "a".repeat(pad),
                "\\\\".repeat(run),
                "{\"x\":[]}"
            );
            assert_eq!(answer(text.as_bytes()), Ok(text.len()), "{text}");
            assert_eq!(serde_end(text.as_bytes()), Some(text.len()));
        }
    }
    // 128 levels, the most a skipped value may hold open; one more is too deep, at its bracket.
    for backend in [Backend::Detected, Backend::Sse2, Backend::Portable] {
        let deep = format!("{}{}", "[{\"k\":".repeat(64), "}]".repeat(64));
        assert_eq!(run(backend, &[deep.as_bytes()]), Ok(deep.len()));
        let deeper = format!("{}{}", "[".repeat(129), "]".repeat(129));
        let mut skipper = Skipper::new();
        assert_eq!(
            skipper.feed_on(backend, deeper.as_bytes()),
            Fed::TooDeep(128)
        );
    }
}
