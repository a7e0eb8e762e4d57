#[derive(clap::Args, Debug)]
pub struct Args {}

pub fn run(_: Args) -> u8 {
    out!("{}", gen_profile::schema::profile_schema_json());
    0
}
