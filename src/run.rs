//! The pipeline: definition -> sources -> analysis -> report model, for the main job
//! (`report`) and for `validate`.
//!
//! Both commands load the same side inputs with [`load_side_inputs`] and read the
//! same sources with [`read_sources`], so what `validate` accepts, `report` can run.
//! Nothing here writes a file or prints: the command line turns flags into a
//! [`ReportRequest`], calls [`report`] and renders the [`Outcome`].

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use crate::analysis::checklist;
use crate::analysis::customers::{CustomerAccumulator, ManagementAccumulator};
use crate::analysis::gaps;
use crate::analysis::history::{self, PeriodResults, PeriodSums, MAX_PERIODS};
use crate::analysis::segments::{self, segment_column, SegmentAccumulators};
use crate::analysis::shoppers::ShopperAccumulator;
use crate::analysis::{ipa, trend};
use crate::definition::actions::library_for;
use crate::definition::baseline::{read_baseline, Baseline};
use crate::definition::checklist_state::{self, ChecklistState};
use crate::definition::form::{load_form, Form};
use crate::definition::gate::{self as rules_of, Rule};
use crate::definition::period::{Cadence, Period, Schedule};
use crate::definition::Audit;
use crate::i18n::Lang;
use crate::problem::{Problem, Problems};
use crate::provenance::{FileDigest, Provenance};
use crate::report::gate;
use crate::report::status::Status;
use crate::report::{Report, ReportParts, SourceRows};
use crate::sources::answers::{DateBounds, Placed};
use crate::sources::chunked::Tuning;
use crate::sources::stream::{date_problem, scan_dates, DateScan, InvalidRows, RowCounts};
use crate::sources::survey::{read_survey_into, ReadStrategy, SurveyKind, SurveyRead};
use crate::sources::text::TextOptions;
use crate::sources::visits::{read_visits, Visit, VisitSink, VisitsRead};

/// The largest chunk of a survey read in segments (`--by`), unless `SERVQUAL_CHUNK_BYTES`
/// says otherwise: 64 KiB, measured in bench/README.md.
const SEGMENT_CHUNK_LEN: usize = 64 << 10;

/// What the main job is asked for, as the command line's flags say it.
#[derive(Debug, Clone)]
pub struct ReportRequest {
    /// Segment the customer survey by `site`, `region` or a column (`--by`).
    pub by: Option<String>,
    /// An earlier JSON report to compare with (`--baseline`).
    pub baseline: Option<PathBuf>,
    /// Gate rules from the command line (`--fail-on`), after the audit's own.
    pub fail_on: Vec<String>,
    /// The checklist state file (read if it exists).
    pub checklist_state: PathBuf,
    /// Language of the checklist's words.
    pub lang: Lang,
    /// When the report was made, if it is to say so (`--timestamp`).
    pub generated_at: Option<String>,
    /// A gate rule on a value that was not measured only warns (`--allow-unmeasured`).
    pub allow_unmeasured: bool,
    /// The period to report (`--period NAME|START..END`); else the audit's own, or the
    /// latest scheduled period with dated rows.
    pub period: Option<String>,
    /// The periods of the history: the report's and the ones before it (`--history N`).
    pub history: Option<usize>,
    /// Whether invalid rows stop the run or are left out (`--skip-invalid`).
    pub invalid_rows: InvalidRows,
}

impl ReportRequest {
    /// A request for the plain report of `audit`: no segments, baseline or extra rules,
    /// the state file at its default place.
    pub fn new(audit: &Audit) -> ReportRequest {
        ReportRequest {
            by: None,
            baseline: None,
            fail_on: Vec::new(),
            checklist_state: checklist_state::default_state_path(&audit.path),
            lang: Lang::En,
            generated_at: None,
            allow_unmeasured: false,
            period: None,
            history: None,
            invalid_rows: InvalidRows::Stop,
        }
    }
}

/// What the main job produced: the report model and the gate's verdict on it.
#[derive(Debug)]
pub struct Outcome {
    /// The report every format renders.
    pub report: Report,
    /// One outcome per gate rule, audit rules first.
    pub gate: Vec<gate::Outcome>,
    /// Whether an unmeasured rule only warns.
    pub allow_unmeasured: bool,
    /// How each survey file was read (its path as written, and the strategy), for `-v`.
    pub survey_reads: Vec<(String, ReadStrategy)>,
    /// The data files whose encoding was detected rather than declared (path as written),
    /// for `-v`.
    pub detected_encodings: Vec<(String, &'static encoding_rs::Encoding)>,
    /// Every file the run read (or would have read: the state file even where it does
    /// not exist yet), so that nothing written replaces one of them.
    pub inputs: Vec<PathBuf>,
    /// Warnings for stderr (a source that cannot tell periods apart).
    pub notes: Vec<String>,
    /// The periods read, oldest first: the report's last, the history's before it.
    pub periods: Vec<Period>,
    /// The audit's metadata for the period reported (what the state file is written for).
    pub meta: crate::definition::Meta,
    /// The last day of the latest period the checklist state file has seen, if it was read.
    pub state_seen: Option<NaiveDate>,
}

impl Outcome {
    /// Why `--update-checklist` must leave the state file as it is: it has seen a period
    /// later than the one reported (docs/checklist.md#periods-seen).
    pub fn state_is_later(&self) -> Option<String> {
        let seen = self.state_seen.filter(|&day| day > self.meta.period_end)?;
        Some(format!(
            "the state file has seen the period ending {seen}, later than {} reported now",
            self.meta.period_name
        ))
    }
}

impl Outcome {
    /// Whether the gate failed (exit 1 unless `--exit-zero`): a rule breached, or a rule
    /// unmeasured unless that is allowed.
    pub fn breached(&self) -> bool {
        self.gate.iter().any(|o| self.fails(o))
    }

