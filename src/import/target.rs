//! The data file an import writes to: its columns, and what each value column accepts.

use std::path::PathBuf;

use crate::definition::form::{load_form, QuestionType};
use crate::definition::{column_name, Audit, Scale};
use crate::i18n::Text;
use crate::problem::{Problem, Problems};

/// What a column of the data file holds.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Role {
    /// Respondent or visit id (the key of a row).
    Id,
    /// Site.
    Site,
    /// Date (written as `YYYY-MM-DD`).
    Date,
    /// Region.
    Region,
    /// Mystery shopper.
    Shopper,
    /// An answer.
    Value(ValueKind),
}

/// What an answer column accepts.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum ValueKind {
    /// A point on the audit's scale (E, P, A, D, M columns); labels allowed.
    Likert(Scale),
    /// Importance points, 0 to 100.
    Points,
    /// A yes/no form question.
    YesNo,
    /// A scale form question, `min..max`.
    Range(f64, f64),
}

/// A column the import can fill.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct TargetColumn {
    /// Column name in the data file, e.g. `E_T1` or `RC1`.
    pub(crate) name: String,
    /// What it holds.
    pub(crate) role: Role,
    /// Item index, for E/P/A/D/M columns.
    pub(crate) item: Option<usize>,
    /// The question text (item statement or form question), for matching exports.
    pub(crate) text: Option<Text>,
    /// For customers: `E`, `P`, `A`, `D`, `W`; `M` for management; `Q` for a form question.
    pub(crate) part: char,
}

/// Where and how the import writes.
#[derive(Debug, Clone)]
pub(crate) struct Target {
    /// `customers`, `management` or `shoppers`.
    pub(crate) source: String,
    /// The data file.
    pub(crate) file: PathBuf,
    /// Declared encoding of the data file.
    pub(crate) encoding: Option<String>,
    /// Declared delimiter.
    pub(crate) delimiter: Option<u8>,
    /// Every column the import knows, in the order a new file lists them.
    pub(crate) columns: Vec<TargetColumn>,
    /// Columns a new file always has (id, site, date, ...).
    pub(crate) fixed: usize,
}

impl Target {
    /// The target of `--source name` in `audit`.
    pub(crate) fn of(audit: &Audit, name: &str) -> Result<Target, Problems> {
        let missing = |name: &str| {
            Problem::new(format!("the audit has no `{name}` source"))
                .file(&audit.path)
                .field(format!("sources.{name}"))
                .expected("the source to import into, declared in the audit")
        };
        let fixed = |id: &str, site: &str, date: &str| {
            vec![
                TargetColumn::meta(id, Role::Id),
                TargetColumn::meta(site, Role::Site),
                TargetColumn::meta(date, Role::Date),
            ]
        };
        let item_column = |pattern: &str, i: usize, part: char| TargetColumn {
            name: column_name(pattern, &audit.items[i].id),
            role: Role::Value(ValueKind::Likert(audit.scale)),
            item: Some(i),
            text: Some(audit.items[i].text.clone()),
            part,
        };
        // Each source: where its data file is and the columns it has.
        let (file, encoding, delimiter, columns, fixed) = match name {
            "customers" => {
                let s = audit.customers.as_ref().ok_or_else(|| missing(name))?;
                let mut columns = fixed(&s.id_column, &s.site_column, &s.date_column);
                let fixed_len = columns.len();
                // E and P side by side per item, as `servqual init` writes them.
                for i in 0..audit.items.len() {
                    columns.push(item_column(&s.patterns.expected, i, 'E'));
                    columns.push(item_column(&s.patterns.perceived, i, 'P'));
                }
                for i in 0..audit.items.len() {
                    columns.push(item_column(&s.patterns.adequate, i, 'A'));
                    columns.push(item_column(&s.patterns.desired, i, 'D'));
                }
                for d in &audit.dimensions {
                    columns.push(TargetColumn {
                        name: column_name(&s.patterns.importance, &d.id),
                        role: Role::Value(ValueKind::Points),
                        item: None,
                        text: None,
                        part: 'W',
                    });
                }
                columns.push(TargetColumn::meta(&s.region_column, Role::Region));
                (&s.file, &s.encoding, s.delimiter, columns, fixed_len)
            }
            "management" => {
                let s = audit.management.as_ref().ok_or_else(|| missing(name))?;
                let mut columns = fixed(&s.id_column, &s.site_column, &s.date_column);
                let fixed_len = columns.len();
                for i in 0..audit.items.len() {
                    columns.push(item_column(&s.patterns.management, i, 'M'));
                }
                columns.push(TargetColumn::meta(&s.region_column, Role::Region));
                (&s.file, &s.encoding, s.delimiter, columns, fixed_len)
            }
            "shoppers" => {
                let s = audit.shoppers.as_ref().ok_or_else(|| missing(name))?;
                let mut columns = vec![
                    TargetColumn::meta(&s.id_column, Role::Id),
                    TargetColumn::meta(&s.shopper_column, Role::Shopper),
                    TargetColumn::meta(&s.site_column, Role::Site),
                    TargetColumn::meta(&s.date_column, Role::Date),
                ];
                let fixed_len = columns.len();
                // The form the report scores with decides what each question accepts.
                let (form, _) = load_form(audit, s)?;
                columns.extend(form.questions.into_iter().map(|q| TargetColumn {
                    name: q.id,
                    role: Role::Value(match q.kind {
                        QuestionType::YesNo => ValueKind::YesNo,
                        QuestionType::Scale { min, max } => ValueKind::Range(min, max),
                    }),
                    item: None,
                    text: Some(q.text),
                    part: 'Q',
                }));
                (&s.file, &s.encoding, s.delimiter, columns, fixed_len)
            }
            other => {
                return Err(Problem::new("unknown source")
                    .field("--source")
                    .found(other)
                    .expected("customers, management or shoppers")
                    .into())
            }
        };
        Ok(Target {
            source: name.into(),
            file: file.clone(),
            encoding: encoding.clone(),
            delimiter,
            columns,
            fixed,
        })
    }

    /// The column called `name`, if the import knows it.
    pub(crate) fn column(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.name == name)
    }
}

impl TargetColumn {
    /// An id/site/date/... column.
    fn meta(name: &str, role: Role) -> TargetColumn {
        TargetColumn {
            name: name.to_string(),
            role,
            item: None,
            text: None,
            part: '-',
        }
    }
}
