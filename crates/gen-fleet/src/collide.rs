//! Collisions: one object put on one cluster by two appliers. Argo CD would show the
//! object as shared by two Applications and each would overwrite the other's version;
//! Helm refuses to install a chart whose objects another release owns ("invalid ownership
//! metadata"), so the second Seldon CRDs or setup release on a cluster fails; Flux's
//! Kustomizations each prune what the other applies.

use std::collections::BTreeMap;

use crate::landing::Landing;
use crate::objects::Id;

/// One object that two sources put on the same cluster.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Collision<'a> {
    pub cluster: String,
    pub id: Id,
    /// The first source (in the order given) and what it applies the object with.
    pub first: (&'a str, &'a Landing),
    pub second: (&'a str, &'a Landing),
}

/// Every object that two sources (`(label, landings)`: an environment, a bundle) put on
/// one cluster, or that one source applies twice by different means; each pair once, in a
/// stable order.
pub fn collisions<'a>(sources: &'a [(String, Vec<Landing>)]) -> Vec<Collision<'a>> {
    let mut by_target: BTreeMap<(&str, &Id), Vec<(&'a str, &'a Landing)>> = BTreeMap::new();
    for (label, landings) in sources {
        for l in landings {
            by_target
                .entry((l.cluster.as_str(), &l.id))
                .or_default()
                .push((label.as_str(), l));
        }
    }
    let mut out = Vec::new();
    for ((cluster, id), appliers) in by_target {
        let Some(&first) = appliers.first() else {
            continue;
        };
        if let Some(&second) = appliers
            .iter()
            .skip(1)
            .find(|(label, l)| *label != first.0 || l.via != first.1.via)
        {
            out.push(Collision {
                cluster: cluster.to_string(),
                id: id.clone(),
                first,
                second,
            });
        }
    }
    out
}
