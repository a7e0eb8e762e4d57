#[derive(clap::Args, Debug)]
pub struct Args {}

pub fn run(_: Args) -> u8 {
    print!("{}", gen_profile::schema::profile_schema_json());
    0
}
