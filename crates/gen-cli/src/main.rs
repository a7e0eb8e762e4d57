//! `gen`: renders Seldon Core v2 deployments as deterministic, reviewable Kubernetes YAML.
//! This binary only parses arguments and calls the `gen-render` library.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// `print!` and friends panic when the reader goes away (`gen render --stdout | head`);
/// these write and ignore a closed pipe.
macro_rules! out {
    ($($t:tt)*) => { $crate::output::write_out(&format!($($t)*)) };
}
macro_rules! outln {
    ($($t:tt)*) => { $crate::output::write_out(&format!("{}\n", format_args!($($t)*))) };
}
macro_rules! err {
    ($($t:tt)*) => { $crate::output::write_err(&format!($($t)*)) };
}
macro_rules! errln {
    ($($t:tt)*) => { $crate::output::write_err(&format!("{}\n", format_args!($($t)*))) };
}

mod args;
mod cmd;
mod output;

const EXIT_CODES: &str = "\
Exit codes:
  0  ok (render: written; check: bundle is fresh; audit: no errors)
  1  check failed: the profile breaks a rule, the bundle on disk is stale, or audit
     found errors (or warnings, with --strict)
  2  usage or input error: bad arguments, unreadable or malformed profile, I/O failure";

/// `gen --version`: this release and the Seldon Core v2 release it renders and checks.
fn version() -> &'static str {
    static VERSION: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    VERSION.get_or_init(|| {
        format!(
            "{} (targets Seldon Core v2 {})",
            env!("CARGO_PKG_VERSION"),
            gen_profile::SELDON_VERSION
        )
    })
}

#[derive(Parser)]
#[command(name = "gen", version = version(), about = "Render Seldon Core v2 deployments as reviewable Kubernetes YAML", after_help = EXIT_CODES)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check a profile and write its bundle to out/<name>/.
    Render(cmd::render::Args),
    /// Check a profile and compare its bundle with out/<name>/ without writing (for CI
    /// and pre-commit).
    Check(cmd::check::Args),
    /// Print the profile's JSON Schema.
    Schema(cmd::schema::Args),
    /// Check existing Kubernetes YAML trees against the Seldon run-time rules.
    Audit(cmd::audit::Args),
    /// What promoting one environment of a fleet to another changes, object by object
    /// (`gen diff --profile NAME --from staging --to prod`).
    Diff(cmd::diff::Args),
    /// Draw a profile's bundle as a Mermaid flowchart or DOT graph.
    Graph(cmd::graph::Args),
    /// Write a commented starter profile to profiles/NAME.yaml (and the JSON Schema to
    /// schema/ if it is not there); it renders and checks clean as written.
    Init(cmd::init::Args),
    /// Explain a rule: what it checks, the upstream behaviour behind it, and the fix
    /// (`gen explain --list` lists them all).
    Explain(cmd::explain::Args),
    /// Print a shell completion script (e.g. `gen completions bash >
    /// ~/.local/share/bash-completion/completions/gen`).
    Completions(cmd::completions::Args),
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    let code = match cli.command {
        Command::Render(args) => cmd::render::run(args),
        Command::Check(args) => cmd::check::run(args),
        Command::Schema(args) => cmd::schema::run(args),
        Command::Audit(args) => cmd::audit::run(args),
        Command::Diff(args) => cmd::diff::run(args),
        Command::Graph(args) => cmd::graph::run(args),
        Command::Init(args) => cmd::init::run(args),
        Command::Completions(args) => cmd::completions::run(args),
        Command::Explain(args) => cmd::explain::run(args),
    };
    ExitCode::from(code.code())
}
