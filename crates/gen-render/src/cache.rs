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
//!
//! Modification times have the granularity of the filesystem's clock (a kernel tick on
//! many systems), so a file rewritten with the same size in the tick of the render that
//! wrote it would keep its size and time. As git does with its index, a fingerprint is
//! trusted only while every file is older than the fingerprint itself: the time the
//! attribute was set, read back as the folder's change time (ctime) from the same clock.
//! A render that finds a file as new as that writes as usual and sets the attribute
//! again, which moves the folder's ctime on; the render after that can skip. The
//! attribute carries a counter beside the print so that each store changes its value
//! (ext4 leaves the ctime alone when an attribute is set to the value it already has).

use std::hash::{Hash, Hasher};

use camino::Utf8Path;

use crate::write::{Changes, FilesPrint};

const ATTRIBUTE: &std::ffi::CStr = c"user.gen.render";

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
    let mut buf = [0u8; 80];
    // SAFETY: both strings are NUL-terminated and the buffer length is passed.
    let n = unsafe {
        libc::getxattr(
            path.as_ptr(),
            ATTRIBUTE.as_ptr(),
            buf.as_mut_ptr().cast(),
            buf.len(),
        )
    };
    let n = usize::try_from(n).ok()?;
    String::from_utf8(buf[..n].to_vec()).ok()
}

/// Whether the attribute could be set. A failure (no xattr support) only means no cache.
#[cfg(target_os = "linux")]
fn write_attribute(dir: &Utf8Path, value: &str) -> bool {
    let Ok(path) = std::ffi::CString::new(dir.as_str()) else {
        return false;
    };
    // SAFETY: both strings are NUL-terminated and the value length is passed.
    let status = unsafe {
        libc::setxattr(
            path.as_ptr(),
            ATTRIBUTE.as_ptr(),
            value.as_ptr().cast(),
            value.len(),
            0,
        )
    };
    status == 0
}

/// When the folder's inode last changed (the attribute's last store, or an entry added or
/// removed), on the filesystem's clock.
#[cfg(target_os = "linux")]
fn changed(dir: &Utf8Path) -> Option<std::time::SystemTime> {
    use std::os::unix::fs::MetadataExt;
    // Followed, as getxattr and setxattr follow a symlink.
    let meta = std::fs::metadata(dir).ok()?;
    let secs = u64::try_from(meta.ctime()).ok()?;
    let nanos = u32::try_from(meta.ctime_nsec()).ok()?;
    std::time::UNIX_EPOCH.checked_add(std::time::Duration::new(secs, nanos))
}

#[cfg(not(target_os = "linux"))]
fn read_attribute(_: &Utf8Path) -> Option<String> {
    None
}

#[cfg(not(target_os = "linux"))]
fn write_attribute(_: &Utf8Path, _: &str) -> bool {
    false
}

#[cfg(not(target_os = "linux"))]
fn changed(_: &Utf8Path) -> Option<std::time::SystemTime> {
    None
}

/// The attribute's value: the print and the store counter.
fn attribute_value(print: u64, counter: u32) -> String {
    format!("{print:016x} {counter}")
}

/// The print and the counter of an attribute's value.
fn parse_attribute(value: &str) -> Option<(u64, u32)> {
    let (print, counter) = value.split_once(' ')?;
    Some((u64::from_str_radix(print, 16).ok()?, counter.parse().ok()?))
}

/// Whether the bundle folder of `name` below `out_root` holds a stored fingerprint: false
/// where the filesystem keeps no extended attributes.
#[doc(hidden)]
pub fn stored(out_root: &Utf8Path, name: &str) -> bool {
    read_attribute(&out_root.join(name)).is_some()
}

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
    let (stored, _) = parse_attribute(&read_attribute(&dir)?)?;
    let files = walk(&dir)?;
    // A file as new as the fingerprint may have been rewritten within its tick.
    let settled = files.newest < Some(changed(&dir)?);
    (settled && fingerprint(profile_hash, files)? == stored).then(|| {
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

/// How long [`store`] waits at most for the filesystem's clock to pass the newest file.
const SETTLE: std::time::Duration = std::time::Duration::from_millis(25);

/// Record the fingerprint of a bundle just written, whose files the write listed.
///
/// The files just written often share the clock tick of the attribute, which would make
/// the next render a full one. So, for up to [`SETTLE`] (a few kernel ticks; a filesystem
/// with coarser times gives up and settles at its next render), the attribute is set
/// again until its time is past the newest file.
pub fn store(out_root: &Utf8Path, name: &str, profile_hash: u64, written: &Changes) {
    let dir = out_root.join(name);
    let Some(print) = fingerprint(profile_hash, written.files) else {
        return;
    };
    let mut counter = read_attribute(&dir)
        .as_deref()
        .and_then(parse_attribute)
        .map_or(0, |(_, c)| c.wrapping_add(1));
    let start = std::time::Instant::now();
    loop {
        if !write_attribute(&dir, &attribute_value(print, counter)) {
            return;
        }
        match changed(&dir) {
            Some(at) if written.files.newest < Some(at) => return,
            None => return,
            Some(_) if start.elapsed() >= SETTLE => return,
            Some(_) => std::thread::sleep(std::time::Duration::from_millis(1)),
        }
        counter = counter.wrapping_add(1);
    }
}
