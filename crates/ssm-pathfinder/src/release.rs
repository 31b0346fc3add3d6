//! The LRA release folders of Pathfinder: loading them as the s4 repository does, and writing
//! them (for fixtures, or to hand generated data to code that reads the release).
//!
//! Layout (`lra_release.gz`, unpacked): `<data_dir>/pathfinder{32,64,128,256}/<difficulty>/`
//! holding `imgs/<k>/sample_<i>.png` (8-bit grayscale, `resolution²` pixels) and
//! `metadata/<k>.npy`. Despite the name, a metadata file is text: one line per image, fields
//! separated by spaces; field 0 is the folder (`imgs/<k>`), field 1 the file name, field 3 the
//! label (the original writes the image index as field 2 and the recipe's parameters after the
//! label; no reader uses them).
//!
//! [`load_release`] follows `PathFinderDataset` / `PathFinder.setup` of state-spaces/s4
//! (`src/dataloaders/lra.py`): every metadata file of one difficulty in the numeric order of its
//! name, its lines in order, the images listed there, skipping the files of [`S4_BLACKLIST`]
//! (counted in [`DataInfo::dropped`]), then a seeded 80/10/10 split. s4 splits with torch's
//! `random_split` (generator seed 42; val and test `int(0.1 · n)` each, train the rest); this
//! loader gives the same sizes with [`ssm_data::split_by_fractions`] and seed 42, so the split
//! *members* differ from s4's.

use std::fs;
use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use ssm_data::{split_by_fractions, DataError, DataInfo, Dataset, Example, InputKind, Location, Provenance, Splits};

/// The three difficulty levels of the release (the LRA "easy", "intermediate", "hard" splits).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum Difficulty {
    /// Target paths of 6 dashes.
    #[serde(rename = "curv_baseline")]
    Baseline,
    /// Target paths of 9 dashes.
    #[serde(rename = "curv_contour_length_9")]
    ContourLength9,
    /// Target paths of 14 dashes: the level LRA and s4 report.
    #[default]
    #[serde(rename = "curv_contour_length_14")]
    ContourLength14,
}

impl Difficulty {
    pub const ALL: [Difficulty; 3] = [Difficulty::Baseline, Difficulty::ContourLength9, Difficulty::ContourLength14];

    /// The folder name in the release.
    pub fn folder(self) -> &'static str {
        match self {
            Difficulty::Baseline => "curv_baseline",
            Difficulty::ContourLength9 => "curv_contour_length_9",
            Difficulty::ContourLength14 => "curv_contour_length_14",
        }
    }

    /// Dashes per target path at this level (the generator's `contour_length`).
    pub fn contour_length(self) -> usize {
        match self {
            Difficulty::Baseline => 6,
            Difficulty::ContourLength9 => 9,
            Difficulty::ContourLength14 => 14,
        }
    }
}

impl std::fmt::Display for Difficulty {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.folder())
    }
}

impl FromStr for Difficulty {
    type Err = DataError;

    fn from_str(s: &str) -> Result<Self, DataError> {
        Difficulty::ALL.into_iter().find(|d| d.folder() == s).ok_or_else(|| {
            DataError::Invalid(format!(
                "pathfinder difficulty `{s}`: expected curv_baseline, curv_contour_length_9 or curv_contour_length_14"
            ))
        })
    }
}

/// Images that s4 skips, relative to the folder that holds `pathfinder{32,…}`.
pub const S4_BLACKLIST: &[&str] = &["pathfinder32/curv_baseline/imgs/0/sample_172.png"];

/// The [`DataInfo::dropped`] rule under which [`S4_BLACKLIST`] hits are counted.
pub const S4_BLACKLIST_RULE: &str = "s4 blacklist (empty image)";

/// `pathfinder{resolution}/{difficulty}` under `data_dir`.
pub fn release_folder(data_dir: &Path, resolution: usize, difficulty: Difficulty) -> PathBuf {
    data_dir.join(format!("pathfinder{resolution}")).join(difficulty.folder())
}

