//! Pipelines in an install without Kafka (FACTS §9.6).

use std::collections::BTreeMap;

use super::{Inventory, Out};
use crate::catalog::SETUP_KAFKA_BOOTSTRAP;

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
    let mut first: BTreeMap<&str, (usize, &str, &str)> = BTreeMap::new();
    for l in &inv.pipelines {
        let ns = l.object.namespace();
        first
            .entry(ns)
            .and_modify(|e| e.0 += 1)
            .or_insert((1, l.origin.as_str(), l.object.name()));
    }
    for (ns, (count, origin, name)) in first {
        let more = match count {
            1 => String::new(),
            2 => " (and 1 more Pipeline)".to_string(),
            n => format!(" (and {} more Pipelines)", n - 1),
        };
        out.error(
            "pipelines-without-kafka",
            origin,
            "name",
            format!(
                "Pipeline {name:?}{more} in namespace {ns:?} needs Kafka, but the Seldon install sets no kafka.bootstrap: the dataflow engine, pipeline gateway and model gateway fall back to the setup chart's {SETUP_KAFKA_BOOTSTRAP}, so no Pipeline would become Ready"
            ),
            "set the setup chart's kafka.bootstrap (seldon.kafka.bootstrap in a gen profile) to your Kafka's bootstrap servers, or remove the Pipelines",
        );
    }
}