    /// Whether `outcome` is one that fails the gate.
    pub fn fails(&self, outcome: &gate::Outcome) -> bool {
        match outcome.status {
            gate::Status::Fail => true,
            gate::Status::Unmeasured => !self.allow_unmeasured,
            gate::Status::Pass => false,
        }
    }
}

/// The files besides the audit and its sources that a report depends on, all read and
/// checked before any source is.
#[derive(Debug)]
pub struct SideInputs {
    /// Gate rules: the audit's `thresholds.fail`, then `--fail-on`.
    pub rules: Vec<Rule>,
    /// The checklist state file, if it exists.
    pub state: Option<ChecklistState>,
    /// The baseline report and its digest, if one was asked for.
    pub baseline: Option<(Baseline, FileDigest)>,
    /// Items that are Kano must-be features.
    pub must_be: BTreeSet<String>,
    /// Digests of the Kano files read for `must_be`.
    pub kano_files: Vec<FileDigest>,
}

/// Loads every side input, listing the problems of all of them together.
pub fn load_side_inputs(
    audit: &Audit,
    fail_on: &[String],
    state_path: &Path,
    baseline: Option<&Path>,
) -> Result<SideInputs, Problems> {
    let mut problems = Vec::new();
    let mut keep = |p: Problems| problems.extend(p.0);
    let rules = rules_of::rules(audit, fail_on).map_err(&mut keep).ok();
    let state = checklist_state::read_state(state_path, &audit.meta)
        .map_err(&mut keep)
        .ok();
    let baseline = baseline
        .map(read_baseline)
        .transpose()
        .map_err(&mut keep)
        .ok();
    let kano = crate::kano::link::must_be_items(audit)
        .map_err(&mut keep)
        .ok();
    match (rules, state, baseline, kano) {
        (Some(rules), Some(state), Some(baseline), Some((must_be, kano_files)))
            if problems.is_empty() =>
        {
            Ok(SideInputs {
                rules,
                state,
                baseline,
                must_be,
                kano_files,
            })
        }
        _ => Err(Problems(problems)),
    }
}

/// Runs the main job on `audit`: side inputs, sources, analysis, the report model and
/// the gate. Every problem of the side inputs and the sources is listed together.
pub fn report(audit: &Audit, request: &ReportRequest) -> Result<Outcome, Problems> {
    let periods = choose_periods(audit, request.period.as_deref(), request.history)?;
    let audit = &audit.for_periods(&periods);
    let side = load_side_inputs(
        audit,
        &request.fail_on,
        &request.checklist_state,
        request.baseline.as_deref(),
    );
    let data = read_sources(
        audit,
        request.by.as_deref(),
        request.history.is_some(),
        request.invalid_rows,
    );
    let (side, mut data) = match (side, data) {
        (Ok(side), Ok(data)) => (side, data),
        (side, data) => {
            let problems = side.err().into_iter().chain(data.err());
            return Err(Problems(problems.flat_map(|p| p.0).collect()));
        }
    };
    let survey_reads = [
        data.customers.as_ref().map(|(_, r)| r),
        data.management.as_ref().map(|(_, r)| r),
    ]
    .into_iter()
    .flatten()
    .map(|read| (read.digest.path.clone(), read.strategy))
    .collect();
    let detected_encodings = [
        data.customers
            .as_ref()
            .map(|(_, r)| (&r.digest, r.detected_encoding)),
        data.management
            .as_ref()
            .map(|(_, r)| (&r.digest, r.detected_encoding)),
        data.shoppers
            .as_ref()
            .map(|s| (&s.read.digest, s.read.detected_encoding)),
    ]
    .into_iter()
    .flatten()
    .filter_map(|(digest, encoding)| Some((digest.path.clone(), encoding?)))
    .collect();
    // Each segment's sums are dropped as soon as it is analysed.
    let segments = data.segments.take().map(|s| segments::analyse(audit, s));
    let mut report = build_report(audit, &data, &side, request.lang, segments);
    report.provenance.generated_at = request.generated_at.clone();
    report.sources = data.source_rows();
    let mut json = gate_view(&mut report, &side.rules).map_err(|e| {
        Problems::one(Problem::new(format!(
            "the report could not be turned into JSON: {e}"
        )))
    })?;
    if let Some(sites) = gate_site_sums(audit, &side.rules, request, &data)? {
        // Seen by the gate only: the report shows segments only when --by asks for them.
        json["segments"] = as_json(&segments::analyse(audit, sites))?;
    }
    let gate = gate::evaluate(&side.rules, &json);
    let state_seen = side.state.as_ref().and_then(|s| s.latest_seen());
    let mut inputs = audit.input_files();
    inputs.push(request.checklist_state.clone());
    inputs.extend(request.baseline.clone());
    inputs.extend(side.kano_files.iter().map(|d| PathBuf::from(&d.path)));
    report.set_gate(&gate, request.allow_unmeasured);
    Ok(Outcome {
        report,
        gate,
        allow_unmeasured: request.allow_unmeasured,
        survey_reads,
        detected_encodings,
        inputs,
        notes: data.notes(),
        periods,
        meta: audit.meta.clone(),
        state_seen,
    })
}

/// The report's JSON form for the gate, which reads it by the field names of the contract.
/// Only what rules can read is turned into JSON: nothing without rules, and the segments
/// (which may be thousands) and the history only for a `site.` rule.
fn gate_view(report: &mut Report, rules: &[Rule]) -> serde_json::Result<serde_json::Value> {
    if rules.is_empty() {
        return Ok(serde_json::Value::Null);
    }
    if rules.iter().any(|r| r.per_site) {
        return serde_json::to_value(&*report);
    }
    let (segments, history) = (report.segments.take(), report.history.take());
    let json = serde_json::to_value(&*report);
    (report.segments, report.history) = (segments, history);
    json
}

/// The JSON form of (a part of) the report.
fn as_json(value: &impl serde::Serialize) -> Result<serde_json::Value, Problems> {
    serde_json::to_value(value).map_err(|e| {
        Problems::one(Problem::new(format!(
            "the report could not be turned into JSON: {e}"
        )))
    })
}

/// The customer survey summed per site for the gate's `site.` rules on customer metrics
/// (docs/gate.md#site-rules), when the report has no segments by site of its own: a
/// second pass over the customer survey, which leaves the report's numbers as they are.
/// `None` when no such rule asks for it, or the survey has no site column (the rules are
/// then unmeasured at every site).
fn gate_site_sums(
    audit: &Audit,
    rules: &[Rule],
    request: &ReportRequest,
    data: &SourceData,
) -> Result<Option<SegmentAccumulators>, Problems> {
    use crate::definition::gate::Metric;
    let wanted = rules.iter().any(|r| {
        let customers = matches!(
            r.metric,
            Metric::Unweighted | Metric::Weighted | Metric::Dimension { .. } | Metric::Item { .. }
        );
        r.per_site && customers
    });
    let has_site = data
        .customers
        .as_ref()
        .is_some_and(|(_, read)| read.has_site);
    let (true, true, false, Some(source)) = (
        wanted,
        has_site,
        request.by.as_deref() == Some("site"),
        audit.customers.as_ref(),
    ) else {
        return Ok(None);
    };
    let mut sites = SegmentAccumulators::new(audit, "site");
    let column = segment_column(source, "site");
    let (kind, invalid, tuning) = (
        SurveyKind::Customers,
        request.invalid_rows,
        Tuning::from_env(),
    );
    // The reported period alone: the rows of a history's earlier periods are not its sites'.
    let mut reported = audit.clone();
    reported.meta.earlier_periods.clear();
    read_survey_into(
        &reported,
        source,
        kind,
        Some(&column),
        invalid,
        tuning,
        &mut sites,
    )?;
    Ok(Some(sites))
}

/// What `validate` found: the audit checked and the size of every source.
#[derive(Debug)]
pub struct Validation {
    /// Everything read from the sources.
    pub data: SourceData,
    /// The period checked.
    pub period: Period,
    /// The periods checked with it (`--history N`), oldest first; empty without.
    pub earlier: Vec<Period>,
}

/// Checks `audit` and every file the main job would read (the state file at
/// `state_path`) for `period` (as [`ReportRequest::period`]) and, with `history`, the
/// periods before it (as [`ReportRequest::history`]), listing every problem;
/// reads the sources without segments, invalid rows left out with [`InvalidRows::Skip`].
pub fn validate(
    audit: &Audit,
    state_path: &Path,
    period: Option<&str>,
    history: Option<usize>,
    invalid: InvalidRows,
) -> Result<Validation, Problems> {
    let mut periods = choose_periods(audit, period, history)?;
    let audit = &audit.for_periods(&periods);
    let side = load_side_inputs(audit, &[], state_path, None);
    let data = read_sources(audit, None, history.is_some(), invalid);
    match (side, data) {
        (Ok(_), Ok(data)) => Ok(Validation {
            data,
            period: audit.meta.period(),
            earlier: {
                periods.pop();
                periods
            },
        }),
        (side, data) => {
            let problems = side.err().into_iter().chain(data.err());
            Err(Problems(problems.flat_map(|p| p.0).collect()))
        }
    }
}

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
    /// Whether invalid rows were left out rather than stopping the run.
    pub invalid_rows: InvalidRows,
    /// The sums of the periods before the report's, oldest first, with `--history`.
    pub earlier: Option<Vec<EarlierSums>>,
}

