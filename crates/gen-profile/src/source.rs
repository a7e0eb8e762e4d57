//! The profile's text as a tree of located nodes, so that any profile path
//! (`applications[0].models[2].requirements`) can be turned into a line and column.

use std::collections::BTreeMap;
use std::fmt;

use serde::Deserialize;
use serde::de::{MapAccess, SeqAccess, Visitor};
/// A value with the 1-based line and column where it is written: the small, owned form of
/// `serde_saphyr::Spanned`, which keeps two full locations per node.
#[derive(Clone, Debug, PartialEq)]
pub struct At<T> {
    pub value: T,
    pub line: u32,
    pub column: u32,
}

thread_local! {
    static LOCATE: std::cell::Cell<bool> = const { std::cell::Cell::new(true) };
}

/// Run `f` with location capture off: the tree is built faster and every node says line 0.
/// A valid profile never needs a location; a profile with problems is parsed again with
/// them.
pub fn without_locations<R>(f: impl FnOnce() -> R) -> R {
    struct Restore;
    impl Drop for Restore {
        fn drop(&mut self) {
            LOCATE.set(true);
        }
    }
    LOCATE.set(false);
    let _restore = Restore;
    f()
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for At<T> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        if !LOCATE.get() {
            return Ok(At {
                value: T::deserialize(deserializer)?,
                line: 0,
                column: 0,
            });
        }
        let s = serde_saphyr::Spanned::<T>::deserialize(deserializer)?;
        Ok(At {
            line: u32::try_from(s.referenced.line()).unwrap_or(u32::MAX),
            column: u32::try_from(s.referenced.column()).unwrap_or(u32::MAX),
            value: s.value,
        })
    }
}

/// A YAML node with the location of every value and key below it.
///
/// Text is borrowed from the profile's source where the parser allows (most keys and
/// values are written without escapes), so building and freeing a large tree allocates
/// little.
#[derive(Clone, Debug, PartialEq)]
pub enum Node<'s> {
    Map(Vec<(At<Str<'s>>, At<Node<'s>>)>),
    Seq(Vec<At<Node<'s>>>),
    Scalar(Scalar<'s>),
    Null,
}

/// A scalar as YAML typed it.
#[derive(Debug, Clone, PartialEq)]
pub enum Scalar<'s> {
    Bool(bool),
    Int(Str<'s>),
    Float(Str<'s>),
    Str(Str<'s>),
}

/// Text of the profile: borrowed from its source, or owned where YAML changed it
/// (escapes, folding, numbers written back).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Str<'s>(pub std::borrow::Cow<'s, str>);

impl std::ops::Deref for Str<'_> {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Str<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl fmt::Display for Str<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<String> for Str<'_> {
    fn from(s: String) -> Self {
        Str(std::borrow::Cow::Owned(s))
    }
}

impl<'s> From<&'s str> for Str<'s> {
    fn from(s: &'s str) -> Self {
        Str(std::borrow::Cow::Borrowed(s))
    }
}

impl PartialEq<str> for Str<'_> {
    fn eq(&self, other: &str) -> bool {
        *self.0 == *other
    }
}

impl PartialEq<&str> for Str<'_> {
    fn eq(&self, other: &&str) -> bool {
        *self.0 == **other
    }
}

/// Borrows from the input when the deserializer offers borrowed text.
impl<'de> Deserialize<'de> for Str<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Str<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Str<'de>, E> {
                Ok(Str::from(v))
            }
            fn visit_str<E>(self, v: &str) -> Result<Str<'de>, E> {
                Ok(Str::from(v.to_string()))
            }
            fn visit_string<E>(self, v: String) -> Result<Str<'de>, E> {
                Ok(Str::from(v))
            }
        }
        deserializer.deserialize_string(V)
    }
}

impl Scalar<'_> {
    pub fn describe(&self) -> String {
        match self {
            Scalar::Bool(b) => format!("the boolean {b}"),
            Scalar::Int(i) => format!("the integer {i}"),
            Scalar::Float(f) => format!("the number {f}"),
            Scalar::Str(s) => format!("the string {:?}", s.chars().take(60).collect::<String>()),
        }
    }
}

impl Node<'_> {
    pub fn describe(&self) -> &'static str {
        match self {
            Node::Map(_) => "a mapping",
            Node::Seq(_) => "a list",
            Node::Scalar(_) => "a single value",
            Node::Null => "nothing",
        }
    }
}

impl<'de> Deserialize<'de> for Node<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Node<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any YAML value")
            }
            fn visit_bool<E>(self, v: bool) -> Result<Node<'de>, E> {
                Ok(Node::Scalar(Scalar::Bool(v)))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Node<'de>, E> {
                Ok(Node::Scalar(Scalar::Int(Str::from(v.to_string()))))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Node<'de>, E> {
                Ok(Node::Scalar(Scalar::Int(Str::from(v.to_string()))))
            }
            fn visit_i128<E>(self, v: i128) -> Result<Node<'de>, E> {
                Ok(Node::Scalar(Scalar::Int(Str::from(v.to_string()))))
            }
            fn visit_u128<E>(self, v: u128) -> Result<Node<'de>, E> {
                Ok(Node::Scalar(Scalar::Int(Str::from(v.to_string()))))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Node<'de>, E> {
                Ok(Node::Scalar(Scalar::Float(Str::from(v.to_string()))))
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Node<'de>, E> {
                Ok(Node::Scalar(Scalar::Str(Str::from(v))))
            }
            fn visit_str<E>(self, v: &str) -> Result<Node<'de>, E> {
                Ok(Node::Scalar(Scalar::Str(Str::from(v.to_string()))))
            }
            fn visit_string<E>(self, v: String) -> Result<Node<'de>, E> {
                Ok(Node::Scalar(Scalar::Str(Str::from(v))))
            }
            fn visit_bytes<E>(self, v: &[u8]) -> Result<Node<'de>, E> {
                Ok(Node::Scalar(Scalar::Str(Str::from(
                    String::from_utf8_lossy(v).into_owned(),
                ))))
            }
            fn visit_unit<E>(self) -> Result<Node<'de>, E> {
                Ok(Node::Null)
            }
            fn visit_none<E>(self) -> Result<Node<'de>, E> {
                Ok(Node::Null)
            }
            fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<Node<'de>, D::Error> {
                Node::deserialize(d)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node<'de>, A::Error> {
                let mut entries = Vec::new();
                while let Some(entry) = map.next_entry::<At<Str<'de>>, At<Node<'de>>>()? {
                    entries.push(entry);
                }
                Ok(Node::Map(entries))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node<'de>, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element::<At<Node<'de>>>()? {
                    items.push(item);
                }
                Ok(Node::Seq(items))
            }
        }
        deserializer.deserialize_any(V)
    }
}

