//! The lock that keeps two imports of one data file apart.

#[cfg(unix)]
use std::fs::File;
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
                let mut file = OpenOptions::new()
                    .read(true)
                    .write(true)
                    .create(true)
                    .truncate(false)
                    .open(&path)
                    .map_err(io_problem)?;
                match flock(&file, FlockOperation::NonBlockingLockExclusive) {
                    Ok(()) => {}
                    Err(e) if e == rustix::io::Errno::WOULDBLOCK => {
                        let mut holder = String::new();
                        let _ = file.read_to_string(&mut holder);
                        return Err(held(holder));
                    }
                    Err(e) => return Err(io_problem(e.into())),
                }
                let same = match (file.metadata(), std::fs::metadata(&path)) {
                    (Ok(a), Ok(b)) => a.ino() == b.ino() && a.dev() == b.dev(),
                    _ => false,
                };
                if same {
                    // The pid tells the user which process to look for.
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
