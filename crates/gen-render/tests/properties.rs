//! Property tests: any generated valid profile renders, deterministically, and its Model
//! specs survive the YAML round trip; mutated profiles fail without panicking.

use gen_render::ops::render_loaded;
use gen_seldon::Model;
use proptest::prelude::*;

fn name() -> impl Strategy<Value = String> {
    "[a-z][a-z0-9]{0,6}"
}

#[derive(Debug, Clone)]
struct Spec {
    dedicated: bool,
    models: Vec<(String, &'static str, u32, u32)>,
}

fn spec() -> impl Strategy<Value = Spec> {
    (
        any::<bool>(),
        prop::collection::btree_map(
            name(),
            (
                prop::sample::select(vec!["sklearn", "xgboost", "onnx", "pytorch", "python"]),
                1u32..2000,
                1u32..3,
            ),
            1..8,
        ),
    )
        .prop_map(|(dedicated, models)| Spec {
            dedicated,
            models: models
                .into_iter()
                .map(|(n, (r, mem, reps))| (format!("m-{n}"), r, mem, reps))
                .collect(),
        })
}

fn profile_text(s: &Spec) -> String {
    let servers = concat!(
        "      - {name: mlserver, serverConfig: mlserver, replicas: 2}\n",
        "      - {name: triton, serverConfig: triton, replicas: 2}\n",
    );
    let mut t = String::from("name: prop\n");
    if s.dedicated {
        t.push_str("pattern: dedicated\nplatform:\n  namespace: ctl\ntenants:\n  - name: t1\n    namespace: t1-ns\n    servers:\n");
        t.push_str(servers);
    } else {
        t.push_str("pattern: shared\nplatform:\n  namespace: ctl\n  servers:\n");
        t.push_str(&servers.replace("      -", "    -"));
    }
    t.push_str("applications:\n  - name: app\n");
    if s.dedicated {
        t.push_str("    tenant: t1\n");
    }
    t.push_str("    models:\n");
    for (n, r, mem, reps) in &s.models {
        t.push_str(&format!("      - {{name: {n}, storageUri: \"gs://b/{n}\", requirements: [{r}], memory: {mem}Ki, replicas: {reps}}}\n"));
    }
    t
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn valid_profiles_render_deterministically(s in spec()) {
        let text = profile_text(&s);
        let loaded = gen_profile::parse("p.yaml", &text).unwrap();
        let a = render_loaded(&loaded).unwrap_or_else(|r| panic!("{}\n{}", text, r.render(gen_profile::Style::Plain)));
        let b = render_loaded(&gen_profile::parse("p.yaml", &text).unwrap()).unwrap();
        prop_assert_eq!(&a, &b);
        for (n, r, mem, reps) in &s.models {
            let file = a.files.iter().find(|(k, _)| k.ends_with(&format!("/model-{n}.yaml"))).map(|(_, v)| v).unwrap();
            let m: Model = serde_saphyr::from_str(file).unwrap();
            prop_assert_eq!(m.name(), n.as_str());
            prop_assert_eq!(&m.spec.requirements, &vec![r.to_string()]);
            prop_assert_eq!(m.spec.memory.as_ref().map(|q| q.to_string()), Some(format!("{mem}Ki")));
            prop_assert_eq!(m.spec.replicas, Some(*reps as i32));
            prop_assert_eq!(m.spec.storage_uri.clone(), format!("gs://b/{n}"));
        }
    }

    #[test]
    fn mutated_profiles_fail_cleanly(s in spec(), cut in 0usize..400, junk in "[ -~\n]{0,12}") {
        let text = profile_text(&s);
        let at = cut.min(text.len());
        let mutated = format!("{}{}{}", &text[..at], junk, &text[at..]);
        // Must not panic; either renders or reports with an exit code of 1 or 2.
        match gen_profile::parse("p.yaml", &mutated) {
            Err(r) => prop_assert_eq!(r.exit_status().code(), 2),
            Ok(l) => if let Err(r) = render_loaded(&l) { prop_assert_eq!(r.exit_status().code(), 1) },
        }
    }
}
