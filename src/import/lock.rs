//! The lock that keeps two imports of one data file apart.

#[cfg(unix)]
use std::fs::File;
#[cfg(not(unix))]
use std::fs::OpenOptions;
#[cfg(unix)]
use std::io::Read;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::beside;
use crate::problem::Problem;

/// An exclusive lock on a data file, held through `<data>.lock` and released on drop.
///
/// On Unix it is an advisory `flock`, which the kernel drops when the process dies, so a
/// killed import never leaves the data file locked. Elsewhere the lock file itself is the
/// lock (created exclusively); one left by a killed import must be deleted by hand.
#[derive(Debug)]
pub struct Lock {
    path: PathBuf,
    #[cfg(unix)]
    _file: File,
}

impl Lock {
    /// Takes the lock, or says who holds it.
    pub fn acquire(data: &Path) -> Result<Lock, Problem> {
        let path = beside(data, ".lock");
        let io_problem =
            |e: io::Error| Problem::new(format!("cannot create the lock file: {e}")).file(&path);
        let held = |holder: String| {
            Problem::new("another import is writing this data file")
                .file(&path)
                .found(format!("a lock held by process {}", holder.trim()))
                .expected("that import to finish, then run this one again")
        };
        #[cfg(unix)]
        {
            use rustix::fs::{flock, FlockOperation};
            use std::os::unix::fs::MetadataExt;
            // A holder may delete the file between our open and our flock; then we hold a
            // lock on a file nobody else sees, so check it is still the file at `path`.
            for _ in 0..8 {
                let mut file = open_lock_file(&path)?;
                match flock(&file, FlockOperation::NonBlockingLockExclusive) {
                    Ok(()) => {}
                    Err(e) if e == rustix::io::Errno::WOULDBLOCK => {
                        let mut holder = String::new();
                        let _ = file.read_to_string(&mut holder);
                        return Err(held(holder));
                    }
                    Err(e) => return Err(io_problem(e.into())),
                }
                // `symlink_metadata`: a link put there since our open is not our file.
                let same = match (file.metadata(), std::fs::symlink_metadata(&path)) {
                    (Ok(a), Ok(b)) => a.ino() == b.ino() && a.dev() == b.dev(),
                    _ => false,
                };
                if same {
                    // The pid tells the user which process to look for. Only our own
                    // regular file, locked by us, is ever shortened.
                    let _ = file.set_len(0);
                    let _ = writeln!(file, "{}", std::process::id());
                    return Ok(Lock { path, _file: file });
                }
            }
            Err(held(String::from("(changing hands)")))
        }
        #[cfg(not(unix))]
        {
            match OpenOptions::new().write(true).create_new(true).open(&path) {
                Ok(mut file) => {
                    let _ = writeln!(file, "{}", std::process::id());
                    Ok(Lock { path })
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                    let holder = std::fs::read_to_string(&path).unwrap_or_default();
                    Err(held(holder).expected(
                        "that import to finish; if no import is running (it was killed), delete the lock file",
                    ))
                }
                Err(e) => Err(io_problem(e)),
            }
        }
    }
}

/// Opens (or creates) the lock file at `path` without following a symbolic link and
/// without truncating anything: a link or anything but a regular file there is refused,
/// so a lock path planted in a shared folder can never make an import write elsewhere.
#[cfg(unix)]
fn open_lock_file(path: &Path) -> Result<File, Problem> {
    use rustix::fs::{Mode, OFlags};
    let refused = |what: &str| {
        Problem::new(format!(
            "the lock file is {what}; an import only locks with a regular file of its own"
        ))
        .file(path)
        .expected("no file at that path (the import creates it), or a regular file left by an earlier import")
    };
    // Checked before the open too, so that a device or a FIFO is never opened at all.
    match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => return Err(refused("a symbolic link")),
        Ok(meta) if !meta.is_file() => return Err(refused("not a regular file")),
        _ => {}
    }
    let flags =
        OFlags::RDWR | OFlags::CREATE | OFlags::NOFOLLOW | OFlags::CLOEXEC | OFlags::NONBLOCK;
    let fd = rustix::fs::open(path, flags, Mode::from_raw_mode(0o644)).map_err(|e| {
        if e == rustix::io::Errno::LOOP {
            refused("a symbolic link")
        } else {
            Problem::new(format!(
                "cannot create the lock file: {}",
                io::Error::from(e)
            ))
            .file(path)
        }
    })?;
    let file = File::from(fd);
    // Replaced between the check and the open: the open's own file is what counts.
    match file.metadata() {
        Ok(meta) if meta.is_file() => Ok(file),
        Ok(_) => Err(refused("not a regular file")),
        Err(e) => Err(Problem::new(format!("cannot create the lock file: {e}")).file(path)),
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        // Removed while still held (the file closes after this), so nobody can lock the
        // old file after we let go; see the inode check in `acquire`.
        let _ = std::fs::remove_file(&self.path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lock_is_exclusive_and_released() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("d.csv");
        let lock = Lock::acquire(&data).unwrap();
        assert!(Lock::acquire(&data).is_err());
        drop(lock);
        assert!(Lock::acquire(&data).is_ok());
    }
}
