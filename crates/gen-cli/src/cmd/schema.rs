use gen_profile::ExitStatus;

#[derive(clap::Args, Debug)]
pub struct Args {}

pub fn run(_: Args) -> ExitStatus {
    out!("{}", gen_profile::schema::profile_schema_json());
    ExitStatus::Ok
}
