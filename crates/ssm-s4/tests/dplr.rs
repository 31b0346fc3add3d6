//! S4 DPLR kernel (generating function + Cauchy + Woodbury + irfft) against the
//! dense Krylov kernel of the same system, and the Woodbury variants against
//! each other.

mod common;

use common::{rand_c, rand_stable_lambda, rel_err, rel_err_c, rng};
use ssm_hippo::{nplr, nplr_with_rank, Discretization, Measure};
use ssm_s4::kernel::dplr::RESONANCE_TOL;
use ssm_s4::{nodes, DenseKernel, DplrKernel, Woodbury};

const LS: [usize; 4] = [1, 7, 256, 4096];

/// S4 from `nplr(measure, n)` with C = 1 in the original basis versus the dense
/// HiPPO system's Krylov kernel (bilinear), ‖k − k_ref‖/‖k_ref‖ ≤ 1e-9, for Δ = 1e-2
/// and Δ = 1/L (the second puts FouT/LegT modes near the nodes).
fn check_hippo(measure: Measure, n: usize) {
    let decomp = nplr(measure, n).unwrap();
    let ones = vec![1.0; n];
    for &l in &LS {
        for dt in [1e-2, 1.0 / l as f64] {
            let dense =
                DenseKernel::from_hippo(measure, n, dt, Discretization::Bilinear, None).unwrap();
            let k_ref = if n * n * l <= 1 << 22 {
                dense.kernel_naive(l).unwrap()
            } else {
                dense.kernel_blocked(l).unwrap()
            };
            let s4 = DplrKernel::from_nplr(&decomp, &ones, dt).unwrap();
            let k = s4.kernel(l).unwrap();
            let err = rel_err(&k, &k_ref);
            assert!(
                err <= 1e-9,
                "{} N={n} L={l} dt={dt}: relative error {err:.3e}",
                measure.name()
            );
        }
    }
}

#[test]
fn s4_matches_dense_legs_n16() {
    check_hippo(Measure::LegS, 16);
}
#[test]
fn s4_matches_dense_legs_n64() {
    check_hippo(Measure::LegS, 64);
}
#[test]
fn s4_matches_dense_legs_n256() {
    check_hippo(Measure::LegS, 256);
}
#[test]
fn s4_matches_dense_legt_n16() {
    check_hippo(Measure::legt(), 16);
}
#[test]
fn s4_matches_dense_legt_n64() {
    check_hippo(Measure::legt(), 64);
}
#[test]
fn s4_matches_dense_legt_n256() {
    check_hippo(Measure::legt(), 256);
}
#[test]
fn s4_matches_dense_fout_n16() {
    check_hippo(Measure::FouT, 16);
}
#[test]
fn s4_matches_dense_fout_n64() {
    check_hippo(Measure::FouT, 64);
}
#[test]
fn s4_matches_dense_fout_n256() {
    check_hippo(Measure::FouT, 256);
}

#[test]
fn s4_matches_dense_lagt() {
    check_hippo(Measure::lagt(), 32);
}

/// The realified DPLR system is the original HiPPO system up to a change of basis:
/// the same Krylov kernel.
#[test]
fn realified_system_has_the_hippo_kernel() {
    for measure in [Measure::LegS, Measure::legt(), Measure::FouT] {
        let s4 = DplrKernel::from_hippo(measure, 32, 0.05).unwrap();
        let a = s4.to_dense().unwrap().kernel_naive(300).unwrap();
        let b = DenseKernel::from_hippo(measure, 32, 0.05, Discretization::Bilinear, None)
            .unwrap()
            .kernel_naive(300)
            .unwrap();
        assert!(rel_err(&a, &b) <= 1e-11, "{}", measure.name());
    }
}