/// The sums of one period of the history before the report's own.
#[derive(Debug)]
pub struct EarlierSums {
    /// The period.
    pub period: Period,
    /// The customer survey.
    pub customers: Option<CustomerAccumulator>,
    /// The management survey.
    pub management: Option<ManagementAccumulator>,
    /// The visits.
    pub visits: Option<ShopperAccumulator>,
}

impl SourceData {
    /// The rows of every source read, by the source's name in the audit.
    pub fn source_rows(&self) -> BTreeMap<String, SourceRows> {
        let skipping = self.invalid_rows == InvalidRows::Skip;
        let rows = |c: &RowCounts| SourceRows {
            rows: c.rows,
            in_period: c.in_period,
            outside_period: c.outside_period,
            blank: c.blank,
            duplicate: c.duplicate,
            skipped: skipping.then_some(c.skipped),
        };
        let mut out = BTreeMap::new();
        if let Some((_, read)) = &self.customers {
            out.insert("customers".to_string(), rows(&read.counts));
        }
        if let Some((_, read)) = &self.management {
            out.insert("management".to_string(), rows(&read.counts));
        }
        if let Some(s) = &self.shoppers {
            out.insert("shoppers".to_string(), rows(&s.counts));
        }
        out
    }

    /// A warning for every source without a date column, whose rows all count.
    pub fn notes(&self) -> Vec<String> {
        let undated = [
            self.customers
                .as_ref()
                .filter(|(_, r)| !r.has_date)
                .map(|(_, r)| &r.digest.path),
            self.management
                .as_ref()
                .filter(|(_, r)| !r.has_date)
                .map(|(_, r)| &r.digest.path),
            self.shoppers
                .as_ref()
                .filter(|s| !s.dated)
                .map(|s| &s.read.digest.path),
        ];
        let mut notes: Vec<String> = undated
            .into_iter()
            .flatten()
            .map(|path| {
                format!("warning: {path} has no date column: every row counts, in every period")
            })
            .collect();
        notes.extend(self.perception_only_note());
        notes.extend(self.row_notes());
        notes
    }

