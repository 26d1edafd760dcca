//! The survey accumulators read both ways: chunked reading sums to the bits of
//! sequential reading, for every statistic, with the zone of tolerance, reverse
//! scoring, importance points and the management survey. (Here rather than in
//! `sources`, which must not know the accumulators.)
use crate::analysis::customers::{CustomerAccumulator, ManagementAccumulator};
use crate::analysis::segments::SegmentAccumulators;
use crate::definition::Audit;
use crate::sources::chunked::Tuning;
use crate::sources::stream::InvalidRows;
use crate::sources::survey::SurveySums;
use crate::sources::survey::{read_survey_into, ReadStrategy, SurveyKind};

/// An audit over `csv` (written to a new directory) with `weights: survey`.
fn audit(csv: &str) -> (tempfile::TempDir, Audit) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("c.csv"), csv).unwrap();
    let path = dir.path().join("audit.yaml");
    let yaml = "audit: {id: t, title: T, period: {start: 2026-01-01, end: 2026-03-31}}\n\
                instrument: servqual-22\nweights: survey\nscale: {min: 1, max: 7}\n\
                sources:\n  customers: {file: c.csv}\n";
    let audit = crate::definition::load_str(&path, yaml).unwrap();
    (dir, audit)
}

/// A sample survey with 10% missing answers and importance points.
fn sample(n: usize) -> String {
    let (_, dims, items) = crate::sample::instrument_items("servqual-22").unwrap();
    let spec = crate::sample::CustomerSample {
        respondents: n,
        sites: vec!["A".into(), "B".into(), "C".into()],
        missing: 0.1,
        min: 1,
        max: 7,
        seed: 3,
        importance: true,
        date: "2026-01-01".into(),
    };
    let mut out = Vec::new();
    crate::sample::write_customers(&mut out, &items, &dims, &spec).unwrap();
    String::from_utf8(out).unwrap()
}

fn tuning(threads: usize, chunk_len: usize) -> Tuning {
    Tuning { threads, chunk_len }
}

/// Every sum of `acc`, as Debug shows f64: to the last bit; and the reliability
/// diagnostics taken from them (alpha's interval, each item's item-total r and alpha if
/// deleted, from the items' products with their dimension's total).
fn sums_of(acc: &CustomerAccumulator) -> String {
    let feldt: Vec<_> = acc
        .dimensions
        .iter()
        .map(|d| d.alpha.feldt_ci95())
        .collect();
    // The perception-only sums (rows with P and no E) too, shown the same way.
    let perception_only = acc.perception_only.as_deref().map(sums_of);
    format!(
        "{} {:?} {:?} {:?} {:?} {feldt:?} {:?} {perception_only:?}",
        acc.respondents,
        acc.items,
        acc.zone,
        acc.dimensions,
        acc.weighted_per_respondent,
        acc.item_reliability()
    )
}

/// Sums that can be shown to the last bit.
trait Shown {
    fn shown(&self) -> String;
}

impl Shown for CustomerAccumulator {
    fn shown(&self) -> String {
        sums_of(self)
    }
}

impl Shown for SegmentAccumulators {
    fn shown(&self) -> String {
        let segments = self.segments().into_iter();
        let total = format!("total: {}\n", sums_of(&self.total()));
        segments
            .map(|(k, a)| format!("{k}: {}\n", sums_of(a)))
            .fold(total, |all, s| all + &s)
    }
}

impl Shown for ManagementAccumulator {
    fn shown(&self) -> String {
        format!("{self:?}")
    }
}

/// The sums, rows and digest of the customer survey read with `tuning`.
fn read<S: SurveySums + Shown>(
    audit: &Audit,
    by: Option<&str>,
    tuning: Tuning,
    sums: S,
) -> (String, u64, String) {
    read_kind(audit, SurveyKind::Customers, by, tuning, sums)
}

