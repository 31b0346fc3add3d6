//! The geometry of a Pathfinder image: dashed paths ("snakes") and two markers.
//!
//! Follows the procedure of `snakes2.py` / `snakes.py` (drewlinsley/pathfinder; Kim, Linsley,
//! Thakkar & Serre, ICLR 2020), the generator of the LRA Pathfinder data:
//! 1. Two target paths are seeded: the first one's tip uniformly in the square that keeps
//!    `2 × seed_distance` from each border, the second one's tip `seed_distance` away from it in
//!    a uniform direction; each first dash points in a uniform direction.
//! 2. Both grow alternately to `contour_length` dashes. From the end of dash *j* (direction θ),
//!    the path goes on `margin` to a joint, turns by Δ, goes on another `margin` (a gap of
//!    2 × margin in all) and draws the next dash of `paddle_length` in direction θ + Δ. Δ has
//!    density ∝ cos²(continuity · Δ) on |Δ| < 90° / continuity, restricted to the turns whose
//!    dash stays inside the image and away from every dash drawn before (except the previous
//!    dash of its own path) by [`PathfinderOptions::clearance`]. A dead end restarts both paths.
//! 3. `num_distractors` distractor paths of `distractor_length` dashes grow the same way from
//!    uniform seeds; one that cannot be placed in `distractor_retries` tries is left out.
//! 4. One target path is picked at random; a marker goes on its starting tip, the other on the
//!    far end of the same path (label 1) or of the other target path (label 0). Both classes
//!    thus put the markers on two path ends drawn the same way, so their distance does not give
//!    the label away.
//!
//! Restarting both target paths on a dead end (as the original did) is rejection sampling: with
//! the presets about 10 attempts per image at 32×32 and 175 at 128×128, and the accepted paths
//! curve more than the turn law alone would make them (mean |continuity · turn| ≈ 0.60 at 32 and
//! 128, 0.67 at 64, against 0.467 for the law, which a large empty canvas reproduces).
//!
//! Departures from the original: coordinates are continuous rather than rounded to pixels, the
//! turn is drawn among 32 evenly spaced (randomly offset) candidates rather than one per pixel
//! of the arc, and the overlap test of dilated pixel masks is the exact distance test of
//! [`PathfinderOptions::clearance`].

use rand::Rng;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use ssm_data::{DataError, DataInfo, Dataset, Example, InputKind, Provenance, Splits};

use crate::options::PathfinderOptions;
use crate::render;

/// A point in image coordinates: `x` to the right, `y` down, in pixels; pixel (row r, column c)
/// covers `[c, c + 1) × [r, r + 1)`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    pub x: f64,
    pub y: f64,
}

impl Point {
    pub fn new(x: f64, y: f64) -> Self {
        Self { x, y }
    }

    pub fn distance(self, other: Point) -> f64 {
        (self.x - other.x).hypot(self.y - other.y)
    }

    fn step(self, angle: f64, length: f64) -> Point {
        Point::new(self.x + length * angle.cos(), self.y + length * angle.sin())
    }
}

/// One drawn dash (a "paddle"), from `start` to `end` along its path.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Dash {
    pub start: Point,
    pub end: Point,
}

impl Dash {
    pub fn length(&self) -> f64 {
        self.start.distance(self.end)
    }

    /// Direction in radians (atan2 of the y and x displacements).
    pub fn direction(&self) -> f64 {
        (self.end.y - self.start.y).atan2(self.end.x - self.start.x)
    }
}

/// A dashed path: `dashes[j]` and `dashes[j + 1]` are linked through `joints[j]`, the point
/// where the path turns in the middle of the gap.
#[derive(Debug, Clone, PartialEq)]
pub struct Path {
    pub dashes: Vec<Dash>,
    pub joints: Vec<Point>,
}

impl Path {
    /// The starting tip (start of the first dash).
    pub fn start(&self) -> Point {
        self.dashes[0].start
    }

    /// The far end (end of the last dash).
    pub fn end(&self) -> Point {
        self.dashes[self.dashes.len() - 1].end
    }

    /// The centre line with its gaps closed: start, end of dash 0, joint 0, start of dash 1, …,
    /// end of the last dash.
    pub fn polyline(&self) -> Vec<Point> {
        let mut points = Vec::with_capacity(3 * self.dashes.len());
        for (j, dash) in self.dashes.iter().enumerate() {
            if j > 0 {
                points.push(self.joints[j - 1]);
            }
            points.push(dash.start);
            points.push(dash.end);
        }
        points
    }
}

