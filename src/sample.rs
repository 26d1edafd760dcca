//! Deterministic sample data: for `servqual init`, the example audit and benchmarks.
//!
//! A seeded generator, so the same call writes the same bytes on every machine.

use std::io::Write;

/// A built-in instrument, its dimension ids and its items as `(id, dimension index)`.
pub type InstrumentItems = (
    crate::definition::builtin::Instrument,
    Vec<String>,
    Vec<(String, usize)>,
);

/// The built-in instrument `name` in the shape the sample-data writers take: the default
/// dimension ids and each item with the index of its dimension.
pub fn instrument_items(name: &str) -> Option<InstrumentItems> {
    use crate::definition::{canonical_dimension_id, DEFAULT_DIMENSIONS};
    let instrument = crate::definition::builtin::instrument(name)?;
    let dimensions: Vec<String> = DEFAULT_DIMENSIONS.iter().map(|d| d.0.to_string()).collect();
    let items = instrument
        .items
        .iter()
        .map(|it| {
            let dimension = canonical_dimension_id(&it.dimension);
            let d = dimensions.iter().position(|d| d == dimension).unwrap_or(0);
            (it.id.clone(), d)
        })
        .collect();
    Some((instrument, dimensions, items))
}

/// SplitMix64: tiny, fast, and good enough for sample data (not for anything secret).
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator from `seed`.
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Roughly normal with mean 0 and sd 1 (sum of four uniforms, rescaled).
    pub fn normal(&mut self) -> f64 {
        let s: f64 = (0..4).map(|_| self.unit()).sum();
        (s - 2.0) * 3f64.sqrt()
    }

    /// Uniform integer in `0..n` (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }
}

/// The shape of a generated customer survey.
#[derive(Debug, Clone)]
pub struct CustomerSample {
    /// Rows to write.
    pub respondents: usize,
    /// Sites, assigned in turn with some randomness.
    pub sites: Vec<String>,
    /// Probability that one answer is left empty.
    pub missing: f64,
    /// Scale bounds.
    pub min: i32,
    /// Scale bounds.
    pub max: i32,
    /// Seed.
    pub seed: u64,
    /// Add `W_<dimension>` importance points (summing to 100).
    pub importance: bool,
    /// First day of the period (YYYY-MM-DD) for the date column.
    pub date: String,
}

/// Writes a customer survey in the default layout for items `(id, dimension index)`.
///
/// Each respondent has a general mood, each dimension and site a typical gap, and each
/// answer some noise, so alpha and site differences look like real survey data.
pub fn write_customers(
    out: &mut impl Write,
    items: &[(String, usize)],
    dimensions: &[String],
    spec: &CustomerSample,
) -> std::io::Result<()> {
    let mut rng = Rng::new(spec.seed);
    let mut header = vec!["id".to_string(), "site".into(), "date".into()];
    for (id, _) in items {
        header.push(format!("E_{id}"));
        header.push(format!("P_{id}"));
    }
    if spec.importance {
        header.extend(dimensions.iter().map(|d| format!("W_{d}")));
    }
    writeln!(out, "{}", header.join(","))?;
    // Typical gaps: reliability and responsiveness worst, as in most published studies.
    let dimension_gap = [-0.6, -1.3, -1.0, -0.4, -0.7];
    let site_gap: Vec<f64> = (0..spec.sites.len())
        .map(|s| 0.35 - 0.3 * s as f64)
        .collect();
    let clamp = |x: f64| (x.round() as i32).clamp(spec.min, spec.max);
    let mut line = String::new();
    for r in 0..spec.respondents {
        line.clear();
        let site = rng.below(spec.sites.len().max(1));
        let mood = rng.normal() * 0.6;
        let expectation = 6.0 + rng.normal() * 0.5;
        line.push_str(&format!(
            "R{:05},{},{}",
            r + 1,
            spec.sites.get(site).map_or("", String::as_str),
            spec.date
        ));
        for (_, d) in items {
            let e = clamp(expectation + rng.normal() * 0.6);
            let gap = dimension_gap.get(*d).copied().unwrap_or(-0.5)
                + site_gap.get(site).copied().unwrap_or(0.0)
                + mood;
            let p = clamp(expectation + gap + rng.normal() * 0.8);
            for v in [e, p] {
                if rng.unit() < spec.missing {
                    line.push(',');
                } else {
                    line.push_str(&format!(",{v}"));
                }
            }
        }
        if spec.importance {
            line.push_str(&importance_points(&mut rng, dimensions.len()));
        }
        writeln!(out, "{line}")?;
    }
    Ok(())
}

/// Writes a management survey (`M_<item>` columns): managers' estimates of what
/// customers expect, a little low on the dimensions managers tend to underrate.
pub fn write_management(
    out: &mut impl Write,
    items: &[(String, usize)],
    managers: usize,
    sites: &[String],
    spec_seed: u64,
    max: i32,
) -> std::io::Result<()> {
    let mut rng = Rng::new(spec_seed);
    let mut header = vec!["id".to_string(), "site".into()];
    header.extend(items.iter().map(|(id, _)| format!("M_{id}")));
    writeln!(out, "{}", header.join(","))?;
    // Managers underrate responsiveness and empathy expectations most.
    let underrate = [0.2, 0.3, 0.9, 0.3, 0.7];
    for m in 0..managers {
        let mut line = format!(
            "M{:03},{}",
            m + 1,
            sites.get(m % sites.len().max(1)).map_or("", String::as_str)
        );
        for (_, d) in items {
            let v = 6.0 - underrate.get(*d).copied().unwrap_or(0.3) + rng.normal() * 0.6;
            line.push_str(&format!(",{}", (v.round() as i32).clamp(1, max)));
        }
        writeln!(out, "{line}")?;
    }
    Ok(())
}