/// Loads one difficulty of one resolution of the release under `data_dir` (the folder holding
/// `pathfinder32/` etc.; Path-X is resolution 128) and splits it 80/10/10 with seed 42.
///
/// Images must be PNGs of `resolution × resolution`. Grayscale is read as is (bit depths below 8
/// are expanded, 16-bit keeps its high byte); colour, palette and alpha images are converted to
/// gray as s4's `Image.convert("L")` does (L = (299 R + 587 G + 114 B) / 1000, alpha ignored).
///
/// Errors name the file (and line): a missing folder, metadata folder or listed image is
/// [`DataError::Missing`]; a metadata line of fewer than 4 fields or with a label other than 0
/// or 1, or an image that does not decode or has the wrong size, is [`DataError::Malformed`].
/// Nothing is skipped but the [`S4_BLACKLIST`] files, which are counted.
pub fn load_release(data_dir: &Path, resolution: usize, difficulty: Difficulty) -> Result<Dataset, DataError> {
    let root = release_folder(data_dir, resolution, difficulty);
    let res_dir = data_dir.join(format!("pathfinder{resolution}"));
    if !res_dir.is_dir() {
        return Err(DataError::missing(
            &res_dir,
            format!("the pathfinder{resolution} folder of the LRA release (lra_release.gz unpacked: lra_release/pathfinder{resolution})"),
        ));
    }
    if !root.is_dir() {
        return Err(DataError::missing(
            &root,
            format!("the {difficulty} folder of pathfinder{resolution}, holding imgs/ and metadata/"),
        ));
    }
    let meta_dir = root.join("metadata");
    if !meta_dir.is_dir() {
        return Err(DataError::missing(
            &meta_dir,
            "the metadata folder, holding one <k>.npy text file per imgs/<k> folder",
        ));
    }
    let metadata = metadata_files(&meta_dir)?;
    let prefix = format!("pathfinder{resolution}/{}", difficulty.folder());

    let mut listed = Vec::new();
    let mut blacklisted = 0;
    for (_, file) in &metadata {
        for entry in parse_metadata(file)? {
            let relative = normalise(&format!("{prefix}/{}/{}", entry.folder, entry.name));
            if S4_BLACKLIST.iter().any(|b| normalise(b) == relative) {
                blacklisted += 1;
                continue;
            }
            listed.push((root.join(&entry.folder).join(&entry.name), entry.label, file, entry.line));
        }
    }

    let decoded: Vec<Result<Example, DataError>> = listed
        .par_iter()
        .map(|(png_path, label, meta, line)| {
            let bytes = fs::read(png_path).map_err(|e| match e.kind() {
                std::io::ErrorKind::NotFound => {
                    DataError::missing(png_path, format!("image listed in {}:line {line}", meta.display()))
                }
                _ => DataError::io(png_path, e),
            })?;
            let pixels = decode_gray(&bytes, png_path, resolution)?;
            Ok(Example::single(pixels.into_iter().map(u16::from).collect(), *label))
        })
        .collect();
    let examples = decoded.into_iter().collect::<Result<Vec<_>, _>>()?;

    // s4: val = int(0.1 n), test = int(0.1 n), train = the rest.
    let mut parts = split_by_fractions(examples, &[0.1, 0.1, 0.8], 42).into_iter();
    let (val, test, train) =
        (parts.next().unwrap_or_default(), parts.next().unwrap_or_default(), parts.next().unwrap_or_default());
    let dropped = if blacklisted > 0 { vec![(S4_BLACKLIST_RULE.to_string(), blacklisted)] } else { Vec::new() };
    let info = DataInfo {
        name: format!("pathfinder{resolution}"),
        input: InputKind::Pixels,
        vocab_size: 256,
        n_classes: 2,
        max_len: resolution * resolution,
        pairs: false,
        provenance: Provenance::Release { path: root.display().to_string() },
        dropped,
        notes: Vec::new(),
    };
    Ok(Dataset { info, splits: Splits { train, val, test } })
}

/// Path components joined by `/`, without empty and `.` components.
fn normalise(path: &str) -> String {
    path.split(['/', '\\']).filter(|c| !c.is_empty() && *c != ".").collect::<Vec<_>>().join("/")
}

/// The `<k>.npy` files of a metadata folder, in the order of `k`.
fn metadata_files(meta_dir: &Path) -> Result<Vec<(u64, PathBuf)>, DataError> {
    let mut files = Vec::new();
    for entry in fs::read_dir(meta_dir).map_err(|e| DataError::io(meta_dir, e))? {
        let path = entry.map_err(|e| DataError::io(meta_dir, e))?.path();
        if path.extension().and_then(|e| e.to_str()) != Some("npy") {
            continue;
        }
        let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
        let k = stem.parse::<u64>().map_err(|_| {
            DataError::malformed(
                &path,
                Location::File,
                "a metadata file is named <k>.npy with an integer k (s4 sorts them by k)",
            )
        })?;
        files.push((k, path));
    }
    if files.is_empty() {
        return Err(DataError::missing(meta_dir, "no <k>.npy metadata files in the metadata folder"));
    }
    files.sort();
    Ok(files)
}

struct MetadataLine {
    folder: String,
    name: String,
    label: u32,
    line: usize,
}

/// The lines of one metadata file; blank lines are not samples and are passed over.
fn parse_metadata(path: &Path) -> Result<Vec<MetadataLine>, DataError> {
    let bytes = fs::read(path).map_err(|e| DataError::io(path, e))?;
    if bytes.starts_with(b"\x93NUMPY") {
        return Err(DataError::malformed(
            path,
            Location::File,
            "a binary NumPy array; the LRA release's metadata/<k>.npy files are text, one line per image",
        ));
    }
    let text = String::from_utf8(bytes)
        .map_err(|e| DataError::malformed(path, Location::File, format!("not UTF-8 text ({e})")))?;
    let mut lines = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        let fields: Vec<&str> = line.split_whitespace().collect();
        if fields.is_empty() {
            continue;
        }
        if fields.len() < 4 {
            return Err(DataError::malformed(
                path,
                Location::Line(n),
                format!(
                    "expected at least 4 space-separated fields (imgs/<k> sample_<i>.png <index> <label> …), found {}",
                    fields.len()
                ),
            ));
        }
        let label = match fields[3] {
            "0" => 0,
            "1" => 1,
            other => {
                return Err(DataError::malformed(
                    path,
                    Location::Line(n),
                    format!("label `{other}` (field 4) is not 0 or 1"),
                ))
            }
        };
        lines.push(MetadataLine { folder: fields[0].to_string(), name: fields[1].to_string(), label, line: n });
    }
    Ok(lines)
}

