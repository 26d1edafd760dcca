//! Provenance: which files a report was made from, each with its SHA-256, so a monthly
//! report can be checked and reproduced (docs/files.md#provenance).
//!
//! A bottom piece: it imports nothing of the pipeline, and every step that reads a file
//! makes its [`FileDigest`] here, with one of the two constructors.

use serde::Serialize;
use sha2::{Digest, Sha256};

/// A file that was read, with its SHA-256, for the report's provenance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileDigest {
    /// What the file is: `audit`, `customers`, `management`, `shoppers`, `form`, ...
    pub role: String,
    /// The path as written in the audit (relative to it), or as given on the command line.
    pub path: String,
    /// Hex SHA-256 of the bytes read.
    pub sha256: String,
}

impl FileDigest {
    /// The digest of a file read whole into `bytes`.
    pub fn of_bytes(role: &str, path: impl Into<String>, bytes: &[u8]) -> FileDigest {
        FileDigest::hashed(role, path, sha256_hex(bytes))
    }

    /// The digest of a file whose hex SHA-256 was computed while it was streamed.
    pub fn hashed(role: &str, path: impl Into<String>, sha256: String) -> FileDigest {
        FileDigest {
            role: role.to_string(),
            path: path.into(),
            sha256,
        }
    }
}

/// Hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Lower-case hex of a digest.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The tool and the files a report was made from, so it can be checked and reproduced.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Provenance {
    /// `servqual`.
    pub tool: &'static str,
    /// The version of servqual that made the report.
    pub tool_version: &'static str,
    /// Every file read, with its SHA-256.
    pub files: Vec<FileDigest>,
    /// When the report was made (UTC, RFC 3339); only with `--timestamp`, so that
    /// identical inputs give byte-identical reports by default.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub generated_at: Option<String>,
}

impl Provenance {
    /// Provenance of this build of the tool over `files`.
    pub fn new(files: Vec<FileDigest>) -> Self {
        Provenance {
            tool: env!("CARGO_PKG_NAME"),
            tool_version: env!("CARGO_PKG_VERSION"),
            files,
            generated_at: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digest_of_known_bytes() {
        // SHA-256("abc") from FIPS 180-2, appendix B.1.
        let d = FileDigest::of_bytes("audit", "a.yaml", b"abc");
        assert_eq!(
            d.sha256,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!((d.role.as_str(), d.path.as_str()), ("audit", "a.yaml"));
    }
}
