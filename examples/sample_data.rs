//! Writes deterministic sample data in the default layouts, for the example audit and
//! benchmarks.
//!
//! cargo run --release --example sample_data -- customers OUT.csv --respondents 400 \
//!     --sites "North,South" --seed 2026 --missing 0.03 --importance --date 2026-07-01
//! cargo run --release --example sample_data -- management OUT.csv --managers 12 --sites "North,South"
//! cargo run --release --example sample_data -- visits OUT.csv --audit AUDIT.yaml --visits 40 \
//!     --sites "North,South" --shoppers "Ana,Ben,Chen" --seed 3 --not-applicable 0.05 \
//!     --critical-failure 0.02 --date 2026-07-01 --days 92
//!   (visits are scored on the form named in the audit's `sources.shoppers`)
//! `--site-count N` in place of `--sites` names N sites S000001, S000002, ...

use std::io::{BufWriter, Write};
use std::process::ExitCode;

use servqual::sample::{
    write_customers, write_management, write_visits, CustomerSample, VisitSample,
};

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("sample_data: {e}");
            ExitCode::from(2)
        }
    }
}

fn run() -> Result<(), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (kind, out) = match (args.first(), args.get(1)) {
        (Some(k), Some(o)) => (k.as_str(), o.as_str()),
        _ => return Err("usage: sample_data customers|management|visits OUT.csv [options]".into()),
    };
    let flag = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
    };
    let number = |name: &str, default: usize| -> Result<usize, String> {
        flag(name).map_or(Ok(default), |v| {
            v.parse().map_err(|_| format!("{name}: not a number: {v}"))
        })
    };
    // `--site-count N` names N sites S000001..: more than a command line can list.
    let sites: Vec<String> = match flag("--site-count") {
        Some(n) => {
            let n: usize = n
                .parse()
                .map_err(|_| format!("--site-count: not a number: {n}"))?;
            (1..=n).map(|i| format!("S{i:06}")).collect()
        }
        None => flag("--sites")
            .map_or("North,South", String::as_str)
            .split(',')
            .map(str::to_string)
            .collect(),
    };
    let seed = number("--seed", 1)? as u64;
    let (_, dimensions, items) =
        servqual::sample::instrument_items("servqual-22").ok_or("servqual-22 missing")?;
    let file = std::fs::File::create(out).map_err(|e| format!("{out}: {e}"))?;
    let mut w = BufWriter::with_capacity(1 << 20, file);
    match kind {
        "customers" => {
            let missing = flag("--missing").map_or(Ok(0.03), |v| {
                v.parse::<f64>().map_err(|_| format!("--missing: {v}"))
            })?;
            let spec = CustomerSample {
                respondents: number("--respondents", 400)?,
                sites,
                missing,
                min: 1,
                max: 7,
                seed,
                importance: args.iter().any(|a| a == "--importance"),
                date: flag("--date")
                    .cloned()
                    .unwrap_or_else(|| "2026-01-01".into()),
            };
            write_customers(&mut w, &items, &dimensions, &spec).map_err(|e| e.to_string())?;
        }
        "management" => {
            write_management(&mut w, &items, number("--managers", 12)?, &sites, seed, 7)
                .map_err(|e| e.to_string())?;
        }
        "visits" => {
            let form = audit_form(flag("--audit").map(String::as_str))?;
            let probability = |name: &str, default: f64| {
                flag(name).map_or(Ok(default), |v| {
                    v.parse::<f64>().map_err(|_| format!("{name}: {v}"))
                })
            };
            let start = flag("--date").map_or("2026-01-01", String::as_str);
            let spec = VisitSample {
                visits: number("--visits", 40)?,
                sites,
                shoppers: flag("--shoppers")
                    .map_or("Ana,Ben,Chen", String::as_str)
                    .split(',')
                    .map(str::to_string)
                    .collect(),
                not_applicable: probability("--not-applicable", 0.05)?,
                critical_failure: probability("--critical-failure", 0.02)?,
                seed,
                start: start
                    .parse()
                    .map_err(|_| format!("--date: not a date: {start}"))?,
                days: number("--days", 90)? as u32,
            };
            write_visits(&mut w, &form, &spec).map_err(|e| e.to_string())?;
        }
        other => {
            return Err(format!(
                "unknown kind {other}: expected customers, management or visits"
            ))
        }
    }
    w.flush().map_err(|e| e.to_string())
}

/// The form named in the shopper source of the audit at `path`, checked against it.
fn audit_form(path: Option<&str>) -> Result<servqual::definition::form::Form, String> {
    let path = path.ok_or("visits need --audit AUDIT.yaml (its shoppers source names the form)")?;
    let audit =
        servqual::definition::load(std::path::Path::new(path)).map_err(|p| p.to_string())?;
    let source = audit
        .shoppers
        .as_ref()
        .ok_or_else(|| format!("{path}: no sources.shoppers"))?;
    let (form, _) =
        servqual::definition::form::load_form(&audit, source).map_err(|p| p.to_string())?;
    Ok(form)
}