    /// Says that the customer survey is perception-only, which the report is then about.
    fn perception_only_note(&self) -> Option<String> {
        let (customers, read) = self.customers.as_ref()?;
        customers.is_perception_only().then(|| {
            format!(
                "note: {} has perceptions (P) and no expectations (E): a perception-only (SERVPERF) audit",
                read.digest.path
            )
        })
    }

    /// The warnings about single rows of every source (repeated, left out), and how many
    /// rows each source left out.
    fn row_notes(&self) -> Vec<String> {
        let surveys = [
            self.customers.as_ref().map(|(_, r)| r),
            self.management.as_ref().map(|(_, r)| r),
        ];
        let mut notes = Vec::new();
        let of_surveys = surveys
            .into_iter()
            .flatten()
            .map(|r| (&r.digest.path, &r.notes, r.counts.skipped));
        let of_visits = self.shoppers.iter().map(|s| {
            let (read, skipped) = (&s.read, s.counts.skipped);
            (&read.digest.path, &read.notes, skipped)
        });
        for (path, row_notes, skipped) in of_surveys.chain(of_visits) {
            notes.extend(row_notes.lines(path));
            if skipped > 0 {
                notes.push(format!(
                    "warning: {path}: {skipped} invalid rows left out (--skip-invalid)"
                ));
            }
        }
        notes
    }
}

/// The period a run is about: `asked` (`--period`: a name of the audit's schedule, or of
/// calendar months, quarters and years without one, or `START..END`), else the audit's
/// `period`, else the latest scheduled period with dated rows. Only that last case reads
/// the sources' date columns in a pass of their own (docs/files.md#periods).
pub fn choose_period(audit: &Audit, asked: Option<&str>) -> Result<Period, Problems> {
    let schedules = match audit.meta.schedule {
        Some(s) => vec![s],
        None => [Cadence::Monthly, Cadence::Quarterly, Cadence::Yearly]
            .map(Schedule::calendar)
            .to_vec(),
    };
    if let Some(text) = asked {
        let example = schedules.first().map(Schedule::example).unwrap_or_default();
        return schedules.iter().find_map(|s| s.parse(text)).ok_or_else(|| {
            Problems::one(
                Problem::new("not a period")
                    .field("--period")
                    .found(text)
                    .expected(format!(
                        "a period such as {example}, or START..END (YYYY-MM-DD..YYYY-MM-DD)"
                    )),
            )
        });
    }
    if let Some(fixed) = &audit.meta.fixed_period {
        return Ok(fixed.clone());
    }
    let latest = latest_dated_row(audit);
    let schedule = schedules.first();
    latest
        .zip(schedule)
        .and_then(|(day, s)| s.period_of(day))
        .ok_or_else(|| {
            let example = schedule.map(Schedule::example).unwrap_or_default();
            Problems::one(
                Problem::new("no dated rows to choose the period by")
                    .file(&audit.path)
                    .field("audit.schedule")
                    .expected(format!(
                        "--period NAME (e.g. {example}), or rows with dates"
                    )),
            )
        })
}

