//! Pipeline stages on synthetic `dedicated` profiles (200 tenants × 50 models = 10,000
//! Models): parse, check + plan, serialize, and the whole render in memory.
//! Run: `cargo bench -p gen-render --bench pipeline`.

use divan::Bencher;
use gen_render::synth::dedicated_profile;

fn main() {
    divan::main();
}

const SIZES: &[(usize, usize)] = &[(20, 50), (200, 50)];

fn models(&(t, m): &(usize, usize)) -> usize {
    t * m
}

#[divan::bench(args = SIZES, sample_count = 10)]
fn parse(bencher: Bencher, size: &(usize, usize)) {
    let text = dedicated_profile(size.0, size.1);
    bencher
        .counter(divan::counter::ItemsCount::new(models(size)))
        .bench(|| gen_profile::parse("p.yaml", &text).unwrap());
}

#[divan::bench(args = SIZES, sample_count = 10)]
fn check_and_plan(bencher: Bencher, size: &(usize, usize)) {
    let loaded = gen_profile::parse("p.yaml", &dedicated_profile(size.0, size.1)).unwrap();
    bencher
        .counter(divan::counter::ItemsCount::new(models(size)))
        .bench(|| gen_render::check(loaded.clone(), camino::Utf8Path::new("out")).unwrap());
}

#[divan::bench(args = SIZES, sample_count = 10)]
fn assemble(bencher: Bencher, size: &(usize, usize)) {
    let loaded = gen_profile::parse("p.yaml", &dedicated_profile(size.0, size.1)).unwrap();
    let checked = gen_render::check(loaded, camino::Utf8Path::new("out")).unwrap();
    bencher
        .counter(divan::counter::ItemsCount::new(models(size)))
        .bench(|| gen_render::bundle::assemble(&checked.profile, &checked.plan).unwrap());
}

#[divan::bench(args = SIZES, sample_count = 10)]
fn render_in_memory(bencher: Bencher, size: &(usize, usize)) {
    let text = dedicated_profile(size.0, size.1);
    bencher
        .counter(divan::counter::ItemsCount::new(models(size)))
        .bench(|| {
            let loaded = gen_profile::parse("p.yaml", &text).unwrap();
            gen_render::render_loaded(&loaded).unwrap()
        });
}
