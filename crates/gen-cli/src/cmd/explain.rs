use gen_profile::ExitStatus;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The rule's code, as shown in `error[CODE]` (e.g. runtime-missing).
    #[arg(required_unless_present = "list", conflicts_with = "list")]
    pub rule: Option<String>,
    /// List every rule with its one-line summary.
    #[arg(long)]
    pub list: bool,
}

pub fn run(args: Args) -> ExitStatus {
    if args.list {
        out!("{}", gen_render::rules::list());
        return ExitStatus::Ok;
    }
    let code = args.rule.unwrap_or_default();
    match gen_render::rules::find(&code) {
        Some(rule) => {
            out!("{}", rule.explain());
            ExitStatus::Ok
        }
        None => {
            let codes: Vec<&str> = gen_render::rules::all().iter().map(|r| r.code).collect();
            let hint = gen_seldon_hint(&code, &codes);
            errln!(
                "error: gen has no rule {code:?}{hint}\n  = help: `gen explain --list` lists every rule"
            );
            ExitStatus::UsageOrInput
        }
    }
}

/// ` (did you mean "x"?)` for a misspelt code, else "".
fn gen_seldon_hint(code: &str, codes: &[&str]) -> String {
    gen_render::rules::did_you_mean(code, codes)
        .map(|d| format!("; {d}"))
        .unwrap_or_default()
}
