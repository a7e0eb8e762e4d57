use camino::Utf8PathBuf;

use crate::args::Format;
use crate::output;
use gen_profile::ExitStatus;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Files or folders of Kubernetes YAML to audit.
    #[arg(required = true)]
    pub paths: Vec<Utf8PathBuf>,
    /// The Seldon controller's namespace (default: found from the tree, else seldon-mesh).
    #[arg(long)]
    pub controller_namespace: Option<String>,
    /// Fail (exit 1) on warnings too.
    #[arg(long)]
    pub strict: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

pub fn run(args: Args) -> ExitStatus {
    match gen_audit::audit(&args.paths, args.controller_namespace.as_deref()) {
        Ok(report) => {
            match args.format {
                Format::Text => err!("{}", report.render(output::style())),
                Format::Json => outln!("{}", serde_json::to_string(&report).unwrap_or_default()),
            }
            report.exit_status(args.strict)
        }
        Err(e) => {
            output::io_error("cannot audit", &e, args.format);
            ExitStatus::UsageOrInput
        }
    }
}
