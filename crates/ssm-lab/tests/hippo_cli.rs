//! `ssm-lab hippo matrix|discretize` and `ssm-lab bench hippo`: values, formats, and usage
//! errors (exit code 2, a message naming the option, no panic).

mod common;
use common::*;
use serde_json::Value;

fn json_of(args: &[&str]) -> Value {
    let o = run(args);
    assert!(o.status.success(), "{args:?}: {}", stderr(&o));
    serde_json::from_slice(&o.stdout).unwrap()
}

fn matrix(v: &Value) -> Vec<Vec<f64>> {
    v.as_array().unwrap().iter().map(|r| r.as_array().unwrap().iter().map(|x| x.as_f64().unwrap()).collect()).collect()
}

fn vector(v: &Value) -> Vec<f64> {
    v.as_array().unwrap().iter().map(|x| x.as_f64().unwrap()).collect()
}

/// `[re, im]` pairs.
fn cvector(v: &Value) -> Vec<(f64, f64)> {
    v.as_array().unwrap().iter().map(|z| (z[0].as_f64().unwrap(), z[1].as_f64().unwrap())).collect()
}

fn cmatrix(v: &Value) -> Vec<Vec<(f64, f64)>> {
    v.as_array().unwrap().iter().map(cvector).collect()
}

#[test]
fn matrix_json_has_the_hippo_entries() {
    let v = json_of(&["hippo", "matrix", "--measure", "legs", "--n", "3"]);
    let a = matrix(&v["A"]);
    let b = vector(&v["B"]);
    let r = |n: f64| (2.0 * n + 1.0).sqrt();
    // LegS (HiPPO Thm 2): −√(2n+1)√(2k+1) below the diagonal, −(n+1) on it, 0 above.
    assert_eq!(a[0], [-1.0, 0.0, 0.0]);
    assert!((a[1][0] + r(1.0)).abs() < 1e-12 && a[1][1] == -2.0 && a[1][2] == 0.0);
    assert!((a[2][1] + r(2.0) * r(1.0)).abs() < 1e-12 && a[2][2] == -3.0);
    assert!((b[2] - r(2.0)).abs() < 1e-12);
    assert!(v.get("lambda").is_none(), "no NPLR without --nplr");
    // LegT (s4 convention, ½): above the diagonal the sign alternates, A_01 = +½√3.
    let a = matrix(&json_of(&["hippo", "matrix", "--measure", "legt", "--n", "4"])["A"]);
    assert!((a[0][1] - 0.5 * 3f64.sqrt()).abs() < 1e-12, "{:?}", a[0]);
    assert!((a[0][2] + 0.5 * 5f64.sqrt()).abs() < 1e-12, "{:?}", a[0]);
    assert!((a[1][0] + 0.5 * 3f64.sqrt()).abs() < 1e-12, "{:?}", a[1]);
}

type C = (f64, f64);
fn mul(a: C, b: C) -> C {
    (a.0 * b.0 - a.1 * b.1, a.0 * b.1 + a.1 * b.0)
}
fn conj(a: C) -> C {
    (a.0, -a.1)
}

#[test]
#[allow(clippy::needless_range_loop)] // A[i][k] against the entries of W (Λ − P P*) W*
fn nplr_output_rebuilds_a() {
    for (measure, n) in [("legs", 6usize), ("legt", 6), ("lagt", 4), ("fout", 6)] {
        let v = json_of(&["hippo", "matrix", "--measure", measure, "--n", &n.to_string(), "--nplr"]);
        let a = matrix(&v["A"]);
        let lambda = cvector(&v["lambda"]);
        let p = cmatrix(&v["P"]);
        let vv = cmatrix(&v["V"]);
        let h = n / 2;
        assert_eq!(lambda.len(), h, "{measure}: N/2 eigenvalues");
        assert_eq!(vv.len(), n);
        assert!(vv.iter().all(|r| r.len() == h));
        assert!(p.iter().all(|r| r.len() == h));
        // A = W (Λ_f − P_f P_f*) W*, W = [V, V̄], Λ_f = [Λ, Λ̄], P_f = [Pᵀ; P̄ᵀ] (S4 Thm 1).
        let w = |i: usize, j: usize| if j < h { vv[i][j] } else { conj(vv[i][j - h]) };
        let pf = |j: usize, r: usize| if j < h { p[r][j] } else { conj(p[r][j - h]) };
        let core = |j: usize, l: usize| {
            let mut s = (0.0, 0.0);
            for r in 0..p.len() {
                let t = mul(pf(j, r), conj(pf(l, r)));
                s = (s.0 - t.0, s.1 - t.1);
            }
            if j == l {
                let lam = if j < h { lambda[j] } else { conj(lambda[j - h]) };
                s = (s.0 + lam.0, s.1 + lam.1);
            }
            s
        };
        let scale = a.iter().flatten().fold(0.0f64, |m, x| m.max(x.abs()));
        for i in 0..n {
            for k in 0..n {
                let mut s = (0.0, 0.0);
                for j in 0..n {
                    for l in 0..n {
                        let t = mul(mul(w(i, j), core(j, l)), conj(w(k, l)));
                        s = (s.0 + t.0, s.1 + t.1);
                    }
                }
                assert!((s.0 - a[i][k]).abs() < 1e-9 * scale && s.1.abs() < 1e-9 * scale, "{measure} A[{i}][{k}]: {s:?} vs {}", a[i][k]);
            }
        }
    }
}

