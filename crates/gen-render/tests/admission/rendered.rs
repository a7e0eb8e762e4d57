//! The policies as gen renders them, evaluated like the hand-built one: in each bundle
//! with a namespace whose applications are confined, the policy admits an application's
//! owners and its GitOps identity for its own objects only, and in pattern dedicated the
//! tenant's owners for every application of the tenant.

use k8s_openapi::api::admissionregistration::v1::ValidatingAdmissionPolicy;
use serde_json::{Value, json};

use super::{Request, admit, create};

#[path = "../common/mod.rs"]
mod common;

const ARGOCD: &str = "system:serviceaccount:argocd:argocd-application-controller";

/// The rendered policies of the test or example profile `name`, by namespace.
fn policies(path: camino::Utf8PathBuf) -> Vec<ValidatingAdmissionPolicy> {
    let bundle = gen_render::render_profile(&path).unwrap();
    common::objects(&bundle)
        .into_iter()
        .filter(|(_, o)| o["kind"] == "ValidatingAdmissionPolicy")
        .map(|(_, o)| serde_json::from_value(o).unwrap())
        .collect()
}

fn the_policy(path: camino::Utf8PathBuf) -> ValidatingAdmissionPolicy {
    let mut p = policies(path);
    assert_eq!(p.len(), 1, "one namespace confines its applications");
    p.pop().unwrap()
}

/// A Model `name` of application `app` in `ns`, tracked by Argo CD Application `argocd`.
fn model(ns: &'static str, name: &str, app: &str, argocd: Option<&str>) -> Value {
    let mut m = json!({
        "apiVersion": "mlops.seldon.io/v1alpha1",
        "kind": "Model",
        "metadata": {
            "name": name,
            "namespace": ns,
            "labels": {"app.kubernetes.io/part-of": app},
        },
        "spec": {"storageUri": "gs://b/m"}
    });
    if let Some(a) = argocd {
        m["metadata"]["annotations"] = json!({
            "argocd.argoproj.io/tracking-id": format!("{a}:mlops.seldon.io/Model:{ns}/{name}")
        });
    }
    m
}

fn in_ns(ns: &'static str, r: Request) -> Request {
    Request { namespace: ns, ..r }
}

#[test]
fn single_team_with_argo_cd() {
    let p = the_policy(common::example("single-team"));
    let ns = "seldon-system";
    let ok = |r: Request| assert_eq!(admit(&p, &in_ns(ns, r)), Ok(()));
    let no = |r: Request| assert!(admit(&p, &in_ns(ns, r)).is_err());
    // Owners by group, for their own application only.
    ok(create(
        "bob",
        &["financial-ml"],
        model(ns, "m", "financial-prediction", None),
    ));
    no(create(
        "bob",
        &["financial-ml"],
        model(ns, "m", "market-signals", None),
    ));
    ok(create(
        "eve",
        &["market-research"],
        model(ns, "m", "market-signals", None),
    ));
    no(create(
        "eve",
        &["market-research"],
        model(ns, "m", "financial-prediction", None),
    ));
    // Argo CD's controller, as the application's own Argo CD Application only.
    let fin = Some("single-team-app-financial-prediction");
    let sig = Some("single-team-app-market-signals");
    ok(create(
        ARGOCD,
        &[],
        model(ns, "m", "financial-prediction", fin),
    ));
    ok(create(ARGOCD, &[], model(ns, "m", "market-signals", sig)));
    no(create(
        ARGOCD,
        &[],
        model(ns, "m", "financial-prediction", sig),
    ));
    no(create(
        ARGOCD,
        &[],
        model(ns, "m", "financial-prediction", None),
    ));
    // Anyone else, and any object of no application of the namespace.
    no(create(
        "mallory",
        &["system:authenticated"],
        model(ns, "m", "market-signals", None),
    ));
    no(create(
        "bob",
        &["financial-ml"],
        model(ns, "m", "elsewhere", None),
    ));
}

#[test]
fn shared_flux_each_account_for_its_own_application() {
    let p = the_policy(common::test_profile("shared-flux"));
    let ns = "seldon-system";
    let fin = "system:serviceaccount:flux-system:shared-flux-app-financial-prediction";
    let sig = "system:serviceaccount:flux-system:shared-flux-app-market-signals";
    let run = |r: Request| admit(&p, &in_ns(ns, r));
    assert_eq!(
        run(create(
            fin,
            &[],
            model(ns, "m", "financial-prediction", None)
        )),
        Ok(())
    );
    assert_eq!(
        run(create(sig, &[], model(ns, "m", "market-signals", None))),
        Ok(())
    );
    assert!(
        run(create(
            sig,
            &[],
            model(ns, "m", "financial-prediction", None)
        ))
        .is_err()
    );
    assert!(run(create(fin, &[], model(ns, "m", "market-signals", None))).is_err());
    // A user owner (user:ana@example.com) by username.
    assert_eq!(
        run(create(
            "ana@example.com",
            &[],
            model(ns, "m", "market-signals", None)
        )),
        Ok(())
    );
    // Argo CD applies nothing here.
    assert!(run(create(ARGOCD, &[], model(ns, "m", "market-signals", None))).is_err());
}

#[test]
fn an_isolated_dedicated_tenant() {
    let p = the_policy(common::test_profile("dedicated-argocd"));
    let ns = "fraud-inference";
    let run = |r: Request| admit(&p, &in_ns(ns, r));
    // The tenant's owners write every application of the tenant; an application's owners
    // only their own.
    for app in ["fraud-detection", "fraud-reporting"] {
        assert_eq!(
            run(create("t", &["fraud-ml"], model(ns, "m", app, None))),
            Ok(())
        );
    }
    assert_eq!(
        run(create(
            "a",
            &["fraud-analysts"],
            model(ns, "m", "fraud-detection", None)
        )),
        Ok(())
    );
    assert!(
        run(create(
            "a",
            &["fraud-analysts"],
            model(ns, "m", "fraud-reporting", None)
        ))
        .is_err()
    );
    assert_eq!(
        run(create(
            "rita@example.com",
            &[],
            model(ns, "m", "fraud-reporting", None)
        )),
        Ok(())
    );
    // The tenant that does not isolate its applications has no policy: nothing is decided
    // in its namespace.
    let vision = in_ns(
        "vision-inference",
        create(
            "x",
            &[],
            model("vision-inference", "m", "image-classification", None),
        ),
    );
    assert_eq!(admit(&p, &vision), Ok(()));
}
