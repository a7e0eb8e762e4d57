//! The ownership admission policy, evaluated the way the API server evaluates a
//! ValidatingAdmissionPolicy (k8s.io/apiserver `admission/plugin/cel`, `policy/validating`):
//! the request must match `matchConstraints` (operation, group, resource, namespace label);
//! `object`, `oldObject` (null on CREATE) and `request` (an AdmissionRequest as JSON, empty
//! fields left out as its `omitempty` tags say) are bound; every variable is evaluated
//! into `variables`; each validation that is false denies the request with its
//! messageExpression (its message when that fails), and one that errors denies it too
//! (failurePolicy Fail). The policy is decided by standard CEL only, which the test checks.

mod rendered;

use std::collections::HashMap;

use gen_render::admission::{ARGOCD_CONTROLLER, Confinement, Writers, binding, policy};
use k8s_openapi::api::admissionregistration::v1::ValidatingAdmissionPolicy;
use serde_json::{Value, json};

const NS: &str = "seldon-system";
const FIN_SA: &str = "system:serviceaccount:flux-system:t-app-financial-prediction";
const MARKET_SA: &str = "system:serviceaccount:flux-system:t-app-market-signals";
const SELDON_CONTROLLER: &str = "system:serviceaccount:seldon-system:seldon-v2-controller-manager";

fn writers() -> Vec<Writers> {
    vec![
        Writers {
            application: "financial-prediction".into(),
            users: vec![FIN_SA.into()],
            groups: vec!["financial-ml".into()],
            argocd_application: Some("t-app-financial-prediction".into()),
        },
        Writers {
            application: "market-signals".into(),
            users: vec!["ana@example.com".into(), "o'brien".into(), MARKET_SA.into()],
            groups: vec!["market-research".into()],
            argocd_application: Some("t-app-market-signals".into()),
        },
    ]
}

fn the_policy() -> ValidatingAdmissionPolicy {
    let apps = writers();
    let gitops = vec![FIN_SA.to_string(), MARKET_SA.to_string()];
    policy(&Confinement {
        name: "t-application-ownership",
        namespace: NS,
        applications: &apps,
        gitops_users: &gitops,
        labels: Default::default(),
    })
}

/// One API request as the admission chain sees it.
#[derive(Clone)]
struct Request {
    operation: &'static str,
    namespace: &'static str,
    resource: &'static str,
    subresource: Option<&'static str>,
    username: String,
    groups: Vec<String>,
    object: Option<Value>,
    old_object: Option<Value>,
}

fn model(app: Option<&str>) -> Value {
    let mut m = json!({
        "apiVersion": "mlops.seldon.io/v1alpha1",
        "kind": "Model",
        "metadata": {"name": "price-predictor", "namespace": NS},
        "spec": {"storageUri": "gs://b/p"}
    });
    if let Some(app) = app {
        m["metadata"]["labels"] = json!({"app.kubernetes.io/part-of": app});
    }
    m
}

/// `object` with Argo CD's tracking marks for Application `annotation` and/or `label`.
fn tracked(mut object: Value, annotation: Option<&str>, label: Option<&str>) -> Value {
    if let Some(app) = annotation {
        object["metadata"]["annotations"] = json!({
            "argocd.argoproj.io/tracking-id": format!("{app}:mlops.seldon.io/Model:{NS}/price-predictor")
        });
    }
    if let Some(app) = label {
        object["metadata"]["labels"]["app.kubernetes.io/instance"] = json!(app);
    }
    object
}

fn create(username: &str, groups: &[&str], object: Value) -> Request {
    Request {
        operation: "CREATE",
        namespace: NS,
        resource: "models",
        subresource: None,
        username: username.into(),
        groups: groups.iter().map(|g| g.to_string()).collect(),
        object: Some(object),
        old_object: None,
    }
}

fn update(username: &str, groups: &[&str], old: Value, new: Value) -> Request {
    Request {
        operation: "UPDATE",
        old_object: Some(old),
        ..create(username, groups, new)
    }
}

