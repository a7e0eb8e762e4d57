//! Flags shared by several subcommands, each declared once with its documentation.

use camino::Utf8PathBuf;
use clap::{Args, ValueEnum};

#[derive(Args, Debug, Clone)]
pub struct ProfileArgs {
    /// Profile NAME (reads profiles/NAME.yaml) or a path to a profile file.
    #[arg(
        long,
        short = 'p',
        required_unless_present = "all",
        conflicts_with = "all"
    )]
    pub profile: Option<String>,
    /// Every profile in profiles/.
    #[arg(long)]
    pub all: bool,
    /// Folder that holds the bundles.
    #[arg(long, default_value = "out")]
    pub out: Utf8PathBuf,
    /// Output format for diagnostics and summaries.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
}
