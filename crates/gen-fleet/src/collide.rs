//! Collisions: one object put on one cluster by two appliers. Argo CD would show the
//! object as shared by two Applications and each would overwrite the other's version;
//! Helm refuses to install a chart whose objects another release owns ("invalid ownership
//! metadata"), so the second Seldon CRDs or setup release on a cluster fails; Flux's
//! Kustomizations each prune what the other applies.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

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
    // Each source's landings in (cluster, object) order (as `landings` gives them), merged
    // source by source: the appliers of one object on one cluster come out together, in
    // the order of the sources and of each source's landings.
    let sorted: Vec<Vec<&'a Landing>> = sources
        .iter()
        .map(|(_, landings)| {
            let mut v: Vec<&Landing> = landings.iter().collect();
            if !v.is_sorted_by_key(|l| (&l.cluster, &l.id)) {
                v.sort_by_key(|l| (&l.cluster, &l.id));
            }
            v
        })
        .collect();
    let mut heads: BinaryHeap<Reverse<(Target<'a>, usize, usize)>> = sorted
        .iter()
        .enumerate()
        .filter_map(|(s, v)| Some(Reverse((Target::of(v.first()?), s, 0))))
        .collect();
    let mut out = Vec::new();
    let mut appliers: Vec<(&'a str, &'a Landing)> = Vec::new();
    let mut current: Option<Target<'a>> = None;
    let flush = |appliers: &mut Vec<(&'a str, &'a Landing)>, out: &mut Vec<Collision<'a>>| {
        if let Some((&first, rest)) = appliers.split_first()
            && let Some(&second) = rest
                .iter()
                .find(|(label, l)| *label != first.0 || l.via != first.1.via)
        {
            out.push(Collision {
                cluster: first.1.cluster.clone(),
                id: first.1.id.clone(),
                first,
                second,
            });
        }
        appliers.clear();
    };
    while let Some(Reverse((target, s, i))) = heads.pop() {
        if current != Some(target) {
            flush(&mut appliers, &mut out);
            current = Some(target);
        }
        let landing = sorted[s][i];
        appliers.push((sources[s].0.as_str(), landing));
        if let Some(next) = sorted[s].get(i + 1) {
            heads.push(Reverse((Target::of(next), s, i + 1)));
        }
    }
    flush(&mut appliers, &mut out);
    out
}

/// An object on a cluster.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Target<'a>(&'a str, &'a Id);

impl<'a> Target<'a> {
    fn of(l: &'a Landing) -> Self {
        Target(&l.cluster, &l.id)
    }
}
