//! Parsing a payload into only the members a provider reads.
//!
//! A GitHub `pull_request` delivery is about 28 KB, and most of it is
//! repository and user objects full of `*_url` members that no normalizer
//! looks at. Building a [`Value`] for all of it costs one allocation per
//! member and dominated the CPU time of the accept path. [`parse`] still
//! reads and validates every byte, but builds values only for the object
//! members named in a provider's [`PayloadKeys`] and skips the others
//! without allocating.

use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};
use std::fmt;

/// The object member names a provider's code reads, at any depth.
///
/// A member is kept when its name is in `read`. Its value is then parsed by
/// the same rule, so `repository.full_name` needs both `repository` and
/// `full_name`. A member named in `whole` is kept with everything inside it,
/// for objects whose keys the provider iterates.
pub struct PayloadKeys {
    pub read: &'static [&'static str],
    pub whole: &'static [&'static str],
}

impl PayloadKeys {
    fn keeps(&self, key: &str) -> Keep {
        if contains(self.whole, key) {
            Keep::Whole
        } else if contains(self.read, key) {
            Keep::Read
        } else {
            Keep::Skip
        }
    }
}

/// Compares lengths before bytes: most member names of a payload are not
/// in the list, and a length check rejects them without a `memcmp` call.
fn contains(names: &[&str], key: &str) -> bool {
    names.iter().any(|name| name.len() == key.len() && *name == key)
}

enum Keep {
    Read,
    Whole,
    Skip,
}

/// Parses `json` into a [`Value`] that contains only the members `keys` names.
///
/// Syntax errors anywhere in the document are still reported, and arrays
/// and scalars are kept as they are.
pub fn parse(json: &[u8], keys: &PayloadKeys) -> serde_json::Result<Value> {
    let mut deserializer = serde_json::Deserializer::from_slice(json);
    let value = Pruned(keys).deserialize(&mut deserializer)?;
    deserializer.end()?;
    Ok(value)
}

#[derive(Clone, Copy)]
struct Pruned<'k>(&'k PayloadKeys);

impl<'de> DeserializeSeed<'de> for Pruned<'_> {
    type Value = Value;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Pruned<'_> {
    type Value = Value;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("any JSON value")
    }

    fn visit_bool<E>(self, value: bool) -> Result<Value, E> {
        Ok(Value::Bool(value))
    }

    fn visit_i64<E>(self, value: i64) -> Result<Value, E> {
        Ok(Value::Number(value.into()))
    }

    fn visit_u64<E>(self, value: u64) -> Result<Value, E> {
        Ok(Value::Number(value.into()))
    }

    fn visit_f64<E>(self, value: f64) -> Result<Value, E> {
        Ok(Number::from_f64(value).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, value: &str) -> Result<Value, E> {
        Ok(Value::String(value.to_owned()))
    }

    fn visit_string<E>(self, value: String) -> Result<Value, E> {
        Ok(Value::String(value))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut sequence: A) -> Result<Value, A::Error> {
        let mut items = Vec::with_capacity(sequence.size_hint().unwrap_or(0));
        while let Some(item) = sequence.next_element_seed(self)? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut object = Map::new();
        while let Some(key) = map.next_key_seed(KeySeed)? {
            match self.0.keeps(key.as_str()) {
                Keep::Read => {
                    let value = map.next_value_seed(self)?;
                    object.insert(key.into_string(), value);
                }
                Keep::Whole => {
                    let value: Value = map.next_value()?;
                    object.insert(key.into_string(), value);
                }
                Keep::Skip => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(Value::Object(object))
    }
}

/// A member name, borrowed from the input unless it had escapes.
enum Key<'de> {
    Borrowed(&'de str),
    Owned(String),
}

impl Key<'_> {
    fn as_str(&self) -> &str {
        match self {
            Key::Borrowed(text) => text,
            Key::Owned(text) => text,
        }
    }

    fn into_string(self) -> String {
        match self {
            Key::Borrowed(text) => text.to_owned(),
            Key::Owned(text) => text,
        }
    }
}

struct KeySeed;

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = Key<'de>;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Key<'de>, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed {
    type Value = Key<'de>;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("an object member name")
    }

    fn visit_borrowed_str<E>(self, value: &'de str) -> Result<Key<'de>, E> {
        Ok(Key::Borrowed(value))
    }

    fn visit_str<E>(self, value: &str) -> Result<Key<'de>, E> {
        Ok(Key::Owned(value.to_owned()))
    }

    fn visit_string<E>(self, value: String) -> Result<Key<'de>, E> {
        Ok(Key::Owned(value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const KEYS: PayloadKeys = PayloadKeys { read: &["labels", "name", "pull_request", "title"], whole: &["changes"] };

    fn pruned(json: &Value) -> Value {
        parse(json.to_string().as_bytes(), &KEYS).unwrap()
    }

    #[test]
    fn unread_members_are_dropped() {
        let value = pruned(&json!({"pull_request": {"title": "t", "url": "u"}, "sender": {"name": "x"}}));
        assert_eq!(value, json!({"pull_request": {"title": "t"}}));
    }

    #[test]
    fn arrays_keep_every_element() {
        let value = pruned(&json!({"labels": [{"name": "a", "id": 1}, {"name": "b"}, 3, null]}));
        assert_eq!(value, json!({"labels": [{"name": "a"}, {"name": "b"}, 3, null]}));
    }

    #[test]
    fn whole_members_keep_their_contents() {
        let changes = json!({"title": {"previous": "a", "current": "b"}, "updated_at": {"current": "now"}});
        let value = pruned(&json!({"changes": changes.clone()}));
        assert_eq!(value["changes"], changes);
    }

    #[test]
    fn escaped_keys_are_matched() {
        let value = parse(br#"{"ti\u0074le": "x", "\u006eame": 1.5}"#, &KEYS).unwrap();
        assert_eq!(value, json!({"title": "x", "name": 1.5}));
    }

    #[test]
    fn scalar_documents_parse() {
        assert_eq!(parse(b"[1, -2, true]", &KEYS).unwrap(), json!([1, -2, true]));
    }

    #[test]
    fn syntax_errors_in_skipped_members_are_reported() {
        assert!(parse(br#"{"url": [1, 2}"#, &KEYS).is_err());
    }

    #[test]
    fn trailing_bytes_are_reported() {
        assert!(parse(br#"{"title": "x"} {"#, &KEYS).is_err());
    }
}
