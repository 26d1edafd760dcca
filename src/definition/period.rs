//! Reporting periods: a schedule (monthly, quarterly, yearly, with an optional fiscal
//! year start) cuts the calendar into named periods.
//!
//! Names: `2026-10` (a month), `2026-Q3` (a calendar quarter), `2026` (a calendar
//! year); with a fiscal year (`year_starts` other than 1) years are `FY2026` and
//! quarters `FY2026-Q1`, a fiscal year being named by the calendar year it ends in
//! (FY2026 with `year_starts: 4` runs from 2025-04-01 to 2026-03-31). A period given as
//! `START..END` (ISO dates, both days included) is named by that text.

use chrono::{Datelike, Months, NaiveDate};

/// How often an audit recurs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cadence {
    /// Calendar months.
    Monthly,
    /// Quarters of the (fiscal) year.
    Quarterly,
    /// (Fiscal) years.
    Yearly,
}

impl Cadence {
    /// The word used in `audit.schedule`.
    pub fn word(self) -> &'static str {
        match self {
            Cadence::Monthly => "monthly",
            Cadence::Quarterly => "quarterly",
            Cadence::Yearly => "yearly",
        }
    }

    /// Parses the word of `audit.schedule`.
    pub fn parse(word: &str) -> Option<Cadence> {
        match word.trim().to_ascii_lowercase().as_str() {
            "monthly" => Some(Cadence::Monthly),
            "quarterly" => Some(Cadence::Quarterly),
            "yearly" | "annual" | "annually" => Some(Cadence::Yearly),
            _ => None,
        }
    }

    /// Months in one period.
    fn months(self) -> u32 {
        match self {
            Cadence::Monthly => 1,
            Cadence::Quarterly => 3,
            Cadence::Yearly => 12,
        }
    }
}

/// A recurring audit's schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Schedule {
    /// How often.
    pub cadence: Cadence,
    /// The month (1–12) the (fiscal) year starts in; 1 for calendar years.
    pub year_starts: u32,
}

/// One reporting period: a name and its first and last day (both included).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Period {
    /// `2026-10`, `2026-Q3`, `FY2026`, or `START..END`.
    pub name: String,
    /// First day.
    pub start: NaiveDate,
    /// Last day.
    pub end: NaiveDate,
}

impl Period {
    /// Whether `day` is in the period.
    pub fn contains(&self, day: NaiveDate) -> bool {
        self.start <= day && day <= self.end
    }

    /// The period `START..END`, named by that text; `None` unless both are ISO dates
    /// and the end is not before the start.
    pub fn range(text: &str) -> Option<Period> {
        let (start, end) = text.split_once("..")?;
        let start = NaiveDate::parse_from_str(start.trim(), "%Y-%m-%d").ok()?;
        let end = NaiveDate::parse_from_str(end.trim(), "%Y-%m-%d").ok()?;
        (start <= end).then(|| Period {
            name: format!("{start}..{end}"),
            start,
            end,
        })
    }
}

impl Schedule {
    /// A calendar schedule of `cadence`.
    pub fn calendar(cadence: Cadence) -> Schedule {
        Schedule {
            cadence,
            year_starts: 1,
        }
    }

    fn fiscal(&self) -> bool {
        self.year_starts != 1
    }

    /// The first day of the period that begins `index` periods after the start of the
    /// (fiscal) year that ends in `year`. Periods are counted from that year's start.
    fn start_of(&self, fiscal_year: i32, index: u32) -> Option<NaiveDate> {
        // The fiscal year named Y starts in year Y-1 unless it starts in January.
        let first_year = if self.fiscal() {
            fiscal_year - 1
        } else {
            fiscal_year
        };
        let year_start = NaiveDate::from_ymd_opt(first_year, self.year_starts, 1)?;
        year_start.checked_add_months(Months::new(index * self.cadence.months()))
    }

    /// The (fiscal) year `day` falls in, and the index of its period within that year.
    fn place(&self, day: NaiveDate) -> (i32, u32) {
        let months_into = (day.month() + 12 - self.year_starts) % 12;
        let fiscal_year = if self.fiscal() && day.month() >= self.year_starts {
            day.year() + 1
        } else {
            day.year()
        };
        (fiscal_year, months_into / self.cadence.months())
    }