/// The customer survey summed into `sums` on two threads, in chunks of 1000 bytes.
fn chunked_sums<S: SurveySums>(audit: &Audit, mut sums: S) -> S {
    let source = audit.customers.as_ref().unwrap();
    let (kind, invalid) = (SurveyKind::Customers, InvalidRows::Stop);
    read_survey_into(
        audit,
        source,
        kind,
        None,
        invalid,
        tuning(2, 1000),
        &mut sums,
    )
    .unwrap();
    sums
}

/// The sums, rows and digest of survey `kind` read with `tuning`.
fn read_kind<S: SurveySums + Shown>(
    audit: &Audit,
    kind: SurveyKind,
    by: Option<&str>,
    tuning: Tuning,
    mut sums: S,
) -> (String, u64, String) {
    let source = match kind {
        SurveyKind::Customers => audit.customers.as_ref(),
        SurveyKind::Management => audit.management.as_ref(),
    };
    let read = read_survey_into(
        audit,
        source.unwrap(),
        kind,
        by,
        InvalidRows::Stop,
        tuning,
        &mut sums,
    )
    .unwrap();
    (sums.shown(), read.rows, read.digest.sha256)
}

/// Whether the chunked reader takes the whole file (rather than giving up), as the
/// reader reports it.
fn read_in_full(audit: &Audit, tuning: Tuning) -> bool {
    let source = audit.customers.as_ref().unwrap();
    let mut sums = CustomerAccumulator::new(audit);
    let read = read_survey_into(
        audit,
        source,
        SurveyKind::Customers,
        None,
        InvalidRows::Stop,
        tuning,
        &mut sums,
    );
    matches!(read.unwrap().strategy, ReadStrategy::Chunked { .. })
}

#[test]
fn chunks_sum_to_the_sequential_bits() {
    let (_dir, audit) = audit(&sample(700));
    let acc = || CustomerAccumulator::new(&audit);
    let sequential = read(&audit, None, tuning(0, 1), acc());
    assert_eq!(sequential.1, 700);
    // The diagnostics are measured, so the products they need were summed.
    let sums = chunked_sums(&audit, acc());
    let reliability = sums.item_reliability();
    assert!(reliability.iter().all(|r| r.item_total_r.is_some()));
    assert!(reliability.iter().all(|r| r.alpha_if_deleted.is_some()));
    assert!(sums
        .dimensions
        .iter()
        .all(|d| d.alpha.feldt_ci95().is_some()));
    for chunk_len in [1, 100, 1000, 1 << 20] {
        assert!(read_in_full(&audit, tuning(2, chunk_len)), "{chunk_len}");
        let chunked = read(&audit, None, tuning(2, chunk_len), acc());
        assert_eq!(chunked, sequential, "chunks of {chunk_len}");
    }
    // Segments too, each in file order.
    let segments = || SegmentAccumulators::new(&audit, "site");
    let sequential = read(&audit, Some("site"), tuning(0, 1), segments());
    for chunk_len in [50, 4096] {
        let chunked = read(&audit, Some("site"), tuning(2, chunk_len), segments());
        assert_eq!(chunked, sequential, "segments, chunks of {chunk_len}");
    }
}

/// `csv` with its data rows in the order `order` gives (indexes into the data rows).
fn reordered(csv: &str, order: impl IntoIterator<Item = usize>) -> String {
    let mut lines = csv.lines();
    let header = lines.next().unwrap();
    let rows: Vec<&str> = lines.collect();
    let mut out = format!("{header}\n");
    for i in order {
        out.push_str(rows[i]);
        out.push('\n');
    }
    out
}

