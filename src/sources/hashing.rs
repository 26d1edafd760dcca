//! SHA-256 of a file computed while it is read, so provenance costs no second pass.

use std::cell::RefCell;
use std::io::Read;
use std::path::Path;
use std::rc::Rc;

use sha2::{Digest, Sha256};

// Transitional re-export: the digest type lives in `crate::provenance`.
use crate::provenance::hex;
pub use crate::provenance::{sha256_hex, FileDigest};

/// The digest shared between a [`HashingReader`] and whoever asks for it at the end.
#[derive(Clone, Default)]
pub(crate) struct SharedHasher(Rc<RefCell<Sha256>>);

impl SharedHasher {
    /// The hex digest of everything read so far.
    pub fn hex(&self) -> String {
        hex(&self.0.borrow().clone().finalize())
    }
}

/// A reader that feeds every byte it passes through into a SHA-256.
pub(crate) struct HashingReader<R> {
    inner: R,
    hasher: SharedHasher,
}

impl<R: Read> HashingReader<R> {
    /// Wraps `inner`; read the digest from the returned [`SharedHasher`] after EOF.
    pub fn new(inner: R) -> (Self, SharedHasher) {
        let hasher = SharedHasher::default();
        (
            HashingReader {
                inner,
                hasher: hasher.clone(),
            },
            hasher,
        )
    }
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.0.borrow_mut().update(&buf[..n]);
        Ok(n)
    }
}

/// Opens `path` (a regular file) for reading through a hasher; the problem names the
/// file if it cannot.
pub(crate) fn open_hashed(
    path: &Path,
) -> Result<
    (
        HashingReader<std::io::BufReader<std::fs::File>>,
        SharedHasher,
    ),
    crate::problem::Problem,
> {
    // A FIFO, device or folder is refused here, before it could block or never end.
    let file = crate::problem::open_input(path, "cannot open file")?;
    Ok(HashingReader::new(std::io::BufReader::with_capacity(
        1 << 16,
        file,
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_of_streamed_bytes_matches_known_digest() {
        // SHA-256("abc") from FIPS 180-2, appendix B.1.
        let (mut r, h) = HashingReader::new(&b"abc"[..]);
        let mut out = Vec::new();
        r.read_to_end(&mut out).unwrap();
        assert_eq!(
            h.hex(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(sha256_hex(b"abc"), h.hex());
    }
}
