//! The templates shipped inside the binary (the files in `templates/`).
//!
//! They are compiled in so that `servqual init` and `instrument: servqual-22` work from
//! an installed binary, with no data folder to find.

use serde::Deserialize;

use super::raw::RawScale;
use crate::i18n::Text;

/// What a template is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// An item set (questionnaire).
    Instrument,
    /// A mystery-shop form.
    Form,
    /// The action library of the checklist.
    Actions,
    /// A Kano questionnaire.
    Kano,
}

/// One built-in template file.
#[derive(Debug)]
pub struct Template {
    /// Name used on the command line and in audits.
    pub name: &'static str,
    /// What it is.
    pub kind: Kind,
    /// The YAML text.
    pub source: &'static str,
}

/// Every built-in template, in the order `servqual templates` lists them.
pub const TEMPLATES: &[Template] = &[
    Template {
        name: "servqual-22",
        kind: Kind::Instrument,
        source: include_str!("../../templates/servqual-22.yaml"),
    },
    Template {
        name: "form-retail",
        kind: Kind::Form,
        source: include_str!("../../templates/form-retail.yaml"),
    },
    Template {
        name: "form-call-centre",
        kind: Kind::Form,
        source: include_str!("../../templates/form-call-centre.yaml"),
    },
    Template {
        name: "actions",
        kind: Kind::Actions,
        source: include_str!("../../templates/actions.yaml"),
    },
    Template {
        name: "kano",
        kind: Kind::Kano,
        source: include_str!("../../templates/kano.yaml"),
    },
];

/// The template called `name`.
pub fn find(name: &str) -> Option<&'static Template> {
    TEMPLATES.iter().find(|t| t.name == name)
}

/// Title and description shared by every template file.
#[derive(Debug, Deserialize)]
pub struct Header {
    /// Title.
    pub title: Text,
    /// One or two sentences on what it is for.
    pub description: Text,
}

/// A template's header, for listings.
pub fn header(template: &Template) -> Result<Header, serde_yaml::Error> {
    serde_yaml::from_str(template.source)
}

/// An instrument template: scale and items.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Instrument {
    /// Template name.
    pub template: String,
    /// Always `instrument`.
    pub kind: String,
    /// Title.
    pub title: Text,
    /// Description.
    pub description: Text,
    /// Scale the items were written for.
    pub scale: RawScale,
    /// Items.
    pub items: Vec<InstrumentItem>,
}

/// An item of an instrument template.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InstrumentItem {
    /// Item id.
    pub id: String,
    /// Dimension id.
    pub dimension: String,
    /// Statement.
    pub text: Text,
    /// Short label shown beside the id.
    #[serde(default)]
    pub short: Option<Text>,
    /// Negatively worded.
    #[serde(default)]
    pub reverse: bool,
}

/// The instrument template called `name`, if there is one.
pub fn instrument(name: &str) -> Option<Instrument> {
    let template = find(name).filter(|t| t.kind == Kind::Instrument)?;
    // Built-in files are checked by a unit test, so a parse failure cannot ship.
    serde_yaml::from_str(template.source).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_parses() {
        for t in TEMPLATES {
            header(t).unwrap_or_else(|e| panic!("{}: {e}", t.name));
            if t.kind == Kind::Instrument {
                let i: Instrument = serde_yaml::from_str(t.source).unwrap();
                assert_eq!(i.template, t.name);
            }
        }
    }

    #[test]
    fn servqual_22_has_the_1991_structure() {
        let i = instrument("servqual-22").unwrap();
        let count = |d: &str| i.items.iter().filter(|it| it.dimension == d).count();
        assert_eq!(i.items.len(), 22);
        assert_eq!(count("tangibles"), 4);
        assert_eq!(count("reliability"), 5);
        assert_eq!(count("responsiveness"), 4);
        assert_eq!(count("professionalism"), 4);
        assert_eq!(count("empathy"), 5);
        assert!(i.items.iter().all(|it| it.text.zh.is_some()));
    }
}
