use crate::args::{Format, ProfileArgs};
use crate::output;

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    pub common: ProfileArgs,
}

pub fn run(args: Args) -> u8 {
    let (out, format) = (&args.common.out, args.common.format);
    super::for_each_bundle(&args.common, |path, bundle| {
        let changes = match gen_render::write::compare(out, &bundle) {
            Ok(c) => c,
            Err(e) => {
                output::io_error(&format!("cannot read {out}/{}", bundle.name), &e, format);
                return 2;
            }
        };
        let fresh = changes.is_clean();
        match format {
            Format::Json => outln!(
                "{}",
                serde_json::json!({"profile": path.as_str(), "bundle": bundle.name, "fresh": fresh, "changes": changes})
            ),
            Format::Text => {
                let dir = format!("{out}/{}", bundle.name);
                if fresh {
                    errln!("{path}: {dir} is up to date");
                } else {
                    errln!(
                        "{path}: {dir} is stale; run `gen render --profile {}`",
                        bundle.name
                    );
                    for f in &changes.created {
                        errln!("  missing {dir}/{f}");
                    }
                    for f in &changes.updated {
                        errln!("  stale   {dir}/{f}");
                    }
                    for f in &changes.pruned {
                        errln!("  extra   {dir}/{f}");
                    }
                    match gen_render::write::diff(out, &bundle, &changes) {
                        Ok(text) => output::diff(&text),
                        Err(e) => output::io_error("cannot diff", &e, format),
                    }
                }
            }
        }
        u8::from(!fresh)
    })
}