/// Importance points over `n` dimensions that add up to exactly 100, in steps of 5.
fn importance_points(rng: &mut Rng, n: usize) -> String {
    let mut points = vec![0u32; n];
    // Reliability-heavy, as respondents usually answer; then 20 chunks of 5 at random.
    let bias = [1.0, 2.2, 1.4, 1.2, 1.0];
    let total: f64 = (0..n).map(|d| bias.get(d).copied().unwrap_or(1.0)).sum();
    for _ in 0..20 {
        let mut pick = rng.unit() * total;
        let mut chosen = n.saturating_sub(1);
        for d in 0..n {
            pick -= bias.get(d).copied().unwrap_or(1.0);
            if pick < 0.0 {
                chosen = d;
                break;
            }
        }
        if let Some(p) = points.get_mut(chosen) {
            *p += 5;
        }
    }
    points.iter().map(|p| format!(",{p}")).collect()
}

/// The shape of a generated mystery-shopper visits file.
#[derive(Debug, Clone)]
pub struct VisitSample {
    /// Rows to write.
    pub visits: usize,
    /// Sites, visited in turn (the first is the best run).
    pub sites: Vec<String>,
    /// Shoppers, drawn at random for each visit; the second is lenient, the third harsh.
    pub shoppers: Vec<String>,
    /// Probability that a non-critical question is not applicable.
    pub not_applicable: f64,
    /// Probability that a critical question fails.
    pub critical_failure: f64,
    /// Seed.
    pub seed: u64,
    /// First day of the period.
    pub start: chrono::NaiveDate,
    /// Days the visits are spread over.
    pub days: u32,
}

/// Writes a visits CSV for `form` in the default layout (visit, shopper, site, date, one
/// column per question).
///
/// Each site has a service level, each shopper a leniency and each question a
/// difficulty, so site rankings and calibration show something to look at.
pub fn write_visits(
    out: &mut impl Write,
    form: &crate::definition::form::Form,
    spec: &VisitSample,
) -> std::io::Result<()> {
    use crate::definition::form::QuestionType;
    let mut rng = Rng::new(spec.seed);
    let mut header = vec![
        "visit".to_string(),
        "shopper".into(),
        "site".into(),
        "date".into(),
    ];
    header.extend(form.questions.iter().map(|q| q.id.clone()));
    writeln!(out, "{}", header.join(","))?;
    let leniency = [0.0, 0.12, -0.1, 0.03, -0.02];
    let difficulty: Vec<f64> = form
        .questions
        .iter()
        .map(|_| rng.normal() * 0.12 - 0.05)
        .collect();
    let mut line = String::new();
    for v in 0..spec.visits {
        line.clear();
        let site = v % spec.sites.len().max(1);
        let shopper = rng.below(spec.shoppers.len().max(1));
        let level = 0.85 - 0.08 * site as f64;
        let bias = leniency.get(shopper).copied().unwrap_or(0.0);
        let day = (v as u64 * u64::from(spec.days) / spec.visits.max(1) as u64) as i64;
        let date = spec.start + chrono::Duration::days(day);
        line.push_str(&format!(
            "V{:04},{},{},{date}",
            v + 1,
            spec.shoppers.get(shopper).map_or("", String::as_str),
            spec.sites.get(site).map_or("", String::as_str),
        ));
        for (q, question) in form.questions.iter().enumerate() {
            line.push(',');
            if question.critical {
                let fail = rng.unit() < spec.critical_failure;
                line.push_str(if fail { "no" } else { "yes" });
                continue;
            }
            if rng.unit() < spec.not_applicable {
                line.push_str(if rng.unit() < 0.5 { "N/A" } else { "" });
                continue;
            }
            let p = (level + bias + difficulty[q] + rng.normal() * 0.1).clamp(0.02, 0.98);
            match question.kind {
                QuestionType::YesNo => line.push_str(if rng.unit() < p { "yes" } else { "no" }),
                QuestionType::Scale { min, max } => {
                    let x = (min + p * (max - min) + rng.normal() * 0.4)
                        .round()
                        .clamp(min, max);
                    line.push_str(&format!("{x}"));
                }
            }
        }
        writeln!(out, "{line}")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_bytes_and_points_sum_to_100() {
        let items = vec![("T1".to_string(), 0), ("R1".to_string(), 1)];
        let dims: Vec<String> = ["tangibles", "reliability"].map(String::from).to_vec();
        let spec = CustomerSample {
            respondents: 50,
            sites: vec!["North".into(), "South".into()],
            missing: 0.05,
            min: 1,
            max: 7,
            seed: 7,
            importance: true,
            date: "2026-01-01".into(),
        };
        let mut a = Vec::new();
        let mut b = Vec::new();
        write_customers(&mut a, &items, &dims, &spec).unwrap();
        write_customers(&mut b, &items, &dims, &spec).unwrap();
        assert_eq!(a, b);
        let text = String::from_utf8(a).unwrap();
        assert_eq!(text.lines().count(), 51);
        for line in text.lines().skip(1) {
            let f: Vec<&str> = line.split(',').collect();
            let w: u32 = f[f.len() - 2..]
                .iter()
                .map(|x| x.parse::<u32>().unwrap())
                .sum();
            assert_eq!(w, 100);
        }
    }
}