/// Decodes a PNG of `resolution × resolution` to 8-bit gray (see [`load_release`]).
pub fn decode_gray(bytes: &[u8], path: &Path, resolution: usize) -> Result<Vec<u8>, DataError> {
    let bad = |msg: String| DataError::malformed(path, Location::File, msg);
    let mut decoder = png::Decoder::new(Cursor::new(bytes));
    decoder.set_transformations(png::Transformations::normalize_to_color8());
    let mut reader = decoder.read_info().map_err(|e| bad(format!("not a decodable PNG ({e})")))?;
    let (w, h) = (reader.info().width as usize, reader.info().height as usize);
    if (w, h) != (resolution, resolution) {
        return Err(bad(format!("image is {w}×{h}, expected {resolution}×{resolution} for pathfinder{resolution}")));
    }
    let size = reader.output_buffer_size().ok_or_else(|| bad("image too large to decode".into()))?;
    let mut buf = vec![0u8; size];
    let frame = reader.next_frame(&mut buf).map_err(|e| bad(format!("PNG data does not decode ({e})")))?;
    let (color, depth) = reader.output_color_type();
    if depth != png::BitDepth::Eight {
        return Err(bad(format!("unexpected bit depth {depth:?} after expansion")));
    }
    let channels = color.samples();
    let stride = frame.line_size;
    let luma = |px: &[u8]| -> u8 {
        match color {
            png::ColorType::Grayscale | png::ColorType::GrayscaleAlpha => px[0],
            // PIL's convert("L"): ITU-R 601-2 luma, rounded.
            _ => ((u32::from(px[0]) * 299 + u32::from(px[1]) * 587 + u32::from(px[2]) * 114 + 500) / 1000) as u8,
        }
    };
    let mut out = Vec::with_capacity(w * h);
    for row in buf.chunks(stride).take(h) {
        out.extend(row[..w * channels].chunks(channels).map(luma));
    }
    Ok(out)
}

/// Encodes `pixels` (`resolution²`, row-major) as an 8-bit grayscale PNG.
pub fn encode_gray(pixels: &[u8], resolution: usize) -> Result<Vec<u8>, DataError> {
    let err = |e: png::EncodingError| DataError::Invalid(format!("PNG encoding: {e}"));
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, resolution as u32, resolution as u32);
    encoder.set_color(png::ColorType::Grayscale);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().map_err(err)?;
    writer.write_image_data(pixels).map_err(err)?;
    writer.finish().map_err(err)?;
    Ok(out)
}

/// Writes `samples` (pixels, label) as `pathfinder{resolution}/{difficulty}` under `data_dir`, in
/// the release layout: sample `j` goes to `imgs/<j / per_folder>/sample_<j % per_folder>.png`,
/// and each folder `k` gets `metadata/<k>.npy` with lines `imgs/<k> sample_<i>.png <i> <label>`
/// (the four fields readers use; the original's trailing recipe fields are left out).
pub fn write_release(
    data_dir: &Path,
    resolution: usize,
    difficulty: Difficulty,
    samples: &[(Vec<u8>, u32)],
    per_folder: usize,
) -> Result<(), DataError> {
    if per_folder == 0 {
        return Err(DataError::Invalid("write_release: per_folder must be at least 1".into()));
    }
    for (j, (pixels, label)) in samples.iter().enumerate() {
        if pixels.len() != resolution * resolution {
            return Err(DataError::Invalid(format!(
                "write_release: sample {j} has {} pixels, expected {resolution}² = {}",
                pixels.len(),
                resolution * resolution
            )));
        }
        if *label > 1 {
            return Err(DataError::Invalid(format!("write_release: sample {j} has label {label}, expected 0 or 1")));
        }
    }
    let root = release_folder(data_dir, resolution, difficulty);
    let meta_dir = root.join("metadata");
    fs::create_dir_all(&meta_dir).map_err(|e| DataError::io(&meta_dir, e))?;
    for (k, chunk) in samples.chunks(per_folder).enumerate() {
        let img_dir = root.join("imgs").join(k.to_string());
        fs::create_dir_all(&img_dir).map_err(|e| DataError::io(&img_dir, e))?;
        let mut lines = String::new();
        for (i, (pixels, label)) in chunk.iter().enumerate() {
            let name = format!("sample_{i}.png");
            let path = img_dir.join(&name);
            fs::write(&path, encode_gray(pixels, resolution)?).map_err(|e| DataError::io(&path, e))?;
            lines.push_str(&format!("imgs/{k} {name} {i} {label}\n"));
        }
        let meta = meta_dir.join(format!("{k}.npy"));
        fs::write(&meta, lines).map_err(|e| DataError::io(&meta, e))?;
    }
    Ok(())
}