/// Fast generating function (imaginary-node tiles, closed forms) versus the naive
/// one (complex z from ω, double loop, small solve).
#[test]
fn generating_function_fast_equals_naive() {
    for (measure, n, l) in [
        (Measure::LegS, 64usize, 256usize),
        (Measure::legt(), 32, 101),
    ] {
        let s4 = DplrKernel::from_hippo(measure, n, 0.02).unwrap();
        let ct = s4.c_tilde(l).unwrap();
        let fast = s4
            .generating_function(&ct, &s4.b, l, Woodbury::Auto)
            .unwrap();
        let slow = s4.generating_function_naive(&ct, &s4.b, l).unwrap();
        assert_eq!(fast.len(), l / 2 + 1);
        assert!(rel_err_c(&fast, &slow) <= 1e-12, "{}", measure.name());
    }
}

/// LegS padded to rank 2 (a zero second row): the rank-2 closed form and the
/// general solve equal the rank-1 formula.
#[test]
fn woodbury_rank2_and_general_match_rank1() {
    let n = 64;
    let ones = vec![1.0; n];
    let r1 = DplrKernel::from_nplr(&nplr(Measure::LegS, n).unwrap(), &ones, 0.01).unwrap();
    let r2 = DplrKernel::from_nplr(
        &nplr_with_rank(Measure::LegS, n, Some(2)).unwrap(),
        &ones,
        0.01,
    )
    .unwrap();
    assert_eq!(r1.rank(), 1);
    assert_eq!(r2.rank(), 2);
    for l in [7usize, 512] {
        let k1 = r1.kernel_with(l, Woodbury::Rank1).unwrap();
        let k1g = r1.kernel_with(l, Woodbury::General).unwrap();
        let k2 = r2.kernel_with(l, Woodbury::Rank2).unwrap();
        let k2g = r2.kernel_with(l, Woodbury::General).unwrap();
        assert!(rel_err(&k1g, &k1) <= 1e-13);
        assert!(rel_err(&k2, &k1) <= 1e-13);
        assert!(rel_err(&k2g, &k1) <= 1e-13);
    }
    // The closed forms refuse a rank they do not cover.
    assert!(r1.kernel_with(8, Woodbury::Rank2).is_err());
    assert!(r2.kernel_with(8, Woodbury::Rank1).is_err());
}

/// LegT has natural rank 2: closed form = general solve = dense.
#[test]
fn woodbury_rank2_matches_general_legt() {
    let s4 = DplrKernel::from_hippo(Measure::legt(), 64, 0.013).unwrap();
    assert_eq!(s4.rank(), 2);
    let l = 1000;
    let k2 = s4.kernel_with(l, Woodbury::Rank2).unwrap();
    let kg = s4.kernel_with(l, Woodbury::General).unwrap();
    let kd = s4.to_dense().unwrap().kernel_naive(l).unwrap();
    assert!(rel_err(&kg, &k2) <= 1e-12);
    assert!(rel_err(&k2, &kd) <= 1e-10);
}

/// A random DPLR system of rank 3 (general solve) against its dense twin; rank 0
/// (pure diagonal) too.
#[test]
fn random_dplr_general_rank_matches_dense() {
    let mut r = rng(7);
    let h = 12;
    for rank in [0usize, 1, 3] {
        let lambda = rand_stable_lambda(&mut r, h);
        let p: Vec<_> = (0..rank)
            .map(|_| rand_c(&mut r, h).into_iter().map(|z| z * 0.3).collect())
            .collect();
        let k = DplrKernel::new(lambda, p, rand_c(&mut r, h), rand_c(&mut r, h), 0.03).unwrap();
        for l in [1usize, 10, 333, 2048] {
            let fast = k.kernel(l).unwrap();
            let gen = k.kernel_with(l, Woodbury::General).unwrap();
            let dense = k.to_dense().unwrap().kernel_naive(l).unwrap();
            assert!(rel_err(&fast, &dense) <= 1e-10, "rank {rank} L={l}");
            assert!(
                rel_err(&gen, &dense) <= 1e-10,
                "rank {rank} L={l} (general)"
            );
        }
    }
}

