//! The profile's JSON Schema, generated from the types.

use crate::types::Profile;

/// The profile JSON Schema (draft 2020-12).
pub fn profile_schema() -> schemars::Schema {
    schemars::schema_for!(Profile)
}

/// The schema as JSON, for walking; generated once per process.
pub fn profile_schema_value() -> &'static serde_json::Value {
    static SCHEMA: std::sync::OnceLock<serde_json::Value> = std::sync::OnceLock::new();
    SCHEMA.get_or_init(|| profile_schema().to_value())
}

/// The schema as pretty JSON text with a trailing newline, as committed in
/// `schema/profile.schema.json`.
pub fn profile_schema_json() -> String {
    let mut text = serde_json::to_string_pretty(profile_schema_value()).unwrap_or_default();
    text.push('\n');
    text
}
