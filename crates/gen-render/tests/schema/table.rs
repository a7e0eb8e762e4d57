//! The table of profiles: each a small edit of a base profile, the gen code it draws, and
//! whether the JSON Schema can say the same.

use super::*;

pub(crate) fn table() -> Vec<(&'static str, String, &'static str, Schema)> {
    let with_model = |extra: &str| {
        edit(
            SHARED,
            &[(
                "requirements: [sklearn]\n",
                &format!("requirements: [sklearn]\n{extra}"),
            )],
        )
    };
    let with_app = |extra: &str| format!("{SHARED}{extra}");
    let shared = SHARED.to_string();
    let mut rows: Vec<(&str, String, &str, Schema)> = vec![
        // hostile.rs: shapes and syntax
        ("empty file", String::new(), "empty", Rejects),
        (
            "comment only",
            "# just a comment\n\n".into(),
            "empty",
            Rejects,
        ),
        ("a list", "- a\n- b\n".into(), "not-a-mapping", Rejects),
        ("a scalar", "just words\n".into(), "not-a-mapping", Rejects),
        (
            "tab indentation",
            "name: x\n\tpattern: shared\n".into(),
            "syntax",
            NoDocument,
        ),
        (
            "unclosed flow",
            "name: [unclosed\npattern: shared\n".into(),
            "syntax",
            NoDocument,
        ),
        (
            "duplicate key",
            "name: a\nname: b\n".into(),
            "syntax",
            NoDocument,
        ),
        (
            "bad indentation",
            "name: x\npattern: shared\n  platform: {}\n".into(),
            "syntax",
            NoDocument,
        ),
        ("deep nesting", "[".repeat(20_000), "syntax", NoDocument),
        // hostile.rs: types, unknown keys
        (
            "null, list and mapping for scalars",
            with_model("        storageUri:\n        replicas: [1]\n        memory: {a: 1}\n")
                .replace("        storageUri: gs://b/iris\n", ""),
            "invalid-value",
            Rejects,
        ),
        (
            "applications is a number",
            edit(
                SHARED,
                &[(
                    "applications:\n  - name: app\n    models:\n      - name: iris\n        storageUri: gs://b/iris\n        requirements: [sklearn]\n",
                    "applications: 3\n",
                )],
            ),
            "invalid-value",
            Rejects,
        ),
        (
            "pattern is a number",
            edit(SHARED, &[("pattern: shared", "pattern: 7")]),
            "invalid-value",
            Rejects,
        ),
        (
            "misspelt enum value",
            edit(SHARED, &[("pattern: shared", "pattern: sharded")]),
            "invalid-value",
            Rejects,
        ),
        (
            "unknown top-level key",
            edit(SHARED, &[("pattern:", "patern:")]),
            "unknown-key",
            Rejects,
        ),
        (
            "unknown key in a model",
            edit(SHARED, &[("storageUri:", "storageURI:")]),
            "unknown-key",
            Rejects,
        ),
        (
            "a value over 64 KiB",
            edit(
                SHARED,
                &[("name: t\n", &format!("name: {}\n", "x".repeat(70_000)))],
            ),
            "too-long",
            Rejects,
        ),
        (
            "a credential key",
            with_app("password: hunter2\n"),
            "credential",
            Rejects,
        ),
        // editor typos (issue 15)
        (
            "requirments",
            edit(SHARED, &[("requirements:", "requirments:")]),
            "unknown-key",
            Rejects,
        ),
        (
            "modelRef outside explainer",
            with_model("        modelRef: other\n"),
            "unknown-key",
            Rejects,
        ),
        (
            "unknown key in a server",
            edit(
                SHARED,
                &[(
                    "serverConfig: mlserver\n",
                    "serverConfig: mlserver\n      replica: 2\n",
                )],
            ),
            "unknown-key",
            Rejects,
        ),
        (
            "unknown key in a pipeline",
            with_model("    pipelines:\n      - name: p\n        step: [{name: iris}]\n"),
            "unknown-key",
            Rejects,
        ),
        (
            "unknown key in an experiment",
            edit(
                SHARED,
                &[(
                    "requirements: [sklearn]\n",
                    "requirements: [sklearn]\n    experiments:\n      - name: e\n        candidate: [{name: iris, weight: 1}]\n",
                )],
            ),
            "unknown-key",
            Rejects,
        ),
        (
            "unknown override component",
            edit(
                SHARED,
                &[(
                    "  servers:\n",
                    "  runtime: {overrides: [{name: seldon-envoi, replicas: 2}]}\n  servers:\n",
                )],
            ),
            "invalid-value",
            Rejects,
        ),
        // names
        (
            "name with ../",
            edit(SHARED, &[("name: t\n", "name: ../etc\n")]),
            "invalid-name",
            Rejects,
        ),
        (
            "name with /",
            edit(SHARED, &[("name: t\n", "name: a/b\n")]),
            "invalid-name",
            Rejects,
        ),
        (
            "name in uppercase",
            edit(SHARED, &[("name: t\n", "name: UPPER\n")]),
            "invalid-name",
            Rejects,
        ),
        (
            "name with dots",
            edit(SHARED, &[("name: t\n", "name: dots.in.name\n")]),
            "invalid-name",
            Rejects,
        ),
        (
            "name of 64 characters",
            edit(
                SHARED,
                &[("name: t\n", &format!("name: {}\n", "a".repeat(64)))],
            ),
            "invalid-name",
            Rejects,
        ),
        (
            "namespace in uppercase",
            edit(SHARED, &[("namespace: seldon-system", "namespace: Seldon")]),
            "invalid-name",
            Rejects,
        ),
        (
            "model name in uppercase",
            edit(SHARED, &[("- name: iris", "- name: Iris")]),
            "invalid-name",
            Rejects,
        ),
        (
            "server name with _",
            edit(SHARED, &[("- name: mlserver", "- name: ml_server")]),
            "invalid-name",
            Rejects,
        ),
        (
            "application name with a space",
            edit(SHARED, &[("- name: app", "- name: my app")]),
            "invalid-name",
            Rejects,
        ),
        (
            "client namespace",
            with_app("security: {clientNamespaces: [Ingress]}\n"),
            "invalid-name",
            Rejects,
        ),
        (
            "monitoring namespace",
            with_app("security: {monitoringNamespace: -mon}\n"),
            "invalid-name",
            Rejects,
        ),
        // profile rules
        (
            "application namespace",
            edit(
                SHARED,
                &[(
                    "  - name: app\n",
                    "  - name: app\n    namespace: financial-inference\n",
                )],
            ),
            "application-namespace",
            Rejects,
        ),
        (
            "tenants in shared",
            with_app("tenants:\n  - name: a\n    namespace: a-ns\n"),
            "pattern-mismatch",
            Rejects,
        ),
        (
            "application tenant in shared",
            edit(
                SHARED,
                &[("  - name: app\n", "  - name: app\n    tenant: a\n")],
            ),
            "pattern-mismatch",
            Rejects,
        ),
        (
            "dedicated without tenants",
            edit(SHARED, &[("pattern: shared", "pattern: dedicated")]),
            "pattern-mismatch",
            Rejects,
        ),
        (
            "runtime in dedicated",
            edit(
                DEDICATED,
                &[(
                    "  namespace: seldon-system\n",
                    "  namespace: seldon-system\n  runtime: {}\n",
                )],
            ),
            "pattern-mismatch",
            Rejects,
        ),
        (
            "application without tenant in dedicated",
            edit(DEDICATED, &[("    tenant: a\n", "")]),
            "tenant-missing",
            Rejects,
        ),
        (
            "unknown tenant",
            edit(DEDICATED, &[("tenant: a", "tenant: b")]),
            "tenant-missing",
            CannotSay(CROSS_REFERENCE),
        ),
        (
            "tenant in the controller namespace",
            edit(
                DEDICATED,
                &[("namespace: a-ns", "namespace: seldon-system")],
            ),
            "tenant-namespace",
            CannotSay(COMPARISON),
        ),
        (
            "two tenants of one name",
            edit(
                DEDICATED,
                &[(
                    "applications:",
                    "  - name: a\n    namespace: b-ns\napplications:",
                )],
            ),
            "duplicate-name",
            CannotSay(UNIQUE),
        ),
        (
            "a tenant admits another tenant's namespace",
            edit(
                DEDICATED,
                &[(
                    "applications:",
                    "  - name: b\n    namespace: b-ns\n    clientNamespaces: [a-ns]\napplications:",
                )],
            ),
            "tenant-isolation",
            CannotSay(CROSS_REFERENCE),
        ),
        (
            "quota that is no quantity",
            edit(
                DEDICATED,
                &[(
                    "    namespace: a-ns\n",
                    "    namespace: a-ns\n    quota: {cpu: lots}\n",
                )],
            ),
            "quota-invalid",
            Rejects,
        ),
        (
            "server memory that is no quantity",
            edit(
                DEDICATED,
                &[(
                    "serverConfig: mlserver",
                    "serverConfig: mlserver\n        memory: big",
                )],
            ),
            "memory-invalid",
            Rejects,
        ),
        (
            "negative memory",
            edit(
                SHARED,
                &[(
                    "serverConfig: mlserver",
                    "serverConfig: mlserver\n      memory: -1Gi",
                )],
            ),
            "memory-invalid",
            Rejects,
        ),
        (
            "owner without a kind",
            edit(
                SHARED,
                &[("  - name: app\n", "  - name: app\n    owners: [team-a]\n")],
            ),
            "invalid-owner",
            Rejects,
        ),
        (
            "GitOps engine without repoURL",
            with_app("gitops:\n  engine: flux\n"),
            "gitops-repo",
            Rejects,
        ),
        (
            "GitOps engine with an empty repoURL",
            with_app("gitops:\n  engine: argocd\n  repoURL: ''\n"),
            "gitops-repo",
            Rejects,
        ),
        (
            "another Seldon version",
            edit(
                SHARED,
                &[(
                    "pattern: shared\n",
                    "pattern: shared\nseldon:\n  version: 2.8.0\n",
                )],
            ),
            "seldon-version",
            Rejects,
        ),
        (
            "declaring a built-in ServerConfig",
            edit(
                SHARED,
                &[(
                    "  servers:",
                    "  serverConfigs:\n    - {name: triton, capabilities: [x], memory: 1Gi}\n  servers:",
                )],
            ),
            "server-config-builtin",
            Rejects,
        ),
        (
            "unknown SeldonConfig",
            edit(
                SHARED,
                &[(
                    "  servers:\n",
                    "  runtime: {seldonConfig: custom}\n  servers:\n",
                )],
            ),
            "seldon-config-unknown",
            Rejects,
        ),
        (
            "unknown ServerConfig",
            edit(SHARED, &[("serverConfig: mlserver", "serverConfig: gpu")]),
            "server-config-unknown",
            CannotSay(CROSS_REFERENCE),
        ),
        // Seldon rules over one entry
        (
            "storageUri with credentials",
            edit(SHARED, &[("gs://b/iris", "gs://key:secret@b/iris")]),
            "storage-credentials",
            Rejects,
        ),
        (
            "storageUri with a signature parameter",
            edit(
                SHARED,
                &[("gs://b/iris", "https://h/x?X-Amz-Signature=abc")],
            ),
            "storage-credentials",
            Rejects,
        ),
        (
            "storageUri of an unknown scheme",
            edit(SHARED, &[("gs://b/iris", "gcs://b/iris")]),
            "storage-uri",
            Rejects,
        ),
        (
            "storageUri without a scheme",
            edit(SHARED, &[("gs://b/iris", "b/iris")]),
            "storage-uri",
            Rejects,
        ),
        (
            "negative replicas",
            with_model("        replicas: -1\n"),
            "replica-bounds",
            Rejects,
        ),
        (
            "explainer and llm",
            with_model(
                "        explainer: {type: anchor_tabular, modelRef: iris}\n        llm: {modelRef: iris}\n",
            ),
            "model-explainer-llm",
            Rejects,
        ),
        (
            "credential parameter",
            with_model("        parameters: [{name: api_key, value: x}]\n"),
            "parameter-credential",
            Rejects,
        ),
        (
            "pipeline without steps",
            with_model("    pipelines: [{name: p, steps: []}]\n"),
            "pipeline-empty",
            Rejects,
        ),
        (
            "experiment without candidates or mirror",
            with_model("    experiments: [{name: e, candidates: []}]\n"),
            "experiment-empty",
            Rejects,
        ),
        (
            "experiment weights all 0",
            with_model(
                "    experiments: [{name: e, default: iris, candidates: [{name: iris, weight: 0}]}]\n",
            ),
            "experiment-weights",
            Rejects,
        ),
        (
            "experiment weight over int32",
            with_model(
                "    experiments: [{name: e, default: iris, candidates: [{name: iris, weight: 3000000000}]}]\n",
            ),
            "experiment-weights",
            Rejects,
        ),
        (
            "mirror over 100%",
            with_model(
                "      - name: iris2\n        storageUri: gs://b/iris\n        requirements: [sklearn]\n    experiments: [{name: e, default: iris, candidates: [{name: iris, weight: 1}], mirror: {name: iris2, percent: 101}}]\n",
            ),
            "experiment-mirror",
            Rejects,
        ),
        (
            "replicas over int32",
            with_model("        replicas: 3000000000\n"),
            "invalid-value",
            Rejects,
        ),
        // Seldon rules between entries
        (
            "minReplicas above replicas",
            with_model("        replicas: 1\n        minReplicas: 2\n"),
            "replica-bounds",
            CannotSay(COMPARISON),
        ),
        (
            "two models of one name",
            with_model(
                "      - name: iris\n        storageUri: gs://b/iris2\n        requirements: [sklearn]\n",
            ),
            "duplicate-name",
            CannotSay(UNIQUE),
        ),
        (
            "requirements no Server offers",
            edit(SHARED, &[("[sklearn]", "[onnx]")]),
            "requirements-unsatisfied",
            CannotSay(CAPACITY),
        ),
        (
            "memory larger than a Server replica",
            with_model("        memory: 3Gi\n"),
            "memory-too-large",
            CannotSay(CAPACITY),
        ),
        (
            "pipeline step naming no model",
            with_model("    pipelines: [{name: p, steps: [{name: nope}]}]\n"),
            "pipeline-step-unknown",
            CannotSay(CROSS_REFERENCE),
        ),
        (
            "experiment default not a candidate",
            with_model(
                "      - name: iris2\n        storageUri: gs://b/iris\n        requirements: [sklearn]\n    experiments: [{name: e, default: iris2, candidates: [{name: iris, weight: 1}]}]\n",
            ),
            "experiment-default",
            CannotSay(CROSS_REFERENCE),
        ),
        // Ownership between applications of one namespace
        (
            "sharedWith naming no application",
            with_model("        sharedWith: [nobody]\n"),
            "share-unknown",
            CannotSay(CROSS_REFERENCE),
        ),
        (
            "sharedWith naming no valid application name",
            with_model("        sharedWith: [Other_App]\n"),
            "share-unknown",
            Rejects,
        ),
        (
            "a step on another application's Model",
            with_app("  - name: other\n    pipelines: [{name: p, steps: [{name: iris}]}]\n"),
            "cross-application-reference",
            CannotSay(CROSS_REFERENCE),
        ),
        (
            "an Experiment on another application's endpoint",
            with_app(
                "  - name: other\n    experiments: [{name: e, default: iris, candidates: [{name: iris, weight: 1}]}]\n",
            ),
            "experiment-takeover",
            CannotSay(CROSS_REFERENCE),
        ),
    ];
    rows.push((
        "the base profile with a bad name, twice wrong",
        edit(
            &shared,
            &[("name: t\n", "name: T\n"), ("[sklearn]", "[onnx]")],
        ),
        "invalid-name",
        Rejects,
    ));
    rows
}
