//! 16-bit levels: real values kept in the `u16` token vector of an [`crate::Example`] through one
//! affine map `min..=max → 0..=65535`, fitted on the training split only, so no float input path
//! is needed ([`crate::InputKind::Levels`]). Inside the range the level is the nearest one, so
//! de-quantising is off by at most half a step, `(max − min) / 65535 / 2`; values of other splits
//! outside the range are clamped to its ends and counted.

use crate::InputKind;

/// Level ids of a [`crate::InputKind::Levels`] data set: `0..=65535`.
pub const LEVELS: usize = 1 << 16;

/// The highest level, as a float.
const TOP: f64 = (LEVELS - 1) as f64;

/// The affine map of one data set: `min` is level 0, `max` level 65535.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LevelMap {
    pub min: f64,
    pub max: f64,
}

impl LevelMap {
    /// The map of the range of `values`; `None` when there is no finite value or all are equal
    /// (a range of zero width has no levels).
    pub fn fit(values: impl IntoIterator<Item = f64>) -> Option<Self> {
        let (min, max) = values
            .into_iter()
            .filter(|v| v.is_finite())
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| (lo.min(v), hi.max(v)));
        (min < max).then_some(Self { min, max })
    }

    /// The width of one level.
    pub fn step(&self) -> f64 {
        (self.max - self.min) / TOP
    }

    /// The nearest level of `x`, and whether `x` lay outside `min..=max` (then the nearest end).
    pub fn level(&self, x: f64) -> (u16, bool) {
        let t = (x - self.min) / (self.max - self.min) * TOP;
        if t < 0.0 {
            (0, true)
        } else if t > TOP {
            (u16::MAX, true)
        } else {
            (t.round() as u16, false)
        }
    }

    /// The real value level `v` stands for.
    pub fn value(&self, v: u16) -> f64 {
        self.min + f64::from(v) * self.step()
    }

    /// The input kind of data quantised by this map.
    pub fn input(&self) -> InputKind {
        InputKind::Levels { min: self.min, max: self.max }
    }
}
