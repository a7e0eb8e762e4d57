//! Flags shared by several subcommands, each declared once with its documentation.

use camino::Utf8PathBuf;
use clap::{Args, ValueEnum};

#[derive(Args, Debug, Clone)]
#[group(skip)]
#[command(group(clap::ArgGroup::new("which").args(["profile", "all"]).required(true)))]
pub struct ProfileArgs {
    /// Profile NAME (reads profiles/NAME.yaml) or a path to a profile file.
    #[arg(long, short = 'p')]
    pub profile: Option<String>,
    /// Every profile in profiles/ (*.yaml, *.yml).
    #[arg(long)]
    pub all: bool,
    /// Folder that holds the bundles.
    #[arg(long, default_value = "out")]
    pub out: Utf8PathBuf,
    /// Output format for diagnostics and summaries.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

impl ProfileArgs {
    /// The arguments that select the same profiles and bundle folder again, as the user
    /// gave them (a path stays a path), for hints such as "run `gen render …`".
    pub fn again(&self) -> String {
        let mut which = match &self.profile {
            Some(p) => format!("--profile {p}"),
            None => "--all".to_string(),
        };
        if self.out != "out" {
            which.push_str(&format!(" --out {}", self.out));
        }
        which
    }
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
}
