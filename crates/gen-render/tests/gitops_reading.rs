//! The GitOps tests' own tools, checked: the kustomization reader against `kubectl
//! kustomize`, and the kind table's scopes.
//!
//! Kinds, their scope and plural are read from the rendered objects and looked up in
//! k8s-openapi (built-in kinds) and the upstream CRDs under ../shared/reference.

mod common;
mod engines;

use std::collections::BTreeSet;

use engines::*;

#[test]
fn the_reader_agrees_with_kubectl_kustomize() {
    if kubectl("the_reader_agrees_with_kubectl_kustomize").is_none() {
        return;
    }
    for bundle in all_bundles() {
        let (_dir, root) = checkout(&bundle, "b");
        for folder in folders(&bundle) {
            let ours: BTreeSet<_> = build(&bundle, &folder).iter().map(key).collect();
            let theirs: BTreeSet<_> = kustomize(&root.join("b").join(&folder))
                .iter()
                .map(key)
                .collect();
            assert_eq!(ours, theirs, "{}: {folder}", bundle.name);
        }
    }
}

#[test]
fn kind_table_knows_scopes() {
    let t = kind_table();
    assert!(!t[&(String::new(), "Namespace".to_string())].namespaced);
    assert!(t[&("networking.k8s.io".to_string(), "NetworkPolicy".to_string())].namespaced);
    assert!(t[&("mlops.seldon.io".to_string(), "Model".to_string())].namespaced);
    assert_eq!(
        t[&("mlops.seldon.io".to_string(), "SeldonRuntime".to_string())].plural,
        "seldonruntimes"
    );
    assert!(
        !t[&(
            "apiextensions.k8s.io".to_string(),
            "CustomResourceDefinition".to_string()
        )]
            .namespaced
    );
    assert!(t[&("argoproj.io".to_string(), "AppProject".to_string())].namespaced);
}