    fn period(&self, fiscal_year: i32, index: u32) -> Option<Period> {
        let start = self.start_of(fiscal_year, index)?;
        let end = start
            .checked_add_months(Months::new(self.cadence.months()))?
            .pred_opt()?;
        let prefix = if self.fiscal() { "FY" } else { "" };
        let name = match self.cadence {
            Cadence::Monthly => format!("{:04}-{:02}", start.year(), start.month()),
            Cadence::Quarterly => format!("{prefix}{fiscal_year:04}-Q{}", index + 1),
            Cadence::Yearly => format!("{prefix}{fiscal_year:04}"),
        };
        Some(Period { name, start, end })
    }

    /// The period `day` falls in; `None` only at the ends of the calendar chrono knows.
    pub fn period_of(&self, day: NaiveDate) -> Option<Period> {
        let (year, index) = self.place(day);
        self.period(year, index)
    }

    /// The period before `period` (of this schedule).
    pub fn previous(&self, period: &Period) -> Option<Period> {
        self.period_of(period.start.pred_opt()?)
    }

    /// The `n` periods ending with `last`, oldest first.
    pub fn history(&self, last: &Period, n: usize) -> Vec<Period> {
        let mut periods = vec![last.clone()];
        while periods.len() < n {
            match periods.last().and_then(|p| self.previous(p)) {
                Some(p) => periods.push(p),
                None => break,
            }
        }
        periods.reverse();
        periods
    }

    /// An example name, for messages ("a period such as 2026-Q3").
    pub fn example(&self) -> String {
        let day = NaiveDate::from_ymd_opt(2026, 9, 15).unwrap_or_default();
        self.period_of(day).map(|p| p.name).unwrap_or_default()
    }