#[test]
fn discretize_prints_the_discrete_pair() {
    let a = matrix(&json_of(&["hippo", "matrix", "--measure", "legt", "--n", "4"])["A"]);
    let b = vector(&json_of(&["hippo", "matrix", "--measure", "legt", "--n", "4"])["B"]);
    let dt = 0.1;
    let d = json_of(&["hippo", "discretize", "--measure", "legt", "--n", "4", "--dt", "0.1", "--method", "bilinear", "--format", "json"]);
    let (ab, bb) = (matrix(&d["A"]), vector(&d["B"]));
    // (I − Δ/2·A)Ā = I + Δ/2·A and (I − Δ/2·A)B̄ = ΔB.
    for i in 0..4 {
        for k in 0..4 {
            let lhs: f64 = (0..4).map(|j| ((i == j) as u8 as f64 - 0.5 * dt * a[i][j]) * ab[j][k]).sum();
            let rhs = (i == k) as u8 as f64 + 0.5 * dt * a[i][k];
            assert!((lhs - rhs).abs() < 1e-12, "Ā[{i}][{k}]");
        }
        let lhs: f64 = (0..4).map(|j| ((i == j) as u8 as f64 - 0.5 * dt * a[i][j]) * bb[j]).sum();
        assert!((lhs - dt * b[i]).abs() < 1e-12, "B̄[{i}]");
    }
    let e = json_of(&["hippo", "discretize", "--measure", "legt", "--n", "4", "--dt", "0.1", "--method", "euler"]);
    let ae = matrix(&e["A"]);
    assert!((ae[2][1] - dt * a[2][1]).abs() < 1e-15 && (ae[2][2] - (1.0 + dt * a[2][2])).abs() < 1e-15);
    for method in ["backward", "zoh"] {
        let z = json_of(&["hippo", "discretize", "--measure", "lagt", "--n", "3", "--dt", "0.5", "--method", method]);
        assert_eq!(matrix(&z["A"]).len(), 3, "{method}");
    }
}

#[test]
fn csv_and_table_formats() {
    let o = run(&["hippo", "matrix", "--measure", "lagt", "--n", "3", "--format", "csv"]);
    assert!(o.status.success());
    let text = String::from_utf8_lossy(&o.stdout);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "array,row,col,re,im");
    assert_eq!(lines.len(), 1 + 9 + 3);
    assert!(lines.contains(&"A,1,0,-1,0") && lines.contains(&"A,0,0,-0.5,0") && lines.contains(&"B,2,0,1,0"), "{text}");
    let o = run(&["hippo", "matrix", "--measure", "legs", "--n", "4", "--nplr", "--format", "csv"]);
    assert!(String::from_utf8_lossy(&o.stdout).lines().filter(|l| l.starts_with("lambda,")).count() == 2);
    let o = run(&["hippo", "matrix", "--measure", "legs", "--n", "3", "--format", "table"]);
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("A (3x3):") && text.contains("-3.0000"), "{text}");
}

fn usage_error(args: &[&str], needle: &str) {
    let o = run(args);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
    assert!(err.contains(needle), "{args:?}: expected `{needle}` in: {err}");
    assert!(!err.contains("panicked") && !err.contains("backtrace"), "{err}");
    assert!(o.stdout.is_empty(), "{args:?} printed output");
}