/// One generated image with its structure.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    /// `resolution²` intensities, row-major.
    pub image: Vec<u8>,
    /// 1 iff both markers are on the same path.
    pub label: u32,
    /// `paths[0]`, `paths[1]`: the two target paths; then the distractors that were placed.
    pub paths: Vec<Path>,
    /// `markers[0]`: on the starting tip of one target path; `markers[1]`: on the far end of the
    /// same target path (label 1) or of the other one (label 0).
    pub markers: [Point; 2],
    /// The paddle margin drawn for this image (gaps are twice this).
    pub margin: f64,
}

/// The three splits; each has its own random stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Split {
    Train = 0,
    Val = 1,
    Test = 2,
}

/// Attempts at the two target paths before giving up on an image.
const MAX_TARGET_ATTEMPTS: usize = 10_000;
/// Candidate turns per step.
const TURN_CANDIDATES: usize = 32;

/// The random stream of example `index` of `split`: ChaCha8 seeded with `seed`, stream
/// `split << 48 | index`. Example `i` depends on nothing else.
pub fn example_rng(seed: u64, split: Split, index: usize) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(((split as u64) << 48) | index as u64);
    rng
}

/// Example `index` of `split` as [`generate`] makes it (label `index % 2`), with its structure.
pub fn sample_at(opts: &PathfinderOptions, seed: u64, split: Split, index: usize) -> Result<Sample, DataError> {
    generate_labelled(opts, (index % 2) as u32, &mut example_rng(seed, split, index))
}

/// One image with a label drawn 50/50, as the original did.
pub fn generate_one<R: Rng>(opts: &PathfinderOptions, rng: &mut R) -> Result<Sample, DataError> {
    let label = rng.random_range(0..2u32);
    generate_labelled(opts, label, rng)
}

/// One image of the given label (0 or 1).
pub fn generate_labelled<R: Rng>(opts: &PathfinderOptions, label: u32, rng: &mut R) -> Result<Sample, DataError> {
    opts.validate()?;
    if label > 1 {
        return Err(DataError::Invalid(format!("pathfinder label {label}: must be 0 or 1")));
    }
    let margin = opts.paddle_margins[rng.random_range(0..opts.paddle_margins.len())];
    let mut scene = Scene::new(opts, margin);
    let mut placed = false;
    for _ in 0..MAX_TARGET_ATTEMPTS {
        scene.clear();
        if scene.grow_targets(rng) {
            placed = true;
            break;
        }
    }
    if !placed {
        return Err(DataError::Invalid(format!(
            "pathfinder: could not place two target paths of {} dashes in {MAX_TARGET_ATTEMPTS} attempts at resolution {}; \
             the options leave too little room",
            opts.contour_length, opts.resolution
        )));
    }
    for _ in 0..opts.num_distractors {
        for _ in 0..=opts.distractor_retries {
            if scene.grow_path(rng, opts.distractor_length) {
                break;
            }
        }
    }
    let origin = rng.random_range(0..2usize);
    let terminal = if label == 1 { origin } else { 1 - origin };
    let markers = [scene.paths[origin].start(), scene.paths[terminal].end()];
    let image = render::render(&scene.paths, &markers, opts);
    Ok(Sample { image, label, paths: scene.paths, markers, margin })
}

/// A generated data set: `n_train`, `n_val`, `n_test` images; example `i` of a split has label
/// `i % 2` (balanced classes) and depends only on `(seed, split, i)`, so the result does not
/// depend on the number of threads.
pub fn generate(
    opts: &PathfinderOptions,
    n_train: usize,
    n_val: usize,
    n_test: usize,
    seed: u64,
) -> Result<Dataset, DataError> {
    opts.validate()?;
    let make = |split: Split, n: usize| -> Result<Vec<Example>, DataError> {
        (0..n)
            .into_par_iter()
            .map(|i| {
                let sample = sample_at(opts, seed, split, i)?;
                Ok(Example::single(sample.image.iter().map(|&p| u16::from(p)).collect(), sample.label))
            })
            .collect()
    };
    let splits =
        Splits { train: make(Split::Train, n_train)?, val: make(Split::Val, n_val)?, test: make(Split::Test, n_test)? };
    let options = serde_json::to_string(opts).map_err(|e| DataError::Invalid(format!("pathfinder options: {e}")))?;
    let recipe = format!(
        "Pathfinder snakes (Kim, Linsley et al. 2020, drewlinsley/pathfinder snakes2.py) with the LRA parameters; \
         seed {seed}; options {options}"
    );
    let info = DataInfo {
        name: format!("pathfinder{}", opts.resolution),
        input: InputKind::Pixels,
        vocab_size: 256,
        n_classes: 2,
        max_len: opts.resolution * opts.resolution,
        pairs: false,
        provenance: Provenance::Generated { recipe },
        dropped: Vec::new(),
        notes: Vec::new(),
    };
    Ok(Dataset { info, splits })
}

