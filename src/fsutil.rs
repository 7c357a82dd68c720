//! Files that must never be half-written: one atomic write for the state, its backups,
//! saved plans, the simulator's cloud and formatted configuration. Nothing is written
//! through a symbolic link: a repository can commit one pointing anywhere, and a CI run
//! would then overwrite its target. Must not decide where files go: callers pass paths.

use anyhow::Context;
use std::fs::OpenOptions;
use std::io::Write;
use std::path::Path;

/// Refuse `path` if it is a symbolic link.
pub fn refuse_link(path: &Path) -> anyhow::Result<()> {
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => anyhow::bail!(
            "{} is a symbolic link; maform does not write through links (remove the link, or put the real file there)",
            path.display()
        ),
        _ => Ok(()),
    }
}

/// Options that create files private to their owner and never follow a final symbolic
/// link (opening one fails instead).
pub fn private(opts: &mut OpenOptions) -> &mut OpenOptions {
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600).custom_flags(libc::O_NOFOLLOW);
    }
    opts
}

/// Write `bytes` to `path` so that a reader sees either the old or the new content, never
/// a mix: a temporary file in the same directory, fsync, rename, fsync of the directory.
/// New files are created mode 0600: states and the simulator's cloud can hold secrets.
pub fn atomic_write(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    refuse_link(path)?;
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("state");
    // A fresh name, created exclusively: nothing already there is followed or reused.
    let tmp = dir.join(format!(".{name}.tmp.{}", uuid::Uuid::new_v4().simple()));
    let mut f = private(OpenOptions::new().write(true).create_new(true))
        .open(&tmp)
        .with_context(|| format!("cannot write {}", tmp.display()))?;
    let res = f.write_all(bytes).and_then(|_| f.sync_all());
    if let Err(e) = res {
        let _ = std::fs::remove_file(&tmp);
        return Err(e).with_context(|| format!("cannot write {}", tmp.display()));
    }
    drop(f);
    std::fs::rename(&tmp, path).with_context(|| format!("cannot replace {}", path.display()))?;
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_whole_files_with_private_permissions() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("sub/state.json");
        atomic_write(&p, b"one").unwrap();
        atomic_write(&p, b"two").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"two");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&p).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let leftovers: Vec<_> = std::fs::read_dir(p.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(leftovers.len(), 1, "no temporary file left: {leftovers:?}");
    }

    #[cfg(unix)]
    #[test]
    fn links_are_never_written_through() {
        let d = tempfile::tempdir().unwrap();
        let victim = d.path().join("victim.txt");
        std::fs::write(&victim, "precious").unwrap();
        let link = d.path().join("state.json");
        std::os::unix::fs::symlink(&victim, &link).unwrap();
        let e = atomic_write(&link, b"x").unwrap_err().to_string();
        assert!(e.contains("is a symbolic link"), "{e}");
        let opened = private(OpenOptions::new().write(true).create(true)).open(&link);
        assert!(opened.is_err(), "opening through a link fails");
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
    }
}
