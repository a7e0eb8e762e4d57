//! Print a synthetic profile: `cargo run --release -p gen-render --example synth -- TENANTS MODELS`.

fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let (tenants, models) = match args.as_slice() {
        [t, m] => (*t, *m),
        _ => {
            eprintln!("usage: synth TENANTS MODELS_PER_TENANT");
            std::process::exit(2);
        }
    };
    print!("{}", gen_render::synth::dedicated_profile(tenants, models));
}