/// 1-based line and column.
pub type Position = (u64, u64);

pub fn position<T>(s: &At<T>) -> Position {
    (u64::from(s.line), u64::from(s.column))
}

/// Profile path → position of the value (and of the key, under `path` + `#key`).
#[derive(Debug, Default, Clone)]
pub struct PathIndex {
    values: BTreeMap<String, Position>,
}

impl PathIndex {
    pub fn build(root: &At<Node>) -> Self {
        let mut index = PathIndex::default();
        index.walk(root, String::new());
        index
    }

    fn walk(&mut self, node: &At<Node>, path: String) {
        match &node.value {
            Node::Map(entries) => {
                for (key, value) in entries {
                    let child = join_key(&path, &key.value);
                    self.values.insert(format!("{child}#key"), position(key));
                    self.walk(value, child);
                }
            }
            Node::Seq(items) => {
                for (i, item) in items.iter().enumerate() {
                    self.walk(item, format!("{path}[{i}]"));
                }
            }
            Node::Scalar(_) | Node::Null => {}
        }
        self.values.insert(path, position(node));
    }

    /// Where `path` is written: the value itself; for a field that is not written, its
    /// nearest written ancestor.
    pub fn locate(&self, path: &str) -> Position {
        let mut p = path;
        loop {
            if let Some(pos) = self.values.get(p) {
                // A block mapping or list "starts" at its first child; point at its key.
                if let Some(key) = self.values.get(&format!("{p}#key"))
                    && key.0 < pos.0
                {
                    return *key;
                }
                return *pos;
            }
            match p.rfind(['.', '[']) {
                Some(i) => p = &p[..i],
                None => return self.values.get("").copied().unwrap_or((1, 1)),
            }
        }
    }
}

/// `parent.key`, or `key` at the top.
pub fn join_key(parent: &str, key: &str) -> String {
    if parent.is_empty() {
        key.to_string()
    } else {
        format!("{parent}.{key}")
    }
}

/// Why the typed profile could not be built from the tree.
#[derive(Debug)]
pub struct TreeError(pub String);

impl std::fmt::Display for TreeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for TreeError {}

impl serde::de::Error for TreeError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        TreeError(msg.to_string())
    }
}

/// The checked tree is itself a serde deserializer, so the typed profile is built without
/// parsing the text a second time.
impl<'de> serde::Deserializer<'de> for &'de Node<'_> {
    type Error = TreeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, TreeError> {
        match self {
            Node::Null => visitor.visit_unit(),
            Node::Scalar(Scalar::Bool(b)) => visitor.visit_bool(*b),
            Node::Scalar(Scalar::Str(s)) => visitor.visit_borrowed_str(s),
            Node::Scalar(Scalar::Int(i)) => {
                if let Ok(v) = i.parse::<i64>() {
                    visitor.visit_i64(v)
                } else if let Ok(v) = i.parse::<u64>() {
                    visitor.visit_u64(v)
                } else {
                    visitor.visit_borrowed_str(i)
                }
            }
            Node::Scalar(Scalar::Float(f)) => match f.parse::<f64>() {
                Ok(v) => visitor.visit_f64(v),
                Err(_) => visitor.visit_borrowed_str(f),
            },
            Node::Seq(items) => visitor.visit_seq(serde::de::value::SeqDeserializer::new(
                items.iter().map(|i| &i.value),
            )),
            Node::Map(entries) => visitor.visit_map(serde::de::value::MapDeserializer::new(
                entries.iter().map(|(k, v)| (&*k.value, &v.value)),
            )),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, TreeError> {
        match self {
            Node::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    /// YAML is lenient about strings: `revision: 2024` is the string "2024".
    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, TreeError> {
        match self {
            Node::Scalar(Scalar::Str(s) | Scalar::Int(s) | Scalar::Float(s)) => {
                visitor.visit_borrowed_str(s)
            }
            Node::Scalar(Scalar::Bool(b)) => visitor.visit_str(if *b { "true" } else { "false" }),
            _ => self.deserialize_any(visitor),
        }
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, TreeError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, TreeError> {
        match self {
            Node::Scalar(Scalar::Str(s)) => {
                visitor.visit_enum(serde::de::IntoDeserializer::<TreeError>::into_deserializer(
                    &**s,
                ))
            }
            _ => Err(serde::de::Error::custom(
                "expected a string naming a variant",
            )),
        }
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char
        bytes byte_buf unit unit_struct newtype_struct seq tuple
        tuple_struct map struct identifier ignored_any
    }
}

impl<'de> serde::de::IntoDeserializer<'de, TreeError> for &'de Node<'_> {
    type Deserializer = Self;

    fn into_deserializer(self) -> Self {
        self
    }
}