#[test]
fn ids_out_of_order_are_read_in_chunks_and_repeats_still_found() {
    use crate::sources::survey::Fallback;
    let csv = sample(600);
    let strategy = |csv: &str| {
        let (_dir, audit) = audit(csv);
        let source = audit.customers.as_ref().unwrap();
        let mut sums = CustomerAccumulator::new(&audit);
        let (kind, invalid) = (SurveyKind::Customers, InvalidRows::Stop);
        let chunked = read_survey_into(
            &audit,
            source,
            kind,
            None,
            invalid,
            tuning(2, 700),
            &mut sums,
        );
        let sequential = read(&audit, None, tuning(0, 1), CustomerAccumulator::new(&audit));
        (chunked.unwrap().strategy, sums.shown() == sequential.0)
    };
    let chunked = (ReadStrategy::Chunked { threads: 2 }, true);
    // In order; each chunk in order but the second half first (the order breaks between
    // chunks); shuffled (it breaks in the first chunk): all read in chunks, to the bits.
    assert_eq!(strategy(&csv), chunked);
    let halves = (300..600).chain(0..300);
    assert_eq!(strategy(&reordered(&csv, halves)), chunked);
    let shuffled = (0..600).map(|i| (i * 7 + 3) % 600);
    assert_eq!(strategy(&reordered(&csv, shuffled.clone())), chunked);
    // A row pasted again, in order or not: read sequentially, to count it once.
    let repeated = (0..600).chain([599]);
    let sequential = ReadStrategy::Sequential(Fallback::Repeated);
    assert_eq!(strategy(&reordered(&csv, repeated)).0, sequential);
    let repeated = shuffled.chain([5]);
    assert_eq!(strategy(&reordered(&csv, repeated)).0, sequential);
}

#[test]
fn zone_reverse_scoring_points_and_management_sum_to_the_sequential_bits() {
    // A 0-10 scale (so `10` takes the slow path and 0 is a value), a reverse-scored
    // item, A and D columns, importance points and 15% unanswered cells, from a
    // fixed pseudo-random sequence.
    let dir = tempfile::tempdir().unwrap();
    let items = ["A1", "A2", "B1", "B2"];
    let mut state = 7u64;
    let mut next = |m: u64| {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 33) % m
    };
    // `n` cells of 0 to 10, 15% of them empty, each after a comma.
    fn answers(next: &mut impl FnMut(u64) -> u64, n: usize) -> String {
        let cell = |c: u64| {
            if c < 15 {
                String::new()
            } else {
                (c % 11).to_string()
            }
        };
        (0..n).map(|_| format!(",{}", cell(next(100)))).collect()
    }
    let mut customers = String::from("id");
    for kind in ["E", "P", "A", "D"] {
        for it in items {
            customers += &format!(",{kind}_{it}");
        }
    }
    customers += ",W_service,W_place\n";
    let mut management = String::from("id,M_A1,M_A2,M_B1,M_B2\n");
    for r in 0..600 {
        customers += &format!("R{r}{}", answers(&mut next, 16));
        customers += match next(4) {
            0 => ",,\n",
            1 => ",60,40\n",
            2 => ",35,65\n",
            _ => ",100,0\n",
        };
        management += &format!("M{r}{}\n", answers(&mut next, 4));
    }
    let with_points = customers.lines().skip(1).filter(|l| !l.ends_with(",,"));
    let with_points = with_points.count() as u64;
    std::fs::write(dir.path().join("c.csv"), customers).unwrap();
    std::fs::write(dir.path().join("m.csv"), management).unwrap();
    let yaml = "audit: {id: t, title: T, period: {start: 2026-01-01, end: 2026-03-31}}\n\
                scale: {min: 0, max: 10}\nweights: survey\n\
                dimensions: [{id: service, label: {en: S}}, {id: place, label: {en: P}}]\n\
                items:\n\
                - {id: A1, dimension: service, text: {en: a}}\n\
                - {id: A2, dimension: service, text: {en: b}}\n\
                - {id: B1, dimension: place, text: {en: c}}\n\
                - {id: B2, dimension: place, text: {en: d}, reverse: true}\n\
                sources:\n  customers: {file: c.csv}\n  management: {file: m.csv}\n";
    let audit = crate::definition::load_str(&dir.path().join("audit.yaml"), yaml).unwrap();
    assert!(audit.items[3].reverse);
    let acc = || CustomerAccumulator::new(&audit);
    let sequential = read(&audit, None, tuning(0, 1), acc());
    assert_eq!(sequential.1, 600);
    for chunk_len in [1, 333, 1 << 20] {
        assert!(read_in_full(&audit, tuning(2, chunk_len)), "{chunk_len}");
        let chunked = read(&audit, None, tuning(2, chunk_len), acc());
        assert_eq!(chunked, sequential, "chunks of {chunk_len}");
    }
    // The zone of tolerance and the points were summed, not left empty.
    let mut sums = CustomerAccumulator::new(&audit);
    let source = audit.customers.as_ref().unwrap();
    read_survey_into(
        &audit,
        source,
        SurveyKind::Customers,
        None,
        InvalidRows::Stop,
        tuning(2, 333),
        &mut sums,
    )
    .unwrap();
    assert!(sums.zone[3].msa.n > 300 && sums.zone[3].desired.n > 300);
    assert_eq!(sums.dimensions[0].importance.n, with_points);
    assert!(with_points > 400 && with_points < 500, "{with_points}");
    let kind = SurveyKind::Management;
    let managers = || ManagementAccumulator::new(&audit);
    let sequential = read_kind(&audit, kind, None, tuning(0, 1), managers());
    for chunk_len in [1, 97, 1 << 20] {
        let chunked = read_kind(&audit, kind, None, tuning(2, chunk_len), managers());
        assert_eq!(chunked, sequential, "management, chunks of {chunk_len}");
    }
}