/// A request's `request` variable: admission/v1 AdmissionRequest as JSON, without the
/// empty fields (`userInfo.groups` is `omitempty`).
fn request_json(r: &Request) -> Value {
    let mut user = json!({"username": r.username});
    if !r.groups.is_empty() {
        user["groups"] = json!(r.groups);
    }
    let kind = r
        .object
        .as_ref()
        .or(r.old_object.as_ref())
        .and_then(|o| o["kind"].as_str())
        .unwrap_or("Model");
    let mut req = json!({
        "uid": "0",
        "kind": {"group": "mlops.seldon.io", "version": "v1alpha1", "kind": kind},
        "resource": {"group": "mlops.seldon.io", "version": "v1alpha1", "resource": r.resource},
        "name": "price-predictor",
        "namespace": r.namespace,
        "operation": r.operation,
        "userInfo": user,
    });
    if let Some(s) = r.subresource {
        req["subResource"] = json!(s);
    }
    req
}

/// Whether the policy's matchConstraints select the request (the namespace's
/// kubernetes.io/metadata.name label is its name).
fn matches(p: &ValidatingAdmissionPolicy, r: &Request) -> bool {
    let spec = p.spec.as_ref().unwrap();
    let m = spec.match_constraints.as_ref().unwrap();
    let selector = m.namespace_selector.as_ref().unwrap();
    let ns_ok = selector
        .match_labels
        .as_ref()
        .unwrap()
        .iter()
        .all(|(k, v)| k == "kubernetes.io/metadata.name" && v == r.namespace);
    assert!(selector.match_expressions.is_none());
    let resource = match r.subresource {
        Some(s) => format!("{}/{s}", r.resource),
        None => r.resource.to_string(),
    };
    let rule_ok = m.resource_rules.as_ref().unwrap().iter().any(|rule| {
        let has = |list: &Option<Vec<String>>, v: &str| {
            list.as_ref().unwrap().iter().any(|x| x == v || x == "*")
        };
        has(&rule.api_groups, "mlops.seldon.io")
            && has(&rule.api_versions, "v1alpha1")
            && has(&rule.operations, r.operation)
            && has(&rule.resources, &resource)
    });
    ns_ok && rule_ok
}

fn eval(expression: &str, ctx: &cel::Context) -> Result<cel::Value, String> {
    let program = cel::Program::compile(expression).map_err(|e| format!("parse: {e}"))?;
    program.execute(ctx).map_err(|e| e.to_string())
}

/// Admit or deny `r` as the API server would; the denial messages in order.
fn admit(p: &ValidatingAdmissionPolicy, r: &Request) -> Result<(), Vec<String>> {
    if !matches(p, r) {
        return Ok(());
    }
    let spec = p.spec.as_ref().unwrap();
    assert_eq!(spec.failure_policy.as_deref(), Some("Fail"));
    let mut ctx = cel::Context::default();
    let null = || cel::Value::Null;
    let to = |v: &Option<Value>| v.as_ref().map_or_else(null, |v| cel::to_value(v).unwrap());
    ctx.add_variable_from_value("object", to(&r.object));
    ctx.add_variable_from_value("oldObject", to(&r.old_object));
    ctx.add_variable_from_value("request", cel::to_value(request_json(r)).unwrap());
    // Variables are evaluated in order, each seeing the ones before; one that fails is
    // absent, so a validation that reads it fails as the API server's lazy evaluation would.
    let mut vars: HashMap<String, cel::Value> = HashMap::new();
    for v in spec.variables.as_ref().unwrap() {
        ctx.add_variable_from_value("variables", cel::Value::from(vars.clone()));
        if let Ok(value) = eval(&v.expression, &ctx) {
            vars.insert(v.name.clone(), value);
        }
    }
    ctx.add_variable_from_value("variables", cel::Value::from(vars));
    let mut denied = Vec::new();
    for v in spec.validations.as_ref().unwrap() {
        match eval(&v.expression, &ctx) {
            Ok(cel::Value::Bool(true)) => {}
            Ok(cel::Value::Bool(false)) => {
                let message = v
                    .message_expression
                    .as_deref()
                    .and_then(|m| match eval(m, &ctx) {
                        Ok(cel::Value::String(s)) if !s.trim().is_empty() => Some(s.to_string()),
                        _ => None,
                    })
                    .or_else(|| v.message.clone())
                    .unwrap();
                assert_eq!(v.reason.as_deref(), Some("Forbidden"));
                denied.push(message);
            }
            other => denied.push(format!("error: {} → {other:?}", v.expression)),
        }
    }
    if denied.is_empty() {
        Ok(())
    } else {
        Err(denied)
    }
}

