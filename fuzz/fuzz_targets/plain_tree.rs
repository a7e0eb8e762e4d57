//! The fast first parse must build the tree serde-saphyr builds, or decline: for any
//! text the fast path accepts, serde-saphyr accepts it too and the trees are equal.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Some(fast) = gen_profile::load::first_parse_plain(text) {
        match gen_profile::load::first_parse_by_serde(text) {
            Ok(slow) => assert_eq!(fast, slow),
            Err(e) => panic!("the fast path accepted what serde-saphyr refuses: {e}"),
        }
    }
});
