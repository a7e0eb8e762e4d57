use clap::ValueEnum;
use gen_profile::ExitStatus;
use gen_render::graph::GraphFormat;

use crate::output;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Profile NAME (reads profiles/NAME.yaml) or a path to a profile file.
    #[arg(long, short = 'p')]
    pub profile: String,
    /// Graph language.
    #[arg(long, value_enum, default_value_t = Lang::Mermaid)]
    pub format: Lang,
}

#[derive(ValueEnum, Debug, Clone, Copy)]
pub enum Lang {
    /// A Mermaid flowchart (GitHub renders it in Markdown).
    Mermaid,
    /// Graphviz DOT.
    Dot,
}

pub fn run(args: Args) -> ExitStatus {
    let path = gen_render::ops::resolve_profile(&args.profile, camino::Utf8Path::new(""));
    let format = match args.format {
        Lang::Mermaid => GraphFormat::Mermaid,
        Lang::Dot => GraphFormat::Dot,
    };
    match gen_render::ops::graph_profile(&path, format) {
        Ok(text) => {
            out!("{text}");
            ExitStatus::Ok
        }
        Err(report) => {
            output::report(&report, crate::args::Format::Text);
            report.exit_status()
        }
    }
}
