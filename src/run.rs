//! The pipeline: read every source an audit names into accumulators, then analyse.
//!
//! `validate` and `report` share it, so what validate accepts, report can run.

use std::path::Path;

use crate::analysis::customers::{CustomerAccumulator, ManagementAccumulator};
use crate::analysis::gaps;
use crate::analysis::segments::{self, segment_column, SegmentAccumulators};
use crate::analysis::shoppers::ShopperAccumulator;
use crate::analysis::trend::{self, Baseline};
use crate::definition::form::{load_form, Form};
use crate::definition::Audit;
use crate::problem::{Problem, Problems};
use crate::report::{Provenance, Report};
use crate::sources::chunked::Tuning;
use crate::sources::hashing::sha256_hex;
use crate::sources::survey::{read_survey_into, SurveyKind, SurveyRead};
use crate::sources::visits::{read_visits, VisitsRead};
use crate::sources::FileDigest;

/// Everything read from an audit's sources.
#[derive(Debug)]
pub struct SourceData {
    /// The customer survey, all respondents.
    pub customers: Option<(CustomerAccumulator, SurveyRead)>,
    /// The management survey.
    pub management: Option<(ManagementAccumulator, SurveyRead)>,
    /// The mystery-shopper visits, with the form they were scored on.
    pub shoppers: Option<ShopperData>,
    /// Provenance of every file read, audit first.
    pub files: Vec<FileDigest>,
    /// The customer survey per segment, when `--by` was given.
    pub segments: Option<SegmentAccumulators>,
}

/// The mystery-shopper source as read.
#[derive(Debug)]
pub struct ShopperData {
    /// The checked form.
    pub form: Form,
    /// Provenance of the form.
    pub form_digest: FileDigest,
    /// Sums over the visits.
    pub visits: ShopperAccumulator,
    /// What reading the visits file found out.
    pub read: VisitsRead,
}

/// Loads the form of the shopper source, then reads its visits.
fn read_shoppers(
    audit: &Audit,
    source: &crate::definition::ShopperSource,
) -> Result<ShopperData, Problems> {
    let (form, form_digest) = load_form(audit, source)?;
    let mut visits = ShopperAccumulator::new(&form);
    let read = read_visits(source, &form, |v| visits.add(&form, v))?;
    Ok(ShopperData {
        form,
        form_digest,
        visits,
        read,
    })
}

/// Loads the audit at `path`, hashing the file for provenance.
pub fn load_audit(path: &Path) -> Result<(Audit, FileDigest), Problems> {
    let text = crate::yaml::read_text(path)?;
    let audit = crate::definition::load_str(path, &text)?;
    let digest = FileDigest {
        role: "audit".into(),
        path: path.display().to_string(),
        sha256: sha256_hex(text.as_bytes()),
    };
    Ok((audit, digest))
}

/// Reads every source of `audit`, collecting the problems of all of them.
pub fn read_sources(audit: &Audit, audit_digest: FileDigest) -> Result<SourceData, Problems> {
    read_sources_by(audit, audit_digest, None)
}

