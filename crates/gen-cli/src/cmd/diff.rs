use gen_profile::ExitStatus;

use crate::args::Format;
use crate::output;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Profile NAME (reads profiles/NAME.yaml) or a path to a profile file with
    /// environments.
    #[arg(long, short = 'p')]
    pub profile: String,
    /// The environment promoted (e.g. staging).
    #[arg(long)]
    pub from: String,
    /// The environment it is promoted to (e.g. prod).
    #[arg(long)]
    pub to: String,
    /// text: one line per added (+), removed (-) or changed (~) object, with the changed
    /// fields, for a pull request; json: the same for bots.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

pub fn run(args: Args) -> ExitStatus {
    let path = gen_render::ops::resolve_profile(&args.profile, camino::Utf8Path::new(""));
    match gen_render::ops::diff_profile(&path, &args.from, &args.to) {
        Ok(promotion) => {
            match args.format {
                Format::Text => out!("{}", promotion.to_text()),
                Format::Json => outln!(
                    "{}",
                    serde_json::to_string_pretty(&promotion).unwrap_or_default()
                ),
            }
            ExitStatus::Ok
        }
        Err(e) => output::environment_error(&e, args.format),
    }
}