#[test]
fn user_mistakes_exit_2_naming_the_option() {
    usage_error(&["hippo", "matrix", "--measure", "legx", "--n", "4"], "--measure: unknown measure `legx`");
    usage_error(&["hippo", "matrix", "--measure", "legs", "--n", "0"], "--n: the state size must be at least 1, got 0");
    usage_error(&["hippo", "matrix", "--measure", "legs", "--n", "-3"], "--n:");
    usage_error(&["hippo", "matrix", "--measure", "legs", "--n", "5", "--nplr"], "--n:");
    usage_error(&["hippo", "matrix", "--measure", "legs", "--n", "5", "--nplr"], "must be even");
    usage_error(&["hippo", "matrix", "--measure", "fout", "--n", "3"], "--n:");
    usage_error(&["hippo", "matrix", "--measure", "lmu", "--n", "4", "--nplr"], "--measure: measure `lmu` has no NPLR form");
    usage_error(&["hippo", "matrix", "--measure", "legs", "--n", "4", "--format", "xml"], "--format");
    let d = ["hippo", "discretize", "--measure", "legs", "--n", "4", "--method", "bilinear", "--dt"];
    let with = |dt: &'static str| [&d[..], &[dt]].concat();
    usage_error(&with("0"), "--dt: must be > 0, got 0");
    usage_error(&with("-0.5"), "--dt: must be > 0, got -0.5");
    usage_error(&with("nan"), "--dt: must be a finite number");
    usage_error(&with("inf"), "--dt: must be a finite number");
    usage_error(&with("abc"), "--dt");
    usage_error(&["hippo", "discretize", "--measure", "legs", "--n", "4", "--dt", "0.1", "--method", "rk4"], "--method: unknown discretization `rk4`");
    usage_error(&["hippo", "discretize", "--measure", "legs", "--n", "0", "--dt", "0.1"], "--n:");
    usage_error(&["bench"], "Usage");
    usage_error(&["bench", "nothing"], "nothing");
}

#[test]
fn bench_hippo_writes_its_csv() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("bench");
    let o = run(&["bench", "hippo", "--quick", "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.contains("krylov_blocked") && stdout.contains("speedup"), "{stdout}");
    let mut rdr = csv::Reader::from_path(out.join("hippo.csv")).unwrap();
    assert_eq!(rdr.headers().unwrap().iter().collect::<Vec<_>>(), ["name", "n", "l", "seconds", "speedup"]);
    let names: Vec<String> = rdr.records().map(|r| r.unwrap()[0].to_string()).collect();
    for want in ["online_legs_structured_n1", "online_legs_dense_n2", "krylov_naive", "krylov_doubling", "krylov_blocked"] {
        assert!(names.iter().any(|n| n == want), "{want} missing from {names:?}");
    }
    // An --out that cannot be created is the user's mistake.
    let file = write(dir.path(), "plain-file", "x");
    let bad = file.join("sub");
    usage_error(&["bench", "hippo", "--quick", "--out", bad.to_str().unwrap()], "--out");
}

#[test]
fn the_hippo_config_runs_in_smoke_mode_and_reports() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("results");
    let cfg = concat!(env!("CARGO_MANIFEST_DIR"), "/../../configs/hippo_reconstruction.yaml");
    let o = run(&["run", cfg, "--smoke", "--out", out.to_str().unwrap(), "--device", "cpu"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let sweep = sweep_dir(&out, "hippo");
    assert!(sweep.file_name().unwrap().to_string_lossy().ends_with("-smoke"));
    for f in ["summary.csv", "sweep.yaml", "hippo.md", "hippo_A.png", "hippo-s1/errors.csv", "hippo-s1/final.csv"] {
        assert!(sweep.join(f).is_file(), "missing {f}");
    }
    let reports = dir.path().join("reports");
    let o = run(&["report", sweep.to_str().unwrap(), "--reports", reports.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(reports.join("hippo.md").is_file() && reports.join("hippo_reconstruction_N16.png").is_file());

    // Strict parsing: an unknown task key is named with its line; no results are written.
    let text = std::fs::read_to_string(cfg).unwrap().replace("  window: 0.5", "  windw: 0.5");
    let bad = write(dir.path(), "bad.yaml", &text);
    let out2 = dir.path().join("results2");
    let o = run(&["run", bad.to_str().unwrap(), "--smoke", "--out", out2.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("task.windw: unknown field `windw`") && stderr(&o).contains("bad.yaml:"), "{}", stderr(&o));
    assert!(files_under(&out2).is_empty());
}
