use crate::args::{Format, ProfileArgs};
use crate::output;

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    pub common: ProfileArgs,
}

pub fn run(args: Args) -> u8 {
    let format = args.common.format;
    let paths = match super::profiles(&args.common) {
        Ok(p) => p,
        Err(e) => {
            output::io_error("cannot list profiles/", &e, format);
            return 2;
        }
    };
    let mut code = 0u8;
    for path in paths {
        let bundle = match gen_render::render_profile(&path) {
            Ok(b) => b,
            Err(report) => {
                output::report(&report, format);
                code = code.max(report.exit_code() as u8);
                continue;
            }
        };
        let changes = match gen_render::write::compare(&args.common.out, &bundle) {
            Ok(c) => c,
            Err(e) => {
                output::io_error(
                    &format!("cannot read {}/{}", args.common.out, bundle.name),
                    &e,
                    format,
                );
                code = 2;
                continue;
            }
        };
        let fresh = changes.is_clean();
        match format {
            Format::Json => println!(
                "{}",
                serde_json::json!({"profile": path.as_str(), "bundle": bundle.name, "fresh": fresh, "changes": changes})
            ),
            Format::Text => {
                let dir = format!("{}/{}", args.common.out, bundle.name);
                if fresh {
                    eprintln!("{path}: {dir} is up to date");
                } else {
                    eprintln!(
                        "{path}: {dir} is stale; run `gen render --profile {}`",
                        bundle.name
                    );
                    for f in &changes.created {
                        eprintln!("  missing {dir}/{f}");
                    }
                    for f in &changes.updated {
                        eprintln!("  stale   {dir}/{f}");
                    }
                    for f in &changes.pruned {
                        eprintln!("  extra   {dir}/{f}");
                    }
                    match gen_render::write::diff(&args.common.out, &bundle, &changes) {
                        Ok(text) => output::diff(&text),
                        Err(e) => output::io_error("cannot diff", &e, format),
                    }
                }
            }
        }
        if !fresh {
            code = code.max(1);
        }
    }
    code
}