    /// Parses a period name of this schedule, or a `START..END` range.
    pub fn parse(&self, text: &str) -> Option<Period> {
        let text = text.trim();
        if text.contains("..") {
            return Period::range(text);
        }
        let upper = text.to_ascii_uppercase();
        let rest = if self.fiscal() && self.cadence != Cadence::Monthly {
            upper.strip_prefix("FY")?
        } else {
            upper.as_str()
        };
        let year = |s: &str| -> Option<i32> {
            (s.len() == 4 && s.bytes().all(|b| b.is_ascii_digit()))
                .then(|| s.parse().ok())
                .flatten()
        };
        let period = match self.cadence {
            Cadence::Yearly => self.period(year(rest)?, 0)?,
            Cadence::Quarterly => {
                let (y, q) = rest.split_once("-Q")?;
                let q: u32 = match q {
                    "1" | "2" | "3" | "4" => q.parse().ok()?,
                    _ => return None,
                };
                self.period(year(y)?, q - 1)?
            }
            Cadence::Monthly => {
                let (y, m) = rest.split_once('-')?;
                let m: u32 = (m.len() == 2).then(|| m.parse().ok()).flatten()?;
                let start = NaiveDate::from_ymd_opt(year(y)?, m, 1)?;
                self.period_of(start)?
            }
        };
        Some(period)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn span(p: &Period) -> (String, NaiveDate, NaiveDate) {
        (p.name.clone(), p.start, p.end)
    }

    #[test]
    fn calendar_periods_are_named_and_bounded() {
        let monthly = Schedule::calendar(Cadence::Monthly);
        let p = monthly.period_of(day(2024, 2, 10)).unwrap();
        assert_eq!(
            span(&p),
            ("2024-02".into(), day(2024, 2, 1), day(2024, 2, 29))
        );
        let quarterly = Schedule::calendar(Cadence::Quarterly);
        let p = quarterly.period_of(day(2026, 9, 30)).unwrap();
        assert_eq!(
            span(&p),
            ("2026-Q3".into(), day(2026, 7, 1), day(2026, 9, 30))
        );
        let yearly = Schedule::calendar(Cadence::Yearly);
        let p = yearly.period_of(day(2026, 1, 1)).unwrap();
        assert_eq!(
            span(&p),
            ("2026".into(), day(2026, 1, 1), day(2026, 12, 31))
        );
    }

    #[test]
    fn fiscal_years_are_named_by_the_year_they_end_in() {
        let fy = Schedule {
            cadence: Cadence::Yearly,
            year_starts: 4,
        };
        let p = fy.period_of(day(2025, 4, 1)).unwrap();
        assert_eq!(
            span(&p),
            ("FY2026".into(), day(2025, 4, 1), day(2026, 3, 31))
        );
        let p = fy.period_of(day(2026, 3, 31)).unwrap();
        assert_eq!(p.name, "FY2026");
        assert_eq!(fy.period_of(day(2026, 4, 1)).unwrap().name, "FY2027");
        let fq = Schedule {
            cadence: Cadence::Quarterly,
            year_starts: 10,
        };
        // US federal style: FY2026 starts 2025-10-01; its Q2 is January to March 2026.
        let p = fq.period_of(day(2026, 2, 14)).unwrap();
        assert_eq!(
            span(&p),
            ("FY2026-Q2".into(), day(2026, 1, 1), day(2026, 3, 31))
        );
        assert_eq!(fq.parse("fy2026-q2"), Some(p));
    }

    #[test]
    fn names_parse_back_to_their_period() {
        for (schedule, name) in [
            (Schedule::calendar(Cadence::Monthly), "2026-10"),
            (Schedule::calendar(Cadence::Quarterly), "2026-Q4"),
            (Schedule::calendar(Cadence::Yearly), "2026"),
            (
                Schedule {
                    cadence: Cadence::Yearly,
                    year_starts: 7,
                },
                "FY2027",
            ),
        ] {
            let p = schedule.parse(name).unwrap();
            assert_eq!(p.name, name);
            assert_eq!(schedule.period_of(p.start), Some(p.clone()));
            assert_eq!(schedule.period_of(p.end), Some(p));
        }
        let monthly = Schedule::calendar(Cadence::Monthly);
        for bad in ["2026-13", "2026-1", "26-10", "2026-Q3", "banana", ""] {
            assert_eq!(monthly.parse(bad), None, "{bad}");
        }
        let quarterly = Schedule::calendar(Cadence::Quarterly);
        assert_eq!(quarterly.parse("2026-Q5"), None);
        assert_eq!(quarterly.parse("FY2026-Q1"), None);
    }

    #[test]
    fn ranges_include_both_days() {
        let p = Period::range("2026-10-01..2026-10-15").unwrap();
        assert!(p.contains(day(2026, 10, 1)) && p.contains(day(2026, 10, 15)));
        assert!(!p.contains(day(2026, 10, 16)) && !p.contains(day(2026, 9, 30)));
        assert_eq!(p.name, "2026-10-01..2026-10-15");
        assert_eq!(Period::range("2026-10-15..2026-10-01"), None);
        assert_eq!(Period::range("2026-10-01..soon"), None);
        let monthly = Schedule::calendar(Cadence::Monthly);
        assert_eq!(monthly.parse(" 2026-10-01..2026-10-15 "), Some(p));
    }

    #[test]
    fn history_walks_back_over_year_ends() {
        let monthly = Schedule::calendar(Cadence::Monthly);
        let last = monthly.parse("2026-02").unwrap();
        let names: Vec<String> = monthly
            .history(&last, 4)
            .into_iter()
            .map(|p| p.name)
            .collect();
        assert_eq!(names, ["2025-11", "2025-12", "2026-01", "2026-02"]);
        let quarterly = Schedule::calendar(Cadence::Quarterly);
        let last = quarterly.parse("2026-Q1").unwrap();
        let prev = quarterly.previous(&last).unwrap();
        assert_eq!(
            span(&prev),
            ("2025-Q4".into(), day(2025, 10, 1), day(2025, 12, 31))
        );
        assert_eq!(quarterly.history(&last, 1), vec![last]);
    }

    #[test]
    fn cadence_words() {
        assert_eq!(Cadence::parse(" Quarterly"), Some(Cadence::Quarterly));
        assert_eq!(Cadence::parse("weekly"), None);
        assert_eq!(Cadence::Monthly.word(), "monthly");
        assert_eq!(Schedule::calendar(Cadence::Quarterly).example(), "2026-Q3");
    }
}
