//! Synthetic profiles for benchmarks and scale tests: `tenants` tenants in pattern
//! dedicated, each with one Server, one SeldonRuntime and one application of
//! `models_per_tenant` Models.

use std::fmt::Write as _;

/// A valid `dedicated` profile of `tenants × models_per_tenant` Models.
pub fn dedicated_profile(tenants: usize, models_per_tenant: usize) -> String {
    let mut t = String::with_capacity(tenants * models_per_tenant * 120 + tenants * 300);
    let _ = writeln!(t, "name: synthetic-{tenants}x{models_per_tenant}");
    t.push_str("pattern: dedicated\nseldon:\n  version: 2.10.2\n  kafka: {bootstrap: \"kafka-bootstrap.kafka:9092\"}\n");
    t.push_str("platform:\n  namespace: seldon-controller\n");
    t.push_str(
        "gitops:\n  engine: flux\n  repoURL: https://git.example.com/platform/synthetic.git\n",
    );
    t.push_str("security:\n  monitoringNamespace: monitoring\n");
    t.push_str("tenants:\n");
    for i in 0..tenants {
        let _ = write!(
            t,
            "  - name: t{i:04}\n    namespace: t{i:04}-inference\n    owners: [group:team-{i:04}]\n    quota: {{cpu: \"16\", memory: 64Gi}}\n    servers:\n      - {{name: mlserver, serverConfig: mlserver, replicas: 2, memory: 4Gi}}\n"
        );
    }
    t.push_str("applications:\n");
    for i in 0..tenants {
        let _ = write!(
            t,
            "  - name: app-{i:04}\n    tenant: t{i:04}\n    owners: [group:app-{i:04}]\n    models:\n"
        );
        for m in 0..models_per_tenant {
            let _ = writeln!(
                t,
                "      - {{name: model-{m:04}, storageUri: \"gs://models-{i:04}/model-{m:04}/v1\", requirements: [sklearn], memory: 100Ki, replicas: 1}}"
            );
        }
    }
    t
}