/// The periods a run with `history` (`--history N`) reads: the N periods of the
/// schedule ending with the one [`choose_period`] chooses, oldest first; without
/// `history`, that period alone. A history needs a schedule to step back in: the
/// audit's, or the calendar's that `asked` names a period of.
pub fn choose_periods(
    audit: &Audit,
    asked: Option<&str>,
    history: Option<usize>,
) -> Result<Vec<Period>, Problems> {
    let last = choose_period(audit, asked)?;
    let Some(n) = history else {
        return Ok(vec![last]);
    };
    let calendar = [Cadence::Monthly, Cadence::Quarterly, Cadence::Yearly].map(Schedule::calendar);
    let schedule = match (asked, audit.meta.schedule) {
        (Some(text), _) if text.contains("..") => None,
        (_, Some(own)) => Some(own),
        (Some(text), None) => calendar.into_iter().find(|s| s.parse(text).is_some()),
        (None, None) => None,
    };
    let Some(schedule) = schedule else {
        let problem = match asked {
            Some(text) => Problem::new(format!(
                "--history {n} needs a period of a schedule: a START..END range has no period before it"
            ))
            .field("--period")
            .found(text),
            None => Problem::new(format!(
                "--history {n} needs a schedule to step back period by period: the audit names one fixed period"
            ))
            .file(&audit.path)
            .field("audit.period")
            .found(last.name.clone()),
        };
        let expected = "audit.schedule (monthly, quarterly or yearly), or --period naming a \
month, quarter or year (e.g. --period 2026-10)";
        return Err(Problems::one(problem.expected(expected)));
    };
    Ok(schedule.history(&last, n.clamp(1, MAX_PERIODS)))
}

/// The audit for the period `asked` for (see [`choose_period`]).
pub fn for_period(audit: &Audit, asked: Option<&str>) -> Result<Audit, Problems> {
    Ok(audit.for_period(&choose_period(audit, asked)?))
}

/// The latest valid date in the date column of any source.
fn latest_dated_row(audit: &Audit) -> Option<NaiveDate> {
    latest_dates(audit, None)
        .into_values()
        .filter_map(|scan| scan.latest)
        .max()
}

/// Per source (`customers`, `management`, `shoppers`) that has a date column, the
/// latest valid date in it, in any period, and with `bounds` in each of their periods:
/// a pass over each file's dates.
fn latest_dates(audit: &Audit, bounds: Option<&DateBounds>) -> BTreeMap<String, DateScan> {
    let options = |encoding: &Option<String>, delimiter: Option<u8>| TextOptions {
        encoding: encoding.clone(),
        delimiter,
    };
    let surveys = [
        ("customers", &audit.customers),
        ("management", &audit.management),
    ];
    let survey_dates = surveys.into_iter().filter_map(|(name, s)| {
        let s = s.as_ref()?;
        let options = options(&s.encoding, s.delimiter);
        Some((name, scan_dates(&s.file, &options, &s.date_column, bounds)))
    });
    let visit_dates = audit.shoppers.iter().map(|s| {
        let options = options(&s.encoding, s.delimiter);
        let scan = scan_dates(&s.file, &options, &s.date_column, bounds);
        ("shoppers", scan)
    });
    survey_dates
        .chain(visit_dates)
        .filter_map(|(name, scan)| Some((name.to_string(), scan?)))
        .collect()
}

/// What `servqual status` is asked for.
#[derive(Debug, Clone)]
pub struct StatusRequest {
    /// The period to check (`--period`); as for the report without it.
    pub period: Option<String>,
    /// The checklist state file (read if it exists).
    pub checklist_state: PathBuf,
    /// The periods to show rows and latest dates of: the one checked and the ones
    /// before it (`--history N`).
    pub history: Option<usize>,
}

