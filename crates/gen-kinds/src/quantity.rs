//! Kubernetes resource quantities (`100Ki`, `1G`, `500m`, `16`), kept as written and
//! parsed on demand for comparisons.

use std::fmt;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A Kubernetes quantity. YAML may give it as a string or a number; it is always
/// written back as a string, exactly as the user spelled it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct Quantity(pub String);

impl Quantity {
    pub fn new(value: impl Into<String>) -> Self {
        Quantity(value.into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The value in base units (bytes for memory, cores for CPU), or why it is not a
    /// quantity.
    pub fn value(&self) -> Result<f64, QuantityError> {
        parse(&self.0)
    }
}

impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The Kubernetes quantity grammar, as the API server checks it (the pattern of every
/// quantity field in the Seldon CRDs, e.g. `Model.spec.memory`), without a sign: gen
/// refuses negative quantities.
pub const QUANTITY_PATTERN: &str = r"^\+?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))))?$";

impl JsonSchema for Quantity {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Quantity".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "A Kubernetes quantity such as 100Ki, 1Gi, 500m or 16.",
            "anyOf": [
                {"type": "string", "pattern": QUANTITY_PATTERN},
                {"type": "number", "minimum": 0}
            ]
        })
    }
}

impl<'de> Deserialize<'de> for Quantity {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Quantity;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a Kubernetes quantity such as 100Ki, 1Gi or 16")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Quantity, E> {
                Ok(Quantity(v.to_string()))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Quantity, E> {
                Ok(Quantity(v.to_string()))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Quantity, E> {
                Ok(Quantity(v.to_string()))
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Quantity, E> {
                if v.is_finite() {
                    Ok(Quantity(v.to_string()))
                } else {
                    Err(E::custom("a quantity must be a finite number"))
                }
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

const SUFFIXES: &[(&str, f64)] = &[
    ("Ki", 1024.0),
    ("Mi", 1048576.0),
    ("Gi", 1073741824.0),
    ("Ti", 1099511627776.0),
    ("Pi", 1125899906842624.0),
    ("Ei", 1152921504606846976.0),
    ("n", 1e-9),
    ("u", 1e-6),
    ("m", 1e-3),
    ("k", 1e3),
    ("M", 1e6),
    ("G", 1e9),
    ("T", 1e12),
    ("P", 1e15),
    ("E", 1e18),
];

/// Why a text is not a quantity.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "{0:?} is not a Kubernetes quantity (a number with an optional suffix such as Ki, Mi, Gi, m, k, M, G)"
)]
pub struct QuantityError(pub String);

/// Parse a quantity into base units.
pub fn parse(text: &str) -> Result<f64, QuantityError> {
    let bad = || QuantityError(text.to_string());
    let (number, factor, suffixed) = SUFFIXES
        .iter()
        .find_map(|(suffix, factor)| text.strip_suffix(suffix).map(|n| (n, *factor, true)))
        .unwrap_or((text, 1.0, false));
    // A decimal exponent is itself the suffix: the API server refuses `1e3Gi` (see
    // QUANTITY_PATTERN).
    let valid = !number.is_empty()
        && number.chars().all(|c| {
            c.is_ascii_digit()
                || c == '.'
                || c == '+'
                || c == '-'
                || (!suffixed && (c == 'e' || c == 'E'))
        });
    if !valid {
        return Err(bad());
    }
    let n: f64 = number.parse().map_err(|_| bad())?;
    if !n.is_finite() || n < 0.0 {
        return Err(bad());
    }
    Ok(n * factor)
}

/// Bytes as a short human figure (`1.0 GB`, `100.0 KiB`), for messages.
pub fn human_bytes(bytes: f64) -> String {
    if bytes >= 1e9 {
        format!("{:.2} GB", bytes / 1e9)
    } else if bytes >= 1e6 {
        format!("{:.2} MB", bytes / 1e6)
    } else if bytes >= 1e3 {
        format!("{:.2} kB", bytes / 1e3)
    } else {
        format!("{bytes} B")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_suffixes() {
        assert_eq!(parse("100Ki"), Ok(102400.0));
        assert_eq!(parse("1G"), Ok(1e9));
        assert_eq!(parse("500m"), Ok(0.5));
        assert_eq!(parse("16"), Ok(16.0));
        assert_eq!(parse("1.5Gi"), Ok(1.5 * 1073741824.0));
        assert!(parse("lots").is_err());
        assert!(parse("").is_err());
        assert!(parse("Gi").is_err());
        assert!(parse("-1").is_err());
        assert_eq!(parse("1e3"), Ok(1000.0));
        assert!(parse("1e3Gi").is_err(), "an exponent and a suffix");
        assert!(parse("1e3m").is_err(), "an exponent and a suffix");
    }
}