/// Distance between segments `a0 a1` and `b0 b1`.
pub(crate) fn segment_distance(a0: Point, a1: Point, b0: Point, b1: Point) -> f64 {
    let cross = |o: Point, p: Point, q: Point| (p.x - o.x) * (q.y - o.y) - (p.y - o.y) * (q.x - o.x);
    let (d1, d2) = (cross(b0, b1, a0), cross(b0, b1, a1));
    let (d3, d4) = (cross(a0, a1, b0), cross(a0, a1, b1));
    if ((d1 > 0.0 && d2 < 0.0) || (d1 < 0.0 && d2 > 0.0)) && ((d3 > 0.0 && d4 < 0.0) || (d3 < 0.0 && d4 > 0.0)) {
        return 0.0;
    }
    point_segment_distance(a0, b0, b1)
        .min(point_segment_distance(a1, b0, b1))
        .min(point_segment_distance(b0, a0, a1))
        .min(point_segment_distance(b1, a0, a1))
}

/// Distance from `p` to segment `a b`.
pub(crate) fn point_segment_distance(p: Point, a: Point, b: Point) -> f64 {
    let (dx, dy) = (b.x - a.x, b.y - a.y);
    let len2 = dx * dx + dy * dy;
    let t = if len2 > 0.0 { (((p.x - a.x) * dx + (p.y - a.y) * dy) / len2).clamp(0.0, 1.0) } else { 0.0 };
    p.distance(Point::new(a.x + t * dx, a.y + t * dy))
}

/// The paths placed so far and the rules for placing more.
struct Scene<'a> {
    opts: &'a PathfinderOptions,
    margin: f64,
    clearance: f64,
    paths: Vec<Path>,
}

impl<'a> Scene<'a> {
    fn new(opts: &'a PathfinderOptions, margin: f64) -> Self {
        Self { opts, margin, clearance: opts.clearance(margin), paths: Vec::new() }
    }

    fn clear(&mut self) {
        self.paths.clear();
    }

    fn inside(&self, p: Point) -> bool {
        let (lo, hi) = (self.opts.padding, self.opts.resolution as f64 - self.opts.padding);
        p.x >= lo && p.x <= hi && p.y >= lo && p.y <= hi
    }

    /// Whether `dash` may be drawn: inside the image and clear of every dash but the previous
    /// dash of its own path (`own`: index of the path it extends, if any).
    fn fits(&self, dash: Dash, own: Option<usize>) -> bool {
        if !self.inside(dash.start) || !self.inside(dash.end) {
            return false;
        }
        let c = self.clearance;
        let (x0, x1) = (dash.start.x.min(dash.end.x) - c, dash.start.x.max(dash.end.x) + c);
        let (y0, y1) = (dash.start.y.min(dash.end.y) - c, dash.start.y.max(dash.end.y) + c);
        for (k, path) in self.paths.iter().enumerate() {
            let skip = if own == Some(k) { path.dashes.len() - 1 } else { usize::MAX };
            for (j, other) in path.dashes.iter().enumerate() {
                if j == skip {
                    continue;
                }
                let (a, b) = (other.start, other.end);
                if a.x.max(b.x) < x0 || a.x.min(b.x) > x1 || a.y.max(b.y) < y0 || a.y.min(b.y) > y1 {
                    continue;
                }
                if segment_distance(dash.start, dash.end, a, b) < c {
                    return false;
                }
            }
        }
        true
    }

    fn seed_dash<R: Rng>(&self, rng: &mut R, tip: Point) -> Dash {
        let angle = rng.random_range(-std::f64::consts::PI..std::f64::consts::PI);
        Dash { start: tip, end: tip.step(angle, self.opts.paddle_length) }
    }

