//! Skipping a render that cannot change anything.
//!
//! After `gen render` writes a bundle, it records on the bundle folder (as the extended
//! attribute `user.gen.render`, which git does not track) a fingerprint of: the `gen`
//! binary (size and modification time), the profile's bytes, and every file in the folder
//! (path, size, modification time; the write records these from the files it has open, so
//! storing the fingerprint costs no second walk). The next `gen render` of the same
//! profile reads the profile, finds the folder by the profile's top-level `name:` and, if
//! the fingerprint still matches, writes nothing and returns at once: the output is a pure
//! function of binary and profile, and no file was touched since. Anything else (another
//! binary, an edited profile or file, a new or removed file, no xattr support) renders as
//! usual. `gen check` never uses it.

use std::hash::{Hash, Hasher};

use camino::Utf8Path;

use crate::write::{Changes, FilesPrint};

const ATTRIBUTE: &str = "user.gen.render";

/// The bundle name from a top-level `name:` line, without parsing the YAML. A wrong guess
/// only misses the cache: the fingerprint covers the profile's exact bytes.
fn guess_name(profile: &[u8]) -> Option<&str> {
    let text = std::str::from_utf8(profile).ok()?;
    text.lines().find_map(|l| {
        let v = l
            .strip_prefix("name:")?
            .split('#')
            .next()?
            .trim()
            .trim_matches(['"', '\'']);
        gen_seldon::names::is_label(v).then_some(v)
    })
}

/// The print of every file below `dir`.
fn walk(dir: &Utf8Path) -> Option<FilesPrint> {
    let mut print = FilesPrint::default();
    crate::write::walk_files(dir, |rel, entry| {
        print.add(&rel, &entry.path().symlink_metadata()?)
    })
    .ok()?;
    Some(print)
}

/// Fingerprint of the binary, the profile and the files of the bundle.
fn fingerprint(profile: u64, files: FilesPrint) -> Option<u64> {
    let mut h = std::hash::DefaultHasher::new();
    let exe = std::fs::metadata(std::env::current_exe().ok()?).ok()?;
    exe.len().hash(&mut h);
    exe.modified().ok()?.hash(&mut h);
    profile.hash(&mut h);
    (files.sum, files.count).hash(&mut h);
    Some(h.finish())
}

#[cfg(target_os = "linux")]
fn read_attribute(dir: &Utf8Path) -> Option<String> {
    let path = std::ffi::CString::new(dir.as_str()).ok()?;
    let name = std::ffi::CString::new(ATTRIBUTE).ok()?;
    let mut buf = [0u8; 64];
    // SAFETY: both strings are NUL-terminated and the buffer length is passed.
    let n = unsafe {
        libc::getxattr(
            path.as_ptr(),
            name.as_ptr(),
            buf.as_mut_ptr().cast(),
            buf.len(),
        )
    };
    let n = usize::try_from(n).ok()?;
    String::from_utf8(buf[..n].to_vec()).ok()
}

#[cfg(target_os = "linux")]
fn write_attribute(dir: &Utf8Path, value: &str) {
    let (Ok(path), Ok(name)) = (
        std::ffi::CString::new(dir.as_str()),
        std::ffi::CString::new(ATTRIBUTE),
    ) else {
        return;
    };
    // SAFETY: both strings are NUL-terminated and the value length is passed. A failure
    // (no xattr support) only means no cache.
    unsafe {
        libc::setxattr(
            path.as_ptr(),
            name.as_ptr(),
            value.as_ptr().cast(),
            value.len(),
            0,
        );
    }
}

#[cfg(not(target_os = "linux"))]
fn read_attribute(_: &Utf8Path) -> Option<String> {
    None
}

#[cfg(not(target_os = "linux"))]
fn write_attribute(_: &Utf8Path, _: &str) {}

/// A hash of the profile's bytes, for [`store`] once the bytes are gone.
pub fn profile_hash(profile: &[u8]) -> u64 {
    let mut h = std::hash::DefaultHasher::new();
    profile.hash(&mut h);
    h.finish()
}

/// The result of a render that can be skipped: the bundle name and no changes.
/// `profile_hash` is [`profile_hash`] of `profile`.
pub fn lookup(out_root: &Utf8Path, profile: &[u8], profile_hash: u64) -> Option<(String, Changes)> {
    let name = guess_name(profile)?;
    let dir = out_root.join(name);
    let stored = read_attribute(&dir)?;
    let files = walk(&dir)?;
    let print = fingerprint(profile_hash, files)?;
    (stored == format!("{print:016x}")).then(|| {
        (
            name.to_string(),
            Changes {
                unchanged: files.count,
                skipped: true,
                ..Changes::default()
            },
        )
    })
}

/// Record the fingerprint of a bundle just written, whose files the write listed.
pub fn store(out_root: &Utf8Path, name: &str, profile_hash: u64, written: &Changes) {
    if let Some(print) = fingerprint(profile_hash, written.files) {
        write_attribute(&out_root.join(name), &format!("{print:016x}"));
    }
}
