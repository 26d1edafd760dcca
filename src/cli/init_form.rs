//! `servqual init --template form-retail|form-call-centre DIR`: an audit with all five
//! sources (customers, management, standards, mystery shoppers with their form, promises).

use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::definition::builtin::Template;
use crate::definition::form::parse_form;
use crate::sample::{write_customers, write_management, write_visits, CustomerSample, VisitSample};

/// The instrument the form templates' questions are mapped to.
const INSTRUMENT: &str = "servqual-22";

/// The files of a new five-source audit around the form `template`.
pub(super) fn scaffold(template: &Template) -> anyhow::Result<Vec<(PathBuf, String)>> {
    let (_, dimensions, items) = super::init::instrument_items(INSTRUMENT)?;
    let (start, end) = super::init::quarter_of(chrono::Local::now().date_naive());
    let sites: Vec<String> = ["North", "South", "East"].map(String::from).to_vec();
    let audit = format!(
        r#"# A servqual audit with all five gap sources, written by
# `servqual init --template {name}`.
# Run it:       servqual report {{this file}}
# Check it:     servqual validate {{this file}}
audit:
  id: service-audit-{start_id}
  title: Service quality audit with mystery shopping
  organisation: Example Company
  # One definition for every quarter (see `servqual report --period`).
  schedule: quarterly

scale: {{min: 1, max: 7}}
instrument: {instrument}

weights:
  tangibles: 10
  reliability: 30
  responsiveness: 20
  professionalism: 20
  empathy: 20

sources:
  # Customers' expectations and perceptions (E_<item>, P_<item>): gap 5.
  customers:
    file: data/customers.csv
  # Managers' estimates of what customers expect (M_<item>): gaps 1 and 2.
  management:
    file: data/management.csv
  # Mystery-shopper visits scored on form.yaml (a copy of the built-in {name};
  # edit it, or write `form: {name}` to use the built-in one): D for gaps 3 and 4.
  shoppers:
    file: data/visits.csv
    form: form.yaml
    columns: {{id: visit, shopper: shopper, site: site, date: date}}

# The organisation's own service standards (S), per dimension or per item: gaps 2 and 3.
standards:
  dimensions: {{tangibles: 6, reliability: 6.5, responsiveness: 6, professionalism: 6, empathy: 5.5}}
# What advertising and service guarantees promise (C): gap 4.
promises:
  dimensions: {{reliability: 6.5, responsiveness: 6.5}}

# Customers and shoppers weigh equally in the merged perception.
merge: {{customers: 0.5, shoppers: 0.5}}

thresholds:
  checklist: -0.5
  divergence: 1.0
  min_visits: 3
"#,
        name = template.name,
        instrument = INSTRUMENT,
        start_id = start.format("%Y-%m"),
    );
    // The audit and form are checked here as `report` will check them, so a template
    // that stopped fitting the instrument fails loudly instead of writing a broken audit.
    let checked = crate::definition::load_str(Path::new("audit.yaml"), &audit)
        .map_err(|p| anyhow::anyhow!("{p}"))?;
    let form = parse_form(
        &checked,
        Path::new("form.yaml"),
        "form.yaml",
        template.source,
    )
    .map_err(|p| anyhow::anyhow!("{p}"))?;

    let mut customers = Vec::new();
    write_customers(
        &mut customers,
        &items,
        &dimensions,
        &CustomerSample {
            respondents: 60,
            sites: sites.clone(),
            missing: 0.04,
            min: 1,
            max: 7,
            seed: 22,
            importance: false,
            date: start.to_string(),
        },
    )?;
    let mut management = Vec::new();
    write_management(&mut management, &items, 6, &sites, 7, 7)?;
    let mut visits = Vec::new();
    write_visits(
        &mut visits,
        &form,
        &VisitSample {
            visits: 24,
            sites,
            shoppers: ["Ana", "Ben", "Chen"].map(String::from).to_vec(),
            not_applicable: 0.05,
            critical_failure: 0.03,
            seed: 4,
            start,
            days: (end - start).num_days().max(1) as u32,
        },
    )?;
    let text = |bytes: Vec<u8>| String::from_utf8(bytes).context("sample data is not UTF-8");
    Ok(vec![
        (PathBuf::from("audit.yaml"), audit),
        (PathBuf::from("form.yaml"), template.source.to_string()),
        (Path::new("data").join("customers.csv"), text(customers)?),
        (Path::new("data").join("management.csv"), text(management)?),
        (Path::new("data").join("visits.csv"), text(visits)?),
    ])
}