    /// Adds a dash to path `k`, or says there is none that fits.
    fn extend<R: Rng>(&mut self, rng: &mut R, k: usize) -> bool {
        let (opts, m) = (self.opts, self.margin);
        let last = *self.paths[k].dashes.last().expect("a path has a first dash");
        let theta = last.direction();
        let joint = last.end.step(theta, m);
        let max_turn = opts.max_turn();
        let spacing = 2.0 * max_turn / TURN_CANDIDATES as f64;
        let offset: f64 = rng.random();
        let mut candidates = [(0.0f64, Dash { start: joint, end: joint }); TURN_CANDIDATES];
        let mut total = 0.0;
        // Candidate i turns by -max_turn + (i + offset) · spacing. Its direction (cos, sin) and
        // cos(continuity · turn) are stepped by rotation, not recomputed: two sin_cos per step.
        let first_turn = -max_turn + offset * spacing;
        let (mut sin, mut cos) = (theta + first_turn).sin_cos();
        let (step_sin, step_cos) = spacing.sin_cos();
        let (mut w_sin, mut w_cos) = (opts.continuity * first_turn).sin_cos();
        let (w_step_sin, w_step_cos) = (opts.continuity * spacing).sin_cos();
        for slot in candidates.iter_mut() {
            let start = Point::new(joint.x + m * cos, joint.y + m * sin);
            let end = Point::new(start.x + opts.paddle_length * cos, start.y + opts.paddle_length * sin);
            let dash = Dash { start, end };
            let weight = w_cos.max(0.0).powi(2);
            let weight = if weight > 0.0 && self.fits(dash, Some(k)) { weight } else { 0.0 };
            total += weight;
            *slot = (weight, dash);
            (sin, cos) = (sin * step_cos + cos * step_sin, cos * step_cos - sin * step_sin);
            (w_sin, w_cos) = (w_sin * w_step_cos + w_cos * w_step_sin, w_cos * w_step_cos - w_sin * w_step_sin);
        }
        if total <= 0.0 {
            return false;
        }
        let mut pick = rng.random::<f64>() * total;
        let mut chosen = None;
        for (weight, dash) in candidates {
            if weight > 0.0 {
                chosen = Some(dash);
                if pick < weight {
                    break;
                }
                pick -= weight;
            }
        }
        let path = &mut self.paths[k];
        path.joints.push(joint);
        path.dashes.push(chosen.expect("total > 0"));
        true
    }

    /// Seeds and grows the two target paths alternately; false on a dead end.
    fn grow_targets<R: Rng>(&mut self, rng: &mut R) -> bool {
        let (opts, res) = (self.opts, self.opts.resolution as f64);
        let sd = opts.seed_distance;
        let tip_a = Point::new(rng.random_range(2.0 * sd..res - 2.0 * sd), rng.random_range(2.0 * sd..res - 2.0 * sd));
        let first_a = self.seed_dash(rng, tip_a);
        if !self.fits(first_a, None) {
            return false;
        }
        self.paths.push(Path { dashes: vec![first_a], joints: vec![] });
        let away = rng.random_range(-std::f64::consts::PI..std::f64::consts::PI);
        let first_b = self.seed_dash(rng, tip_a.step(away, sd));
        if !self.fits(first_b, None) {
            return false;
        }
        self.paths.push(Path { dashes: vec![first_b], joints: vec![] });
        for _ in 1..opts.contour_length {
            if !self.extend(rng, 0) || !self.extend(rng, 1) {
                return false;
            }
        }
        true
    }

    /// Grows one path of `length` dashes from a uniform seed; on a dead end removes it and says
    /// false.
    fn grow_path<R: Rng>(&mut self, rng: &mut R, length: usize) -> bool {
        let (lo, hi) = (self.opts.padding, self.opts.resolution as f64 - self.opts.padding);
        let tip = Point::new(rng.random_range(lo..hi), rng.random_range(lo..hi));
        let first = self.seed_dash(rng, tip);
        if !self.fits(first, None) {
            return false;
        }
        self.paths.push(Path { dashes: vec![first], joints: vec![] });
        let k = self.paths.len() - 1;
        for _ in 1..length {
            if !self.extend(rng, k) {
                self.paths.pop();
                return false;
            }
        }
        true
    }
}