#[test]
fn fractions_are_read_sequentially_with_the_same_result() {
    // `4,5` (decimal comma, quoted) is not a whole number: the chunked reader gives up
    // and the sequential reader sums the file.
    let csv = sample(40);
    let mut lines: Vec<String> = csv.lines().map(str::to_owned).collect();
    let mut fields: Vec<&str> = lines[30].split(',').collect();
    fields[3] = "\"4,5\"";
    lines[30] = fields.join(",");
    let (_dir, audit) = audit(&lines.join("\n"));
    assert!(!read_in_full(&audit, tuning(2, 64)));
    let acc = || CustomerAccumulator::new(&audit);
    let chunked = read(&audit, None, tuning(2, 64), acc());
    assert_eq!(chunked, read(&audit, None, tuning(0, 1), acc()));
    // The first item's E sum has a half in it.
    let first_item = &chunked.0[..chunked.0.find("perceived").unwrap()];
    assert!(first_item.starts_with("40 "), "{first_item}");
    assert!(first_item.contains(".5, sum_sq"), "{first_item}");
}

#[test]
fn the_strategy_says_how_each_file_was_read() {
    use crate::sources::survey::Fallback;
    let strategy = |audit: &Audit, tuning: Tuning| {
        let mut sums = CustomerAccumulator::new(audit);
        let source = audit.customers.as_ref().unwrap();
        let kind = SurveyKind::Customers;
        let read = read_survey_into(
            audit,
            source,
            kind,
            None,
            InvalidRows::Stop,
            tuning,
            &mut sums,
        );
        read.unwrap().strategy
    };
    let csv = sample(200);
    let (_dir, whole) = audit(&csv);
    let off = ReadStrategy::Sequential(Fallback::TurnedOff);
    assert_eq!(strategy(&whole, tuning(0, 64)), off);
    let two = ReadStrategy::Chunked { threads: 2 };
    assert_eq!(strategy(&whole, tuning(2, 64)), two);
    // One chunk: one worker, whatever the threads.
    let one = ReadStrategy::Chunked { threads: 1 };
    assert_eq!(strategy(&whole, tuning(4, 1 << 20)), one);
    // A fraction in the last row: the chunked reader gives up there.
    let mut lines: Vec<String> = csv.lines().map(str::to_owned).collect();
    let last = lines.len() - 1;
    let mut fields: Vec<&str> = lines[last].split(',').collect();
    fields[3] = "2.5";
    lines[last] = fields.join(",");
    let (_fraction_dir, fraction) = audit(&lines.join("\n"));
    let gave_up = ReadStrategy::Sequential(Fallback::GaveUp);
    assert_eq!(strategy(&fraction, tuning(2, 64)), gave_up);
    // Another encoding is read sequentially.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("c.csv"), &csv).unwrap();
    let yaml = "audit: {id: t, title: T, period: {start: 2026-01-01, end: 2026-03-31}}\n\
                instrument: servqual-22\nweights: survey\nscale: {min: 1, max: 7}\n\
                sources:\n  customers: {file: c.csv, encoding: windows-1252}\n";
    let latin = crate::definition::load_str(&dir.path().join("audit.yaml"), yaml).unwrap();
    let encoding = ReadStrategy::Sequential(Fallback::Encoding);
    assert_eq!(strategy(&latin, tuning(2, 64)), encoding);
    assert_eq!(
        encoding.to_string(),
        "read sequentially (not UTF-8)",
        "the -v note"
    );
    assert_eq!(two.to_string(), "read in chunks on 2 threads");
}

