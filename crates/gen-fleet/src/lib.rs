//! Fleets: the bundles of a profile's environments, seen as the engines apply them.
//!
//! - [`objects`] reads the objects of a rendered bundle back from its files;
//! - [`landing`] follows Argo CD and Flux from the folders applied by hand to every object
//!   they put on each cluster (charts included);
//! - [`collide`] finds an object that two environments or bundles put on one cluster;
//! - [`diff`] compares two environments' bundles object by object: what promoting one to
//!   the other would change.
//!
//! Everything here works on rendered files, so it holds for any bundle gen wrote, and the
//! tests check the engines' own logic over the rendered objects. [`landings_in`] also
//! takes a bundle known without its text (each object's file and identity, the content of
//! the objects that apply others, each folder's kustomization resources): gen's own
//! collision check builds that from its plans, so a large fleet is never read back.

pub mod collide;
pub mod diff;
pub mod landing;
pub mod objects;

pub use collide::{Collision, collisions};
pub use diff::{Change, FieldChange, Promotion, diff};
pub use landing::{IN_CLUSTER, Landing, Layout, contested_in, is_applier, landings, landings_in};
pub use objects::{Id, Object, ObjectsError, objects};
