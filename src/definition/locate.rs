//! Finding the line and column of a key path in a YAML file, for error messages.
//!
//! serde_yaml reports where a *syntax or type* error is, but checks made after
//! deserialising (weights that do not add up, duplicate ids) need the place too. We parse
//! the same text once more with marked-yaml, which keeps a span for every node.

use std::cell::OnceCell;

use marked_yaml::Node;

/// The YAML tree of one file with source positions, parsed on the first look-up.
pub struct Locator {
    text: String,
    /// Parsed only when a problem needs a place: a file without problems never pays
    /// for the second parse.
    root: OnceCell<Option<Node>>,
}

impl Locator {
    /// Keeps `text`; a text that does not parse locates nothing (serde reports it).
    pub fn new(text: &str) -> Self {
        Locator {
            text: text.to_owned(),
            root: OnceCell::new(),
        }
    }

    /// The 1-based (line, column) of the node at `path`, e.g. `items[3].dimension`, or
    /// of its nearest existing parent.
    pub fn find(&self, path: &str) -> Option<(u64, u64)> {
        let root = self
            .root
            .get_or_init(|| marked_yaml::parse_yaml(0, &self.text).ok());
        let mut node = root.as_ref()?;
        let mut best = position(node);
        for segment in segments(path) {
            let next = match segment {
                Segment::Key(key) => node.as_mapping().and_then(|m| {
                    // Point at the key itself, which is where a reader looks. Hashed,
                    // not searched: a mapping may have thousands of keys.
                    m.get_key_value(key)
                        .map(|(k, v)| (k.span().start().map(|s| (s.line(), s.column())), v))
                }),
                Segment::Index(i) => node.as_sequence().and_then(|s| s.get(i)).map(|v| (None, v)),
            };
            let Some((key_pos, child)) = next else { break };
            best = key_pos
                .map(|(l, c)| (l as u64, c as u64))
                .or_else(|| position(child))
                .or(best);
            node = child;
        }
        best
    }
}

fn position(node: &Node) -> Option<(u64, u64)> {
    node.span()
        .start()
        .map(|m| (m.line() as u64, m.column() as u64))
}

enum Segment<'a> {
    Key(&'a str),
    Index(usize),
}

fn segments(path: &str) -> Vec<Segment<'_>> {
    let mut out = Vec::new();
    for part in path.split('.').filter(|p| !p.is_empty()) {
        let (key, rest) = match part.find('[') {
            Some(i) => (&part[..i], &part[i..]),
            None => (part, ""),
        };
        if !key.is_empty() {
            out.push(Segment::Key(key));
        }
        for index in rest.split('[').filter(|s| !s.is_empty()) {
            if let Ok(i) = index.trim_end_matches(']').parse() {
                out.push(Segment::Index(i));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const YAML: &str = "audit:\n  id: x\nitems:\n  - id: T1\n    dimension: tangibles\n  - id: T2\n    dimension: tangible\n";

    #[test]
    fn finds_keys_and_sequence_items() {
        let loc = Locator::new(YAML);
        assert_eq!(loc.find("audit.id"), Some((2, 3)));
        assert_eq!(loc.find("items[1].dimension"), Some((7, 5)));
    }

    #[test]
    fn falls_back_to_nearest_parent() {
        let loc = Locator::new(YAML);
        // The item itself starts on line 6 (marked-yaml puts a mapping's start at its first
        // scalar, so only the line is asserted).
        assert_eq!(loc.find("items[1].reverse").map(|p| p.0), Some(6));
    }
}