/// The status of a period (`servqual status`): the report's own run, with the customer
/// survey split by site where it can be, and each source's latest date.
pub fn status(audit: &Audit, request: &StatusRequest) -> Result<Status, Problems> {
    let mut asked = ReportRequest::new(audit);
    asked.period = request.period.clone();
    asked.history = request.history;
    asked.checklist_state = request.checklist_state.clone();
    asked.allow_unmeasured = true;
    asked.by = audit.customers.as_ref().map(|_| "site".to_string());
    // A survey without a site column still has a status, without respondents per site.
    let outcome = match report(audit, &asked) {
        Ok(outcome) => outcome,
        Err(_) if asked.by.is_some() => {
            asked.by = None;
            report(audit, &asked)?
        }
        Err(problems) => return Err(problems),
    };
    let quota = audit.shoppers.as_ref().map(|_| audit.thresholds.min_visits);
    // The date pass places rows in the periods the report read.
    let span = audit.for_periods(&outcome.periods);
    let bounds = request.history.map(|_| DateBounds::of_run(&span.meta));
    let dates = latest_dates(audit, bounds.as_ref());
    let latest = dates.iter().map(|(k, d)| (k.clone(), d.latest)).collect();
    let by_period = dates.into_iter().map(|(k, d)| (k, d.by_period)).collect();
    Ok(Status::of(&outcome.report, &latest, &by_period, quota))
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
    /// Sums over the visits of each period before the report's (`--history`), oldest first.
    pub earlier: Vec<ShopperAccumulator>,
    /// What reading the visits file found out.
    pub read: VisitsRead,
    /// The visits counted by period.
    pub counts: RowCounts,
    /// Whether the visits file has a date column.
    pub dated: bool,
}

/// Loads the form of the shopper source, then reads its visits.
fn read_shoppers(
    audit: &Audit,
    source: &crate::definition::ShopperSource,
    invalid: InvalidRows,
) -> Result<ShopperData, Problems> {
    let (form, form_digest) = load_form(audit, source)?;
    let bounds = DateBounds::of_run(&audit.meta);
    let mut sums = VisitSums::new(&form, &bounds, source, invalid);
    let read = read_visits(source, &form, invalid, &mut sums);
    let VisitSums {
        mut periods,
        mut counts,
        dated,
        undated,
        left_out,
        ..
    } = sums;
    let mut read = match read {
        Ok(read) if undated.is_empty() => read,
        other => {
            let mut problems = other.err().map(|p| p.0).unwrap_or_default();
            problems.extend(undated);
            return Err(Problems(problems));
        }
    };
    counts.rows = read.rows;
    counts.blank = read.counts.blank;
    counts.duplicate = read.counts.duplicate;
    counts.skipped += read.counts.skipped;
    for note in left_out.lines(&read.digest.path) {
        read.notes.push(note);
    }
    let visits = periods
        .pop()
        .unwrap_or_else(|| ShopperAccumulator::new(&form));
    Ok(ShopperData {
        form,
        form_digest,
        visits,
        earlier: periods,
        read,
        counts,
        dated,
    })
}

/// The sums of the visits per period, as [`read_shoppers`] takes them from the reader.
struct VisitSums<'a> {
    form: &'a Form,
    bounds: &'a DateBounds,
    source: &'a crate::definition::ShopperSource,
    invalid: InvalidRows,
    /// Per period of the span, the reported one last.
    periods: Vec<ShopperAccumulator>,
    counts: RowCounts,
    /// Whether the file has a date column.
    dated: bool,
    /// Visits without a valid date (problems).
    undated: Vec<Problem>,
    /// Visits without a valid date left out (`--skip-invalid`).
    left_out: crate::sources::stream::RowNotes,
}

impl<'a> VisitSums<'a> {
    /// No visits yet.
    fn new(
        form: &'a Form,
        bounds: &'a DateBounds,
        source: &'a crate::definition::ShopperSource,
        invalid: InvalidRows,
    ) -> Self {
        VisitSums {
            form,
            bounds,
            source,
            invalid,
            periods: vec![ShopperAccumulator::new(form); bounds.reported() + 1],
            counts: RowCounts::default(),
            dated: false,
            undated: Vec::new(),
            left_out: Default::default(),
        }
    }
}

impl VisitSink for VisitSums<'_> {
    fn visit(&mut self, v: &Visit) {
        self.dated = v.dated;
        let mut period = None;
        if v.dated {
            match self.bounds.place(v.date.as_bytes()) {
                Placed::Inside(k) => period = Some(k),
                Placed::Outside => {
                    self.counts.outside_period += 1;
                    return;
                }
                Placed::NotADate => {
                    let (path, column) = (&self.source.file, &self.source.date_column);
                    let problem = date_problem(path, v.line, None, column, v.date.as_bytes());
                    match self.invalid {
                        InvalidRows::Stop => self.undated.push(problem),
                        InvalidRows::Skip => {
                            self.counts.skipped += 1;
                            self.left_out.push(format!("warning: left out {problem}"));
                        }
                    }
                    return;
                }
            }
        }
        self.counts.count_placed(period, self.bounds);
        let form = self.form;
        match period.and_then(|k| self.periods.get_mut(k)) {
            Some(sums) => sums.add(form, v),
            // Undated: the visit counts in every period.
            None => self.periods.iter_mut().for_each(|sums| sums.add(form, v)),
        }
    }

    fn restart(&mut self) {
        *self = VisitSums::new(self.form, self.bounds, self.source, self.invalid);
    }
}

