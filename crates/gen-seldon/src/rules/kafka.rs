//! Pipelines in an install without Kafka (FACTS §9.6).

use std::collections::BTreeMap;

use gen_diagnostics::{Rule, Severity, Stage};

use super::{Inventory, Origin, Out};
use crate::catalog::SETUP_KAFKA_BOOTSTRAP;

pub(super) static PIPELINES_WITHOUT_KAFKA: Rule = Rule::new(
    Stage::Seldon,
    "pipelines-without-kafka",
    Severity::Error,
    "Pipelines need the install's Kafka bootstrap",
    "Pipelines run over Kafka: the dataflow engine, the pipeline gateway and the model \
gateway. The dataflow engine takes its bootstrap servers from the setup chart's \
`kafka.bootstrap` (an env var of the SeldonConfig), not from a runtime's kafkaConfig; left \
unset it is seldon-kafka-bootstrap.seldon-mesh:9092, which nothing installs, and no \
Pipeline ever becomes Ready. Judged only when the install's values are known.

Fix: set seldon.kafka.bootstrap in the profile (the setup chart's kafka.bootstrap), or \
remove the Pipelines.",
);

/// Pipelines run over Kafka: the dataflow engine, the pipeline gateway and the model
/// gateway. The dataflow engine takes its bootstrap servers from the setup chart's
/// `kafka.bootstrap` (its env in the SeldonConfig), not from a runtime's `kafkaConfig`;
/// left unset, it is `seldon-kafka-bootstrap.seldon-mesh:9092`, and the Pipelines never
/// become Ready. One finding per namespace, at its first Pipeline. Only a known install
/// is judged: without the setup values, Kafka may be configured elsewhere.
pub(super) fn check_pipelines_kafka(inv: &Inventory, out: &mut Out) {
    if !inv.install.known || inv.install.kafka_bootstrap.is_some() {
        return;
    }
    let mut first: BTreeMap<&str, (usize, &Origin, &str)> = BTreeMap::new();
    for l in &inv.pipelines {
        let ns = l.object.namespace();
        first
            .entry(ns)
            .and_modify(|e| e.0 += 1)
            .or_insert((1, &l.origin, l.object.name()));
    }
    for (ns, (count, origin, name)) in first {
        let more = match count {
            1 => String::new(),
            2 => " (and 1 more Pipeline)".to_string(),
            n => format!(" (and {} more Pipelines)", n - 1),
        };
        out.report(
            &PIPELINES_WITHOUT_KAFKA,
            origin,
            "name",
            format!(
                "Pipeline {name:?}{more} in namespace {ns:?} needs Kafka, but the Seldon install sets no kafka.bootstrap: the dataflow engine, pipeline gateway and model gateway fall back to the setup chart's {SETUP_KAFKA_BOOTSTRAP}, so no Pipeline would become Ready"
            ),
            "set the setup chart's kafka.bootstrap (seldon.kafka.bootstrap in a gen profile) to your Kafka's bootstrap servers, or remove the Pipelines",
        );
    }
}
