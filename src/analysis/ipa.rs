//! Importance-performance analysis (Martilla & James): dimensions placed in four quadrants.
//!
//! Importance is the dimension's weight (fixed in the YAML or the respondents' mean
//! importance points), performance the mean perception P. The crosshair is the mean
//! importance and the mean performance of the points placed, so the quadrants say
//! which dimensions matter more than average and do worse than average. A point on a
//! crosshair line (within [`ON_THE_LINE`], so that rounding cannot split equal weights)
//! counts as high on that axis; when every dimension weighs the same, all sit on the
//! importance line, count as important, and the grid divides by performance alone
//! (`crosshair.equal_importance`).

use serde::Serialize;

use crate::analysis::gaps::{DimensionResult, ServqualScore};

/// One of the four quadrants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Quadrant {
    /// High importance, low performance: improve here first.
    ConcentrateHere,
    /// High importance, high performance.
    KeepUpTheGoodWork,
    /// Low importance, low performance.
    LowPriority,
    /// Low importance, high performance: resources may be better spent elsewhere.
    PossibleOverkill,
}

/// Values this close to a crosshair line sit on it (weights that are equal on paper,
/// e.g. 1/5 each, differ by rounding).
pub const ON_THE_LINE: f64 = 1e-9;

impl Quadrant {
    /// The quadrant of a point with `importance` and `performance` against a crosshair.
    pub fn of(importance: f64, performance: f64, crosshair: &Crosshair) -> Quadrant {
        let important = importance >= crosshair.importance - ON_THE_LINE;
        let performing = performance >= crosshair.performance - ON_THE_LINE;
        match (important, performing) {
            (true, false) => Quadrant::ConcentrateHere,
            (true, true) => Quadrant::KeepUpTheGoodWork,
            (false, false) => Quadrant::LowPriority,
            (false, true) => Quadrant::PossibleOverkill,
        }
    }
}

/// Where the quadrants divide.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Crosshair {
    /// Mean importance of the points placed.
    pub importance: f64,
    /// Mean performance of the points placed.
    pub performance: f64,
    /// How the crosshair was chosen: always `mean`.
    pub rule: &'static str,
    /// Every point has the same importance: all count as important, and the quadrants
    /// divide by performance only.
    pub equal_importance: bool,
}

/// One dimension or item in the grid.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IpaPoint {
    /// Dimension or item id.
    pub id: String,
    /// Importance (weight, 0..1).
    pub importance: f64,
    /// Performance (mean P on the scale).
    pub performance: f64,
    /// The quadrant.
    pub quadrant: Quadrant,
}

/// The importance-performance grid of a report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Ipa {
    /// Where importance came from: `yaml` or `survey` weights.
    pub importance_source: Option<&'static str>,
    /// The crosshair of the dimension grid.
    pub crosshair: Crosshair,
    /// Dimensions with both importance and performance, in instrument order.
    pub dimensions: Vec<IpaPoint>,
    /// Items, where item importance was measured (none yet: surveys collect importance
    /// per dimension only).
    pub items: Vec<IpaPoint>,
}

impl Ipa {
    /// The quadrant of dimension `id`, if it was placed.
    pub fn quadrant_of(&self, id: &str) -> Option<Quadrant> {
        self.dimensions
            .iter()
            .find(|p| p.id == id)
            .map(|p| p.quadrant)
    }
}

/// Places `(id, importance, performance)` points against the crosshair of their means;
/// `None` when there are fewer than two points (a single point has no "above average").
pub fn place(points: &[(String, f64, f64)]) -> Option<(Crosshair, Vec<IpaPoint>)> {
    if points.len() < 2 {
        return None;
    }
    let n = points.len() as f64;
    let importance = points.iter().map(|p| p.1).sum::<f64>() / n;
    let crosshair = Crosshair {
        importance,
        performance: points.iter().map(|p| p.2).sum::<f64>() / n,
        rule: "mean",
        equal_importance: points
            .iter()
            .all(|p| (p.1 - importance).abs() <= ON_THE_LINE),
    };
    let placed = points
        .iter()
        .map(|(id, i, p)| IpaPoint {
            id: id.clone(),
            importance: *i,
            performance: *p,
            quadrant: Quadrant::of(*i, *p, &crosshair),
        })
        .collect();
    Some((crosshair, placed))
}