fn allowed(r: Request) {
    let p = the_policy();
    assert_eq!(admit(&p, &r), Ok(()), "{} by {}", r.operation, r.username);
}

/// The request is denied, by validations that evaluated (not by an error), with exactly
/// `messages`.
fn denied(r: Request, messages: &[&str]) {
    let p = the_policy();
    let got = admit(&p, &r).expect_err("denied");
    assert_eq!(got, messages, "{} by {}", r.operation, r.username);
}

#[test]
fn owners_create_their_own_applications_objects() {
    // By group, by username, by a username that needs escaping in CEL.
    allowed(create(
        "bob",
        &["financial-ml", "system:authenticated"],
        model(Some("financial-prediction")),
    ));
    allowed(create(
        "ana@example.com",
        &["system:authenticated"],
        model(Some("market-signals")),
    ));
    allowed(create("o'brien", &[], model(Some("market-signals"))));
}

#[test]
fn an_owner_of_one_application_cannot_create_anothers_objects() {
    denied(
        create(
            "ana@example.com",
            &["market-research", "system:authenticated"],
            model(Some("financial-prediction")),
        ),
        &[
            "ana@example.com may not create Model price-predictor of application financial-prediction: only its owners and its GitOps identity may create its objects in namespace seldon-system; add it in git under that application, or ask its owners",
        ],
    );
    // A requester without any group (AdmissionRequest leaves `groups` out) is judged, not
    // an error.
    denied(
        create("mallory", &[], model(Some("financial-prediction"))),
        &[
            "mallory may not create Model price-predictor of application financial-prediction: only its owners and its GitOps identity may create its objects in namespace seldon-system; add it in git under that application, or ask its owners",
        ],
    );
}

#[test]
fn an_object_without_a_known_application_is_refused() {
    denied(
        create("bob", &["financial-ml"], model(None)),
        &[
            "Model price-predictor has no label app.kubernetes.io/part-of, but every Model, Pipeline and Experiment in namespace seldon-system belongs to one of its applications (financial-prediction, market-signals): set the label to the application that owns it",
        ],
    );
    denied(
        create("bob", &["financial-ml"], model(Some("fraud"))),
        &[
            "Model price-predictor names application fraud in app.kubernetes.io/part-of, but every Model, Pipeline and Experiment in namespace seldon-system belongs to one of its applications (financial-prediction, market-signals): set the label to the application that owns it",
        ],
    );
}

#[test]
fn no_object_is_relabelled_by_anyone() {
    let fin = model(Some("financial-prediction"));
    // Even by someone who owns both applications.
    denied(
        update(
            "root",
            &["financial-ml", "market-research"],
            fin.clone(),
            model(Some("market-signals")),
        ),
        &[
            "Model price-predictor belongs to application financial-prediction and may not move to application market-signals: the label app.kubernetes.io/part-of never changes; delete the object and create it again under the other application",
        ],
    );
    denied(
        update("bob", &["financial-ml"], fin.clone(), model(None)),
        &[
            "Model price-predictor belongs to application financial-prediction and may not move to no application: the label app.kubernetes.io/part-of never changes; delete the object and create it again under the other application",
        ],
    );
    // An update that keeps the label, by anyone RBAC lets through (here the Seldon
    // controller adding its finalizer), passes.
    let mut with_finalizer = fin.clone();
    with_finalizer["metadata"]["finalizers"] = json!(["seldon.model.finalizer"]);
    allowed(update(
        SELDON_CONTROLLER,
        &["system:serviceaccounts"],
        fin,
        with_finalizer,
    ));
}