/// Like [`read_sources`], also splitting the customer survey into segments by `by`
/// (`site`, `region` or a column name); the whole-audit sums are the segments' merge.
pub fn read_sources_by(
    audit: &Audit,
    audit_digest: FileDigest,
    by: Option<&str>,
) -> Result<SourceData, Problems> {
    let mut problems: Vec<Problem> = Vec::new();
    let mut files = vec![audit_digest];
    let mut segmented = by.map(|b| SegmentAccumulators::new(audit, b));
    if let (Some(b), None) = (by, &audit.customers) {
        problems.push(
            Problem::new("segments need a customer survey")
                .file(&audit.path)
                .field("sources.customers")
                .found(format!("--by {b}"))
                .expected("sources.customers in the audit, or no --by"),
        );
    }
    // The visits file is read on a thread of its own while the surveys are read (which
    // use every core for a large file themselves); problems keep their order below.
    let (customers, management, shoppers) = std::thread::scope(|scope| {
        let shoppers = audit
            .shoppers
            .as_ref()
            .map(|source| scope.spawn(move || read_shoppers(audit, source)));
        let customers = audit.customers.as_ref().and_then(|source| {
            let mut acc = CustomerAccumulator::new(audit);
            let column = by.map(|b| segment_column(source, b));
            let (kind, tuning) = (SurveyKind::Customers, Tuning::from_env());
            let read = match segmented.as_mut() {
                Some(s) => read_survey_into(audit, source, kind, column.as_deref(), tuning, s),
                None => read_survey_into(audit, source, kind, None, tuning, &mut acc),
            };
            if let Some(s) = &segmented {
                acc = s.total();
            }
            match read {
                Ok(read) => Some((acc, read)),
                Err(p) => {
                    problems.extend(p.0);
                    None
                }
            }
        });
        let management = audit.management.as_ref().and_then(|source| {
            let mut acc = ManagementAccumulator::new(audit);
            let kind = SurveyKind::Management;
            match read_survey_into(audit, source, kind, None, Tuning::from_env(), &mut acc) {
                Ok(read) => Some((acc, read)),
                Err(p) => {
                    problems.extend(p.0);
                    None
                }
            }
        });
        let shoppers = shoppers.map(|handle| {
            handle.join().unwrap_or_else(|_| {
                Err(Problems::one(Problem::new(
                    "reading the shopper visits failed unexpectedly",
                )))
            })
        });
        (customers, management, shoppers)
    });
    let shoppers = shoppers.and_then(|read| match read {
        Ok(data) => Some(data),
        Err(p) => {
            problems.extend(p.0);
            None
        }
    });
    if audit.customers.is_none() && audit.management.is_none() && audit.shoppers.is_none() {
        problems.push(
            Problem::new("the audit names no data")
                .file(&audit.path)
                .field("sources")
                .expected(
                    "at least one of sources.customers, sources.management, sources.shoppers",
                ),
        );
    }
    Problems::check(problems)?;
    files.extend(customers.as_ref().map(|(_, r)| r.digest.clone()));
    files.extend(management.as_ref().map(|(_, r)| r.digest.clone()));
    if let Some(s) = &shoppers {
        files.push(s.form_digest.clone());
        files.push(s.read.digest.clone());
    }
    files.extend(audit.actions.as_ref().map(|a| FileDigest {
        role: "actions".into(),
        path: a.file.display().to_string(),
        sha256: a.sha256.clone(),
    }));
    Ok(SourceData {
        customers,
        management,
        shoppers,
        files,
        segments: segmented,
    })
}

/// Analyses what was read into a report, with segments (if read) and the trend
/// against `baseline` (if given; its digest joins the provenance).
pub fn build_report_with(
    audit: &Audit,
    data: &SourceData,
    baseline: Option<(&Baseline, FileDigest)>,
) -> Report {
    let mut report = build_report(audit, data);
    report.segments = data.segments.as_ref().map(|s| segments::analyse(audit, s));
    if let Some((baseline, digest)) = baseline {
        report.provenance.files.push(digest.clone());
        let dimensions: Vec<_> = report.dimensions.iter().map(|d| d.result.clone()).collect();
        let items: Vec<_> = report.items.iter().map(|i| i.result.clone()).collect();
        report.trend = Some(trend::compare(
            baseline,
            digest,
            &dimensions,
            &items,
            &report.servqual,
        ));
    }
    report
}

/// Analyses what was read into a report.
pub fn build_report(audit: &Audit, data: &SourceData) -> Report {
    let shopper_items = data
        .shoppers
        .as_ref()
        .map(|s| s.visits.item_levels(audit, &s.form));
    let (items, dimensions, servqual) = gaps::analyse(
        audit,
        data.customers.as_ref().map(|(a, _)| a),
        data.management.as_ref().map(|(a, _)| a),
        shopper_items.as_ref(),
    );
    let mut report = Report::new(
        audit,
        Provenance::new(data.files.clone()),
        data.customers.as_ref().map_or(0, |(a, _)| a.respondents),
        data.management.as_ref().map_or(0, |(a, _)| a.respondents),
        items,
        dimensions,
        servqual,
    );
    report.shoppers = data
        .shoppers
        .as_ref()
        .map(|s| s.visits.report(audit, &s.form));
    report
}