/// `csv` with the cells of its `E_` columns changed by `cell`, given the row (`usize::MAX`
/// for the header) and the cell; `None` leaves the column out.
fn without_expectations(csv: &str, cell: impl Fn(usize, &str) -> Option<String>) -> String {
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let keep = |row: Vec<&str>, r: usize| -> String {
        let cells = row
            .iter()
            .zip(&header)
            .filter_map(|(c, h)| match h.starts_with("E_") {
                true => cell(r, c),
                false => Some(c.to_string()),
            });
        cells.collect::<Vec<_>>().join(",")
    };
    let mut out = keep(header.clone(), usize::MAX) + "\n";
    for (r, line) in lines.enumerate() {
        out += &(keep(line.split(',').collect(), r) + "\n");
    }
    out
}

#[test]
fn perception_only_sums_are_the_same_bits_both_ways() {
    let csv = sample(700);
    // No E columns; E columns nobody answered (as an import writes them); E left out of
    // every third row of a survey that has them.
    let p_only = without_expectations(&csv, |_, _| None);
    let empty_e = without_expectations(&csv, |r, c| {
        Some(if r == usize::MAX {
            c.to_string()
        } else {
            String::new()
        })
    });
    let mixed = without_expectations(&csv, |r, c| {
        Some(if r != usize::MAX && r % 3 == 0 {
            String::new()
        } else {
            c.to_string()
        })
    });
    for (what, csv) in [("no E", &p_only), ("empty E", &empty_e), ("mixed", &mixed)] {
        let (_dir, audit) = audit(csv);
        let acc = || CustomerAccumulator::new(&audit);
        let sequential = read(&audit, None, tuning(0, 1), acc());
        assert_eq!(sequential.1, 700, "{what}");
        for chunk_len in [1, 1000, 1 << 20] {
            assert!(
                read_in_full(&audit, tuning(2, chunk_len)),
                "{what} {chunk_len}"
            );
            let chunked = read(&audit, None, tuning(2, chunk_len), acc());
            assert_eq!(chunked, sequential, "{what}, chunks of {chunk_len}");
        }
        let segments = || SegmentAccumulators::new(&audit, "site");
        let sequential = read(&audit, Some("site"), tuning(0, 1), segments());
        let chunked = read(&audit, Some("site"), tuning(2, 50), segments());
        assert_eq!(chunked, sequential, "{what}, segments");
        // The perception-only sums hold P, with alpha on the complete respondents.
        let sums = chunked_sums(&audit, acc());
        let p = sums
            .perception_only
            .as_deref()
            .expect("perception-only sums");
        assert!(
            p.items
                .iter()
                .all(|i| i.perceived.n > 0 && i.expected.n == 0),
            "{what}"
        );
        assert!(
            p.dimensions.iter().all(|d| d.alpha.alpha().is_some()),
            "{what}"
        );
        assert_eq!(sums.is_perception_only(), what != "mixed", "{what}");
    }
}