/// Δ chosen so that a node hits a mode: `Δ·|Im λ_j| = t_k` exactly, so a Cauchy
/// term `1/(z_k − Δλ_j)` is huge (Re λ = 0 up to rounding for LegT). The node goes through
/// the enlarged Woodbury identity and the kernel still equals the dense one.
#[test]
fn exactly_resonant_node_is_exact() {
    let n = 32;
    let l = 512;
    let decomp = nplr(Measure::legt(), n).unwrap();
    let nd = nodes(l);
    let k_node = 5;
    for j in [decomp.lambda.len() - 1, decomp.lambda.len() / 2] {
        let lam = decomp.lambda[j];
        assert!(lam.re.abs() <= 1e-12);
        let dt = nd.t[k_node] / lam.im.abs();
        let s4 = DplrKernel::from_nplr(&decomp, &vec![1.0; n], dt).unwrap();
        // The node coincides with the conjugate mode Δλ̄ within rounding.
        let w = lam.conj() * dt;
        assert!((w.im - nd.t[k_node]).abs() <= RESONANCE_TOL * nd.t[k_node]);
        let k = s4.kernel(l).unwrap();
        assert!(k.iter().all(|x| x.is_finite()));
        let dense = DenseKernel::from_hippo(Measure::legt(), n, dt, Discretization::Bilinear, None)
            .unwrap()
            .kernel_naive(l)
            .unwrap();
        assert!(
            rel_err(&k, &dense) <= 1e-9,
            "mode {j}: {:.3e}",
            rel_err(&k, &dense)
        );
    }
}

/// The zero-input response of an initial state through the B' = s/Δ + As/2 trick
/// equals the dense `C Ā^{k+1} x0`.
#[test]
fn state_kernel_matches_dense() {
    let mut r = rng(11);
    for measure in [Measure::LegS, Measure::FouT, Measure::legt()] {
        let s4 = DplrKernel::from_hippo(measure, 16, 0.04).unwrap();
        let s0 = rand_c(&mut r, 8);
        let l = 200;
        let ks = s4.state_kernel(&s0, l).unwrap();
        let x0: Vec<f64> = s0
            .iter()
            .map(|z| z.re)
            .chain(s0.iter().map(|z| z.im))
            .collect();
        let kd = s4.to_dense().unwrap().state_kernel(&x0, l).unwrap();
        assert!(rel_err(&ks, &kd) <= 1e-10, "{}", measure.name());
    }
}

/// C̃ = C(I − Ā^L): for a fast-decaying system and large L, C̃ ≈ C.
#[test]
fn c_tilde_tends_to_c_for_decaying_system() {
    let s4 = DplrKernel::from_hippo(Measure::LegS, 16, 0.5).unwrap();
    let ct = s4.c_tilde(4096).unwrap();
    assert!(rel_err_c(&ct, &s4.c) <= 1e-12);
    let ct1 = s4.c_tilde(1).unwrap();
    assert!(rel_err_c(&ct1, &s4.c) > 1e-3);
}

#[test]
fn invalid_parameters_are_errors() {
    let one = vec![num_complex::Complex64::new(1.0, 0.0)];
    let lam = vec![num_complex::Complex64::new(-0.5, 1.0)];
    assert!(DplrKernel::new(lam.clone(), vec![], one.clone(), one.clone(), 0.0).is_err());
    assert!(DplrKernel::new(lam.clone(), vec![], one.clone(), one.clone(), f64::NAN).is_err());
    assert!(DplrKernel::new(lam.clone(), vec![vec![]], one.clone(), one.clone(), 0.1).is_err());
    assert!(DplrKernel::new(vec![], vec![], vec![], vec![], 0.1).is_err());
    let k = DplrKernel::new(lam, vec![], one.clone(), one, 0.1).unwrap();
    let e = k.kernel(0).unwrap_err().to_string();
    assert!(e.contains("--l"), "{e}");
    assert!(DplrKernel::from_hippo(Measure::Lmu, 8, 0.1).is_err());
    assert!(DplrKernel::from_hippo(Measure::LegS, 7, 0.1).is_err());
}
