//! Any bytes → load → check → render must end in a bundle or a report, never a panic,
//! and a report's exit code is 1 or 2.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    match gen_profile::parse_bytes("fuzz.yaml", data) {
        Err(report) => {
            assert_eq!(report.exit_code(), 2);
            let _ = report.render();
        }
        Ok(loaded) => match gen_render::render_loaded(&loaded) {
            Ok(bundle) => {
                assert!(!bundle.files.is_empty());
                let _ = bundle.to_stream();
            }
            Err(report) => {
                assert!(matches!(report.exit_code(), 1 | 2));
                let _ = report.render();
            }
        },
    }
});