#[test]
fn each_flux_account_writes_only_its_own_application() {
    allowed(create(
        FIN_SA,
        &["system:serviceaccounts"],
        model(Some("financial-prediction")),
    ));
    denied(
        create(
            MARKET_SA,
            &["system:serviceaccounts"],
            model(Some("financial-prediction")),
        ),
        &[&format!(
            "{MARKET_SA} may not create Model price-predictor of application financial-prediction: only its owners and its GitOps identity may create its objects in namespace seldon-system; add it in git under that application, or ask its owners"
        )],
    );
    // An update that keeps the label is still refused to another application's account.
    let fin = model(Some("financial-prediction"));
    denied(
        update(
            MARKET_SA,
            &["system:serviceaccounts"],
            fin.clone(),
            fin.clone(),
        ),
        &[&format!(
            "{MARKET_SA} may not update Model price-predictor of application financial-prediction: it applies another application, whose git folder names an object of this one"
        )],
    );
    allowed(update(
        FIN_SA,
        &["system:serviceaccounts"],
        fin.clone(),
        fin,
    ));
}

#[test]
fn argo_cd_writes_an_application_only_as_that_applications_argo_cd_application() {
    let fin = || model(Some("financial-prediction"));
    let sa = &["system:serviceaccounts", "system:serviceaccounts:argocd"][..];
    // Tracking by annotation (Argo CD 3 default), by label (2.x default), or both.
    for object in [
        tracked(fin(), Some("t-app-financial-prediction"), None),
        tracked(fin(), None, Some("t-app-financial-prediction")),
        tracked(
            fin(),
            Some("t-app-financial-prediction"),
            Some("t-app-financial-prediction"),
        ),
    ] {
        allowed(create(ARGOCD_CONTROLLER, sa, object.clone()));
        allowed(update(ARGOCD_CONTROLLER, sa, object.clone(), object));
    }
    let refused_create = format!(
        "{ARGOCD_CONTROLLER} may not create Model price-predictor of application financial-prediction: only its owners and its GitOps identity may create its objects in namespace seldon-system; add it in git under that application, or ask its owners"
    );
    for object in [
        // Applied by market-signals' Application (its folder names fin's object).
        tracked(fin(), Some("t-app-market-signals"), None),
        tracked(fin(), None, Some("t-app-market-signals")),
        // A mark copied into git does not help: Argo CD overwrites the one it uses, and
        // every mark present must agree.
        tracked(
            fin(),
            Some("t-app-market-signals"),
            Some("t-app-financial-prediction"),
        ),
        tracked(
            fin(),
            Some("t-app-financial-prediction"),
            Some("t-app-market-signals"),
        ),
        // An Application whose name only starts like the right one.
        tracked(fin(), Some("t-app-financial-prediction-2"), None),
        // No mark at all: not Argo CD applying an Application.
        fin(),
    ] {
        denied(
            create(ARGOCD_CONTROLLER, sa, object.clone()),
            &[&refused_create],
        );
        let existing = tracked(fin(), Some("t-app-financial-prediction"), None);
        denied(
            update(ARGOCD_CONTROLLER, sa, existing, object),
            &[&format!(
                "{ARGOCD_CONTROLLER} may not update Model price-predictor of application financial-prediction: it applies another application, whose git folder names an object of this one"
            )],
        );
    }
}

#[test]
fn what_the_policy_does_not_match_passes() {
    let other = model(Some("market-signals"));
    // Another namespace, the status subresource.
    let mut elsewhere = create("mallory", &[], other.clone());
    elsewhere.namespace = "default";
    allowed(elsewhere);
    let mut status = update(
        "mallory",
        &[],
        other.clone(),
        model(Some("financial-prediction")),
    );
    status.subresource = Some("status");
    allowed(status);
    // Servers are the platform's, not an application's.
    let mut server = create("mallory", &[], other);
    server.resource = "servers";
    allowed(server);
}

