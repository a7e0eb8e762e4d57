//! The gen profile: one small file per deployment.
//!
//! [`load_file`] reads a profile into typed [`types::Profile`] (every input problem is an
//! [`Report`] with file:line:column), [`check::check`] applies the profile-level rules.
//! The Seldon run-time rules over the objects a profile produces live in `gen_seldon::rules`.

pub mod check;
pub mod diagnostic;
pub mod keys;
pub mod load;
pub mod merge;
mod plain;
pub mod schema;
mod schema_override;
pub mod source;
pub mod types;

pub use diagnostic::{Diagnostic, ExitStatus, Failure, Location, Report, Rule, Severity, Style};
pub use load::{Loaded, load_file, parse, parse_bytes, parse_owned_bytes, read_file};
pub use types::*;
