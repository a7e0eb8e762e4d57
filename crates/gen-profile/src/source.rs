//! The profile's text as a tree of located nodes, so that any profile path
//! (`applications[0].models[2].requirements`) can be turned into a line and column.

use std::collections::BTreeMap;
use std::fmt;

use serde::Deserialize;
use serde::de::{MapAccess, SeqAccess, Visitor};
use serde_saphyr::Spanned;

/// A YAML node with the location of every value and key below it.
#[derive(Debug)]
pub enum Node {
    Map(Vec<(Spanned<String>, Spanned<Node>)>),
    Seq(Vec<Spanned<Node>>),
    Scalar(Scalar),
    Null,
}

/// A scalar as YAML typed it.
#[derive(Debug, Clone, PartialEq)]
pub enum Scalar {
    Bool(bool),
    Int(String),
    Float(String),
    Str(String),
}

impl Scalar {
    pub fn describe(&self) -> String {
        match self {
            Scalar::Bool(b) => format!("the boolean {b}"),
            Scalar::Int(i) => format!("the integer {i}"),
            Scalar::Float(f) => format!("the number {f}"),
            Scalar::Str(s) => format!("the string {:?}", s.chars().take(60).collect::<String>()),
        }
    }
}

impl Node {
    pub fn describe(&self) -> &'static str {
        match self {
            Node::Map(_) => "a mapping",
            Node::Seq(_) => "a list",
            Node::Scalar(_) => "a single value",
            Node::Null => "nothing",
        }
    }
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Node;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any YAML value")
            }
            fn visit_bool<E>(self, v: bool) -> Result<Node, E> {
                Ok(Node::Scalar(Scalar::Bool(v)))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Node, E> {
                Ok(Node::Scalar(Scalar::Int(v.to_string())))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Node, E> {
                Ok(Node::Scalar(Scalar::Int(v.to_string())))
            }
            fn visit_i128<E>(self, v: i128) -> Result<Node, E> {
                Ok(Node::Scalar(Scalar::Int(v.to_string())))
            }
            fn visit_u128<E>(self, v: u128) -> Result<Node, E> {
                Ok(Node::Scalar(Scalar::Int(v.to_string())))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Node, E> {
                Ok(Node::Scalar(Scalar::Float(v.to_string())))
            }
            fn visit_str<E>(self, v: &str) -> Result<Node, E> {
                Ok(Node::Scalar(Scalar::Str(v.to_string())))
            }
            fn visit_bytes<E>(self, v: &[u8]) -> Result<Node, E> {
                Ok(Node::Scalar(Scalar::Str(
                    String::from_utf8_lossy(v).into_owned(),
                )))
            }
            fn visit_unit<E>(self) -> Result<Node, E> {
                Ok(Node::Null)
            }
            fn visit_none<E>(self) -> Result<Node, E> {
                Ok(Node::Null)
            }
            fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<Node, D::Error> {
                Node::deserialize(d)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
                let mut entries = Vec::new();
                while let Some(entry) = map.next_entry::<Spanned<String>, Spanned<Node>>()? {
                    entries.push(entry);
                }
                Ok(Node::Map(entries))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element::<Spanned<Node>>()? {
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

pub fn position<T>(s: &Spanned<T>) -> Position {
    (s.referenced.line(), s.referenced.column())
}

/// Profile path → position of the value (and of the key, under `path` + `#key`).
#[derive(Debug, Default, Clone)]
pub struct PathIndex {
    values: BTreeMap<String, Position>,
}

impl PathIndex {
    pub fn build(root: &Spanned<Node>) -> Self {
        let mut index = PathIndex::default();
        index.walk(root, String::new());
        index
    }

    fn walk(&mut self, node: &Spanned<Node>, path: String) {
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
