//! Tracing that exports to a collector nobody installed (FACTS §9.4).

use super::{Inventory, Out};
use crate::catalog::SETUP_TRACING_ENDPOINT;

/// Tracing is on by default: every component of a runtime (and the agent of every Server)
/// exports spans to the SeldonConfig's endpoint, which the setup chart sets to the
/// placeholder `seldon-collector.seldon-mesh:4317` that no Seldon chart installs. The
/// setup chart's `opentelemetry.disable` does not reach a runtime
/// (`TracingConfig.addDefaults` copies the endpoint, protocol and ratio, not `disable`).
/// The components keep running and drop the spans, so this is a warning. A ratio that is
/// not a number stops every component at start (`tracing.NewTraceProvider` fails, the
/// binaries exit): an error.
pub(super) fn check_tracing(inv: &Inventory, out: &mut Out) {
    for rt in &inv.runtimes {
        let ns = rt.object.namespace();
        let tracing = rt
            .object
            .spec
            .config
            .as_ref()
            .and_then(|c| c.tracing_config.as_ref());
        if tracing.is_some_and(|t| t.disable == Some(true)) {
            continue;
        }
        if let Some(ratio) = tracing.and_then(|t| t.ratio.as_deref())
            && ratio.trim().parse::<f64>().is_err()
        {
            out.error(
                "tracing-ratio",
                &rt.origin,
                "config.tracingConfig.ratio",
                format!(
                    "SeldonRuntime in namespace {ns:?} has tracing ratio {ratio:?}, which is not a number: with tracing on, every Seldon component parses it at start and exits when it cannot"
                ),
                "write the ratio as a number between 0 and 1 in a string, e.g. \"0.1\"",
            );
        }
        let endpoint = tracing
            .and_then(|t| t.otel_exporter_endpoint.as_deref())
            .filter(|e| !e.is_empty())
            .unwrap_or(&inv.install.tracing_endpoint);
        if endpoint == SETUP_TRACING_ENDPOINT {
            out.warning(
                "tracing-collector",
                &rt.origin,
                "config.tracingConfig",
                format!(
                    "SeldonRuntime in namespace {ns:?} traces to {SETUP_TRACING_ENDPOINT}, the setup chart's placeholder collector, which no Seldon chart installs: tracing is on unless the runtime disables it (the setup chart's opentelemetry.disable does not reach runtimes), so every component exports spans to an address that does not answer"
                ),
                "set config.tracingConfig.disable: true on the SeldonRuntime, or config.tracingConfig.otelExporterEndpoint to your collector (host:port)",
            );
        }
    }
}
