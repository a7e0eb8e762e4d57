use clap::ValueEnum;
use gen_profile::{Engine, Pattern};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// shared: one team, everything in one namespace. dedicated: a namespace, runtime and
    /// Servers per tenant.
    #[arg(long, value_enum, default_value_t = PatternArg::Shared)]
    pub pattern: PatternArg,
    /// The GitOps engine that applies the bundle (none: something else applies out/).
    #[arg(long, value_enum, default_value_t = EngineArg::Argocd)]
    pub engine: EngineArg,
    /// The profile's name: the file profiles/NAME.yaml and the bundle folder out/NAME/.
    #[arg(long, default_value = "seldon")]
    pub name: String,
}

#[derive(ValueEnum, Debug, Clone, Copy)]
pub enum PatternArg {
    Shared,
    Dedicated,
}

#[derive(ValueEnum, Debug, Clone, Copy)]
pub enum EngineArg {
    Argocd,
    Flux,
    None,
}

pub fn run(args: Args) -> u8 {
    let pattern = match args.pattern {
        PatternArg::Shared => Pattern::Shared,
        PatternArg::Dedicated => Pattern::Dedicated,
    };
    let engine = match args.engine {
        EngineArg::Argocd => Engine::Argocd,
        EngineArg::Flux => Engine::Flux,
        EngineArg::None => Engine::None,
    };
    let text = match gen_render::init::starter(pattern, engine, &args.name) {
        Ok(t) => t,
        Err(e) => {
            errln!("error: {e}");
            return 2;
        }
    };
    match gen_render::init::write_starter(camino::Utf8Path::new(""), &args.name, &text) {
        Ok(written) => {
            errln!("wrote {}", written.profile);
            match (&written.schema, written.schema_differs) {
                (Some(schema), _) => {
                    errln!("wrote {schema} (the profile's first line points editors at it)")
                }
                (None, true) => errln!(
                    "note: {} differs from this gen's schema; update it with `gen schema > {}`",
                    gen_render::init::SCHEMA_FILE,
                    gen_render::init::SCHEMA_FILE
                ),
                (None, false) => {}
            }
            errln!(
                "next: edit it, then `gen render --profile {}` and commit out/{}/",
                args.name,
                args.name
            );
            0
        }
        Err(e) => {
            errln!("error: {e}");
            2
        }
    }
}