/// Reads every source of `audit`, collecting the problems of all of them; with `by`
/// (`site`, `region` or a column name) the customer survey is also split into
/// segments. With `history`, each source is also summed per period of the audit's
/// `earlier_periods`, from the same read. `invalid` says whether an invalid row stops
/// the run or is left out.
pub fn read_sources(
    audit: &Audit,
    by: Option<&str>,
    history: bool,
    invalid: InvalidRows,
) -> Result<SourceData, Problems> {
    let mut problems: Vec<Problem> = Vec::new();
    let periods = audit.meta.earlier_periods.len() + 1;
    let (mut earlier_customers, mut earlier_management) = (Vec::new(), Vec::new());
    let mut files = vec![audit.digest.clone()];
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
            .map(|source| scope.spawn(move || read_shoppers(audit, source, invalid)));
        let customers = audit.customers.as_ref().and_then(|source| {
            let mut acc = CustomerAccumulator::new(audit);
            let column = by.map(|b| segment_column(source, b));
            let (kind, mut tuning) = (SurveyKind::Customers, Tuning::from_env());
            // A chunk's sums hold one accumulator per segment it meets, nearly one per row
            // over thousands of sites: smaller chunks keep fewer of them in flight.
            if by.is_some() && std::env::var_os("SERVQUAL_CHUNK_BYTES").is_none() {
                tuning.chunk_len = tuning.chunk_len.min(SEGMENT_CHUNK_LEN);
            }
            // The earlier periods of a history are summed as the whole audit, never split
            // into segments.
            let read = match segmented.take() {
                Some(s) => {
                    let mut sums = PeriodSums::new(acc.clone(), s, periods);
                    let read = read_survey_into(
                        audit,
                        source,
                        kind,
                        column.as_deref(),
                        invalid,
                        tuning,
                        &mut sums,
                    );
                    let (earlier, s) = sums.split();
                    (earlier_customers, acc) = (earlier, s.total());
                    segmented = Some(s);
                    read
                }
                None => {
                    let mut sums = PeriodSums::new(acc.clone(), acc.clone(), periods);
                    let read =
                        read_survey_into(audit, source, kind, None, invalid, tuning, &mut sums);
                    (earlier_customers, acc) = sums.split();
                    read
                }
            };
            match read {
                // Without E columns the survey is perception-only, rows or none.
                Ok(read) if !read.has_expected => {
                    acc.expect_perception_only();
                    Some((acc, read))
                }
                Ok(read) => Some((acc, read)),
                Err(p) => {
                    problems.extend(p.0);
                    None
                }
            }
        });
        let management = audit.management.as_ref().and_then(|source| {
            let empty = ManagementAccumulator::new(audit);
            let mut sums = PeriodSums::new(empty.clone(), empty, periods);
            let kind = SurveyKind::Management;
            let read = read_survey_into(
                audit,
                source,
                kind,
                None,
                invalid,
                Tuning::from_env(),
                &mut sums,
            );
            let (earlier, acc) = sums.split();
            earlier_management = earlier;
            match read {
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
    files.extend(
        audit
            .actions
            .as_ref()
            .map(|a| FileDigest::hashed("actions", a.file.display().to_string(), a.sha256.clone())),
    );
    let earlier = history.then(|| {
        let visits = shoppers.as_ref().map(|s| s.earlier.clone());
        let mut customers = earlier_customers.into_iter();
        let mut management = earlier_management.into_iter();
        let mut visits = visits.into_iter().flatten();
        let periods = audit.meta.earlier_periods.iter();
        periods
            .map(|period| EarlierSums {
                period: period.clone(),
                customers: customers.next(),
                management: management.next(),
                visits: visits.next(),
            })
            .collect()
    });
    Ok(SourceData {
        customers,
        management,
        shoppers,
        files,
        segments: segmented,
        earlier,
        invalid_rows: invalid,
    })
}

/// Analyses what was read into the report model: gaps, IPA, shoppers, segments, the
/// trend against the baseline and the checklist. The provenance lists the files in the
/// order they bear on the report: audit and sources, baseline, state file, Kano files.
fn build_report(
    audit: &Audit,
    data: &SourceData,
    side: &SideInputs,
    lang: Lang,
    segments: Option<segments::Segments>,
) -> Report {
    let shopper_items = data
        .shoppers
        .as_ref()
        .map(|s| s.visits.item_levels(audit, &s.form));
    let gaps::Analysis {
        mut items,
        mut dimensions,
        servqual,
        method,
        servperf,
    } = gaps::analyse_survey(
        audit,
        data.customers.as_ref().map(|(a, _)| a),
        data.management.as_ref().map(|(a, _)| a),
        shopper_items.as_ref(),
    );
    if let Some(s) = &data.shoppers {
        let intervals = s.visits.level_intervals(audit, &s.form);
        gaps::attach_delivery_intervals(&mut items, &mut dimensions, &intervals);
    }
    let mut files = data.files.clone();
    let trend = side.baseline.as_ref().map(|(baseline, digest)| {
        files.push(digest.clone());
        trend::compare(baseline, digest.clone(), &dimensions, &items, &servqual)
    });
    let shoppers = data
        .shoppers
        .as_ref()
        .map(|s| s.visits.report(audit, &s.form));
    let ipa = ipa::analyse(&dimensions, &servqual);
    let history = data.earlier.as_ref().map(|earlier| {
        let mut periods: Vec<PeriodResults> = earlier
            .iter()
            .map(|e| earlier_results(audit, data.shoppers.as_ref(), e))
            .collect();
        periods.push(PeriodResults {
            period: audit.meta.period(),
            respondents: history::HistoryRespondents {
                customers: data.customers.as_ref().map_or(0, |(a, _)| a.respondents),
                management: data.management.as_ref().map_or(0, |(a, _)| a.respondents),
            },
            visits: shoppers.as_ref().map_or(0, |s| s.visits),
            dimensions: dimensions.clone(),
            servqual: servqual.clone(),
            shoppers: shoppers.as_ref().map(|s| history::HistoryShoppers {
                mean_score: s.mean_score,
                critical_failures: s.critical_failures,
            }),
        });
        history::history(&periods)
    });
    let critical = shoppers.as_ref().map(checklist::critical_failures);
    let found = checklist::build(&checklist::Inputs {
        audit,
        dimensions: &dimensions,
        items: &items,
        ipa: ipa.as_ref(),
        critical: critical.as_deref(),
        must_be: &side.must_be,
        state: side.state.as_ref(),
        method,
    });
    // The state file changes statuses and owners, so it is part of the provenance.
    if let Some(state) = &side.state {
        let path = state.path.display().to_string();
        files.push(FileDigest::hashed(
            "checklist-state",
            path,
            state.sha256.clone(),
        ));
    }
    files.extend(side.kano_files.iter().cloned());
    let library = library_for(audit.actions.as_ref());
    let checklist =
        crate::report::checklist::word(&found, audit, shoppers.as_ref(), &library, lang);
    let parts = ReportParts {
        customers: data.customers.as_ref().map_or(0, |(a, _)| a.respondents),
        management: data.management.as_ref().map_or(0, |(a, _)| a.respondents),
        checklist,
        lang,
        ipa,
        items,
        dimensions,
        servqual,
        method,
        servperf,
        shoppers,
        segments,
        trend,
        history,
    };
    Report::new(audit, Provenance::new(files), parts)
}

/// The results of a period before the report's: its gaps and scores from its own sums,
/// by the formulas of the report's own period.
fn earlier_results(
    audit: &Audit,
    shoppers: Option<&ShopperData>,
    e: &EarlierSums,
) -> PeriodResults {
    let form = shoppers.map(|s| &s.form);
    let visits = e.visits.as_ref().zip(form);
    let shopper_items = visits.map(|(v, form)| v.item_levels(audit, form));
    let (_, dimensions, servqual) = gaps::analyse(
        audit,
        e.customers.as_ref(),
        e.management.as_ref(),
        shopper_items.as_ref(),
    );
    let report = visits.map(|(v, form)| v.report(audit, form));
    PeriodResults {
        period: e.period.clone(),
        respondents: history::HistoryRespondents {
            customers: e.customers.as_ref().map_or(0, |a| a.respondents),
            management: e.management.as_ref().map_or(0, |a| a.respondents),
        },
        visits: report.as_ref().map_or(0, |r| r.visits),
        dimensions,
        servqual,
        shoppers: report.map(|r| history::HistoryShoppers {
            mean_score: r.mean_score,
            critical_failures: r.critical_failures,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture_audit() -> Audit {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/core/audit.yaml");
        crate::definition::load(&path).unwrap()
    }

    #[test]
    fn the_main_job_runs_from_a_request_and_lists_what_it_read() {
        let audit = fixture_audit();
        let outcome = report(&audit, &ReportRequest::new(&audit)).unwrap();
        assert!(outcome.report.respondents.customers > 0);
        assert!(outcome.gate.is_empty() && !outcome.breached());
        assert_eq!(outcome.report.provenance.files[0], audit.digest);
        assert!(outcome.inputs.contains(&audit.path));
        let customers = &audit.customers.as_ref().unwrap().file;
        assert!(outcome.inputs.contains(customers));
        assert_eq!(outcome.survey_reads.len(), 1);
    }

    #[test]
    fn report_and_validate_list_every_bad_side_input_together() {
        let audit = fixture_audit();
        let dir = tempfile::tempdir().unwrap();
        let mut request = ReportRequest::new(&audit);
        request.fail_on = vec!["nonsense < 1".into()];
        request.baseline = Some(dir.path().join("missing.json"));
        let problems = report(&audit, &request).unwrap_err();
        let fields: Vec<Option<&str>> = problems.0.iter().map(|p| p.field.as_deref()).collect();
        assert_eq!(problems.0.len(), 2, "{problems}");
        assert_eq!(fields[0], Some("--fail-on"));
        assert!(
            problems.0[1].to_string().contains("missing.json"),
            "{problems}"
        );
        let state = &request.checklist_state;
        assert!(validate(&audit, state, None, None, InvalidRows::Stop).is_ok());
    }
}
