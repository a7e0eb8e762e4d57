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
    /// For a profile with environments: the environment whose bundle to draw.
    #[arg(long, short = 'e')]
    pub environment: Option<String>,
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
    match gen_render::ops::graph_profile(&path, format, args.environment.as_deref()) {
        Ok(text) => {
            out!("{text}");
            ExitStatus::Ok
        }
        Err(e) => output::environment_error(&e, crate::args::Format::Text),
    }
}
