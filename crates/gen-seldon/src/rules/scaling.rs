//! Server replicas under the scheduler's autoscaling (FACTS §9.3).

use super::{Inventory, Out};

/// With server autoscaling on (the setup chart's default), the scheduler asks the
/// controller to scale a Server, and the controller patches `Server.spec.replicas` to any
/// count within [minReplicas, maxReplicas] (`operator/scheduler/server.go`; an unset
/// minReplicas means 0, an unset maxReplicas no bound). The scheduler scales a Server
/// down as soon as a replica holds no model. A Server whose `replicas` is in git and whose
/// range admits other counts is then changed by the controller and set back by Argo CD
/// self-heal or Flux drift correction, forever: an error. A Server that leaves `replicas`
/// to the scheduler but sets no maxReplicas has no bound on its cost or on a quota: a
/// warning.
pub(super) fn check_server_scaling(inv: &Inventory, out: &mut Out) {
    if !inv.install.server_autoscaling {
        return;
    }
    for l in &inv.servers {
        let s = l.object;
        let spec = &s.spec;
        let positive = |v: Option<i32>| v.filter(|v| *v > 0);
        let min = positive(spec.min_replicas).unwrap_or(0);
        let max = positive(spec.max_replicas);
        match spec.replicas {
            Some(r) if r >= 0 && (min != r || max != Some(r)) => {
                let range = match max {
                    Some(max) => format!("{min} to {max}"),
                    None => format!("{min} or more (no maxReplicas)"),
                };
                out.error(
                    "server-replicas-unpinned",
                    &l.origin,
                    "replicas",
                    format!(
                        "Server {:?} sets replicas {r} but lets the scheduler scale it to {range}: server autoscaling is on in the Seldon install, so the controller patches spec.replicas whenever the scheduler asks (it scales down every replica that holds no model), and Argo CD self-heal or Flux drift correction set it back to {r}, forever",
                        s.name()
                    ),
                    if r == 0 {
                        // maxReplicas 0 means no bound, so 0 cannot be pinned.
                        "a Server cannot be pinned at 0 replicas (maxReplicas 0 means no bound): remove the Server, or turn server autoscaling off in the setup values (autoscaling.autoscalingServerEnabled: false)".to_string()
                    } else {
                        format!(
                            "pin minReplicas and maxReplicas to {r} for a fixed count, or drop replicas and let minReplicas and maxReplicas bound the autoscaling"
                        )
                    },
                );
            }
            None if max.is_none() => out.warning(
                "server-replicas-unbounded",
                &l.origin,
                "maxReplicas",
                format!(
                    "Server {:?} autoscales without maxReplicas: the scheduler may scale it to as many replicas as its largest Model asks for, so neither its cost nor its namespace's quota has a bound",
                    s.name()
                ),
                "set maxReplicas (and minReplicas) to bound the autoscaling, or pin replicas = minReplicas = maxReplicas",
            ),
            _ => {}
        }
    }
}