/// The grid of the dimensions that have a weight and a mean perception.
pub fn analyse(dimensions: &[DimensionResult], servqual: &ServqualScore) -> Option<Ipa> {
    let points: Vec<(String, f64, f64)> = dimensions
        .iter()
        .filter_map(|d| Some((d.id.clone(), d.weight?, d.perceived?)))
        .filter(|(_, i, p)| i.is_finite() && p.is_finite())
        .collect();
    let (crosshair, placed) = place(&points)?;
    Some(Ipa {
        importance_source: servqual.weights_source,
        crosshair,
        dimensions: placed,
        items: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quadrants_against_a_hand_worked_crosshair() {
        // Importance 0.40, 0.30, 0.20, 0.10 -> mean 1.00 / 4 = 0.25.
        // Performance 4.0, 6.0, 5.0, 6.2   -> mean 21.2 / 4 = 5.30.
        let pts = vec![
            ("reliability".to_string(), 0.40, 4.0),
            ("responsiveness".to_string(), 0.30, 6.0),
            ("empathy".to_string(), 0.20, 5.0),
            ("tangibles".to_string(), 0.10, 6.2),
        ];
        let (c, placed) = place(&pts).unwrap();
        assert!((c.importance - 0.25).abs() < 1e-12);
        assert!((c.performance - 5.3).abs() < 1e-12);
        let q: Vec<Quadrant> = placed.iter().map(|p| p.quadrant).collect();
        assert_eq!(
            q,
            vec![
                Quadrant::ConcentrateHere,   // 0.40 >= 0.25, 4.0 < 5.3
                Quadrant::KeepUpTheGoodWork, // 0.30 >= 0.25, 6.0 >= 5.3
                Quadrant::LowPriority,       // 0.20 < 0.25, 5.0 < 5.3
                Quadrant::PossibleOverkill,  // 0.10 < 0.25, 6.2 >= 5.3
            ]
        );
    }

    #[test]
    fn a_point_on_the_crosshair_counts_as_high() {
        // Two points: crosshair (0.5, 5.0); a third exactly on it is high/high.
        let c = Crosshair {
            importance: 0.5,
            performance: 5.0,
            rule: "mean",
            equal_importance: false,
        };
        assert_eq!(Quadrant::of(0.5, 5.0, &c), Quadrant::KeepUpTheGoodWork);
    }

    #[test]
    fn equal_weights_all_count_as_important_despite_rounding() {
        // Five weights of 1/5: their mean is not exactly 0.2 in floating point, yet every
        // dimension sits on the line; the grid divides by performance only.
        let w = 1.0 / 5.0;
        let points: Vec<(String, f64, f64)> = [4.0, 4.5, 5.0, 5.5, 6.0]
            .iter()
            .enumerate()
            .map(|(i, p)| (format!("d{i}"), w, *p))
            .collect();
        let (c, placed) = place(&points).unwrap();
        assert!(c.equal_importance);
        let quadrants: Vec<Quadrant> = placed.iter().map(|p| p.quadrant).collect();
        use Quadrant::*;
        assert_eq!(
            quadrants,
            vec![
                ConcentrateHere,
                ConcentrateHere,
                KeepUpTheGoodWork,
                KeepUpTheGoodWork,
                KeepUpTheGoodWork
            ]
        );
    }

    #[test]
    fn fewer_than_two_points_place_nothing() {
        assert!(place(&[("a".into(), 1.0, 5.0)]).is_none());
        assert!(place(&[]).is_none());
    }
}