#[test]
fn the_policy_uses_only_cel_that_kubernetes_and_the_crate_agree_on() {
    // Standard CEL functions and operators (the `has` and `exists` macros expand to a
    // field test and a comprehension, whose loop step is `@not_strictly_false`); no
    // Kubernetes extension library (whose functions the crate lacks or implements
    // differently) and no `matches` (RE2 in Kubernetes, Rust's regex in the crate).
    let allowed_functions = [
        "startsWith",
        "size",
        "@in",
        "@not_strictly_false",
        "_&&_",
        "_||_",
        "_==_",
        "_!=_",
        "!_",
        "_?_:_",
        "_+_",
        "_[_]",
    ];
    let p = the_policy();
    let spec = p.spec.as_ref().unwrap();
    let expressions = spec
        .variables
        .as_ref()
        .unwrap()
        .iter()
        .map(|v| v.expression.clone())
        .chain(
            spec.validations
                .as_ref()
                .unwrap()
                .iter()
                .flat_map(|v| [v.expression.clone(), v.message_expression.clone().unwrap()]),
        );
    let mut used = std::collections::BTreeSet::new();
    for e in expressions {
        let program = cel::Program::compile(&e).unwrap_or_else(|err| panic!("{e}: {err}"));
        let refs = program.references();
        for f in refs.functions() {
            used.insert(f.to_string());
        }
        for v in refs.variables() {
            assert!(
                ["object", "oldObject", "request", "variables", "g"].contains(&v),
                "{e} reads {v}"
            );
        }
    }
    let unknown: Vec<&String> = used
        .iter()
        .filter(|f| !allowed_functions.contains(&f.as_str()))
        .collect();
    assert!(
        unknown.is_empty(),
        "functions {unknown:?} (all used: {used:?})"
    );
    assert!(used.contains("startsWith") && used.contains("@not_strictly_false"));
}

#[test]
fn the_binding_denies_with_the_policy() {
    let apps = writers();
    let b = binding(&Confinement {
        name: "t-application-ownership",
        namespace: NS,
        applications: &apps,
        gitops_users: &[],
        labels: Default::default(),
    });
    let spec = b.spec.unwrap();
    assert_eq!(spec.policy_name.as_deref(), Some("t-application-ownership"));
    assert_eq!(spec.validation_actions, Some(vec!["Deny".to_string()]));
    assert!(spec.param_ref.is_none() && spec.match_resources.is_none());
}

fn delete(username: &str, groups: &[&str], old: Value) -> Request {
    Request {
        operation: "DELETE",
        object: None,
        old_object: Some(old),
        ..create(username, groups, Value::Null)
    }
}

#[test]
fn a_gitops_identity_deletes_only_its_own_applications_objects() {
    let fin = model(Some("financial-prediction"));
    let sa = &["system:serviceaccounts"][..];
    allowed(delete(FIN_SA, sa, fin.clone()));
    denied(
        delete(MARKET_SA, sa, fin.clone()),
        &[&format!(
            "{MARKET_SA} may not delete Model price-predictor of application financial-prediction: it applies another application"
        )],
    );
    // Argo CD prunes what it tracks for the Application of the object's application.
    allowed(delete(
        ARGOCD_CONTROLLER,
        sa,
        tracked(fin.clone(), Some("t-app-financial-prediction"), None),
    ));
    denied(
        delete(
            ARGOCD_CONTROLLER,
            sa,
            tracked(fin.clone(), Some("t-app-market-signals"), None),
        ),
        &[&format!(
            "{ARGOCD_CONTROLLER} may not delete Model price-predictor of application financial-prediction: it applies another application"
        )],
    );
    // An object of no current application (its application left the profile) may be
    // pruned by whoever applied it.
    allowed(delete(MARKET_SA, sa, model(Some("retired-app"))));
    allowed(delete(MARKET_SA, sa, model(None)));
    // People's deletes are RBAC's (the owner Roles name their objects); the namespace
    // controller and the garbage collector must stay free to delete.
    allowed(delete("mallory", &[], fin.clone()));
    allowed(delete(
        "system:serviceaccount:kube-system:namespace-controller",
        sa,
        fin,
    ));
}
