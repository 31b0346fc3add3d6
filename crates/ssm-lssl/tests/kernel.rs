//! The tch Krylov kernel against ssm-hippo's f64 reference, and the FFT convolution against the
//! direct sum.

use nalgebra::DVector;
use ssm_hippo::{discretize, krylov_naive, transition, Discretization, Measure};
use ssm_lssl::kernel::block_size;
use ssm_lssl::layer::hippo_tensors;
use ssm_lssl::{bilinear, causal_conv, krylov_kernel};
use tch::{Kind, Tensor};

/// Deterministic values in [−1, 1).
fn pseudo_random(count: usize, seed: u64) -> Vec<f64> {
    let mut s = seed;
    (0..count)
        .map(|_| {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            ((s >> 11) as f64 / (1u64 << 53) as f64) * 2.0 - 1.0
        })
        .collect()
}

fn max_abs(v: &[f64]) -> f64 {
    v.iter().fold(0.0f64, |m, x| m.max(x.abs()))
}

/// K from ssm-hippo in f64 for one channel.
fn reference(measure: Measure, n: usize, dt: f64, c: &[f64], l: usize) -> Vec<f64> {
    let (a, b) = transition(measure, n).unwrap();
    let (ab, bb) = discretize(&a, &b, dt, Discretization::Bilinear).unwrap();
    krylov_naive(&ab, &bb, &DVector::from_column_slice(c), l).unwrap()
}

#[test]
fn f32_kernel_matches_the_f64_krylov_reference() {
    let dts = [0.003, 0.02, 0.1];
    for (measure, n) in [(Measure::LegS, 16), (Measure::legt(), 16), (Measure::lagt(), 32), (Measure::LegS, 64)] {
        for l in [1usize, 7, 64, 300] {
            let h = dts.len();
            let c = pseudo_random(h * n, 7 + n as u64);
            let (a, b) = hippo_tensors(measure, n).unwrap();
            let dt = Tensor::from_slice(&dts).to_kind(Kind::Float);
            let (a_bar, b_bar) = bilinear(&a, &b, &dt);
            let ct = Tensor::from_slice(&c).view([h as i64, n as i64]).to_kind(Kind::Float);
            let k = krylov_kernel(&a_bar, &b_bar, &ct, l as i64);
            assert_eq!(k.size(), [h as i64, l as i64]);
            for (ch, &d) in dts.iter().enumerate() {
                let want = reference(measure, n, d, &c[ch * n..(ch + 1) * n], l);
                let got: Vec<f64> = Vec::try_from(k.get(ch as i64).to_kind(Kind::Double)).unwrap();
                let diff: Vec<f64> = got.iter().zip(&want).map(|(g, w)| g - w).collect();
                let rel = max_abs(&diff) / max_abs(&want);
                assert!(rel < 1e-4, "{measure} N={n} L={l} dt={d}: relative error {rel:.2e}");
            }
        }
    }
}

#[test]
fn kernel_index_j_is_c_a_bar_to_the_j_b_bar() {
    // A 2×2 system whose powers are known: Ā = [[0, 1], [0, 0]] (nilpotent), B̄ = e₂, C = e₁:
    // K_0 = CB̄ = 0, K_1 = CĀB̄ = 1, K_j = 0 for j ≥ 2.
    let a_bar = Tensor::from_slice(&[0.0f64, 1.0, 0.0, 0.0]).view([1, 2, 2]);
    let b_bar = Tensor::from_slice(&[0.0f64, 1.0]).view([1, 2]);
    let c = Tensor::from_slice(&[1.0f64, 0.0]).view([1, 2]);
    let k: Vec<f64> = Vec::try_from(krylov_kernel(&a_bar, &b_bar, &c, 10).get(0)).unwrap();
    assert_eq!(k, [0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]);
    // A scalar system Ā = 0.5: K_j = 0.5^j, also across the block boundaries.
    let half = Tensor::from_slice(&[0.5f64]).view([1, 1, 1]);
    let one = Tensor::from_slice(&[1.0f64]).view([1, 1]);
    for l in [1i64, 2, 3, 5, 16, 17, 100] {
        let k: Vec<f64> = Vec::try_from(krylov_kernel(&half, &one, &one, l).get(0)).unwrap();
        let want: Vec<f64> = (0..l).map(|j| 0.5f64.powi(j as i32)).collect();
        assert_eq!(k, want, "L = {l} (block {})", block_size(l));
    }
}

#[test]
fn fft_convolution_is_causal_and_equals_the_direct_sum() {
    let (bsz, h, l) = (2i64, 3i64, 37i64);
    let u = pseudo_random((bsz * h * l) as usize, 1);
    let k = pseudo_random((h * l) as usize, 2);
    let d = [0.5, -1.0, 2.0];
    let ut = Tensor::from_slice(&u).view([bsz, h, l]);
    let kt = Tensor::from_slice(&k).view([h, l]);
    let y: Vec<f64> = Vec::try_from(causal_conv(&ut, &kt, &Tensor::from_slice(&d)).view([-1])).unwrap();
    for b in 0..bsz as usize {
        for c in 0..h as usize {
            for i in 0..l as usize {
                let at = |v: &[f64], j: usize| v[(b * h as usize + c) * l as usize + j];
                let direct: f64 =
                    (0..=i).map(|j| k[c * l as usize + j] * at(&u, i - j)).sum::<f64>() + d[c] * at(&u, i);
                let got = y[(b * h as usize + c) * l as usize + i];
                assert!((got - direct).abs() < 1e-10, "b={b} h={c} i={i}: {got} vs {direct}");
            }
        }
    }
    // Changing a late input leaves every earlier output unchanged.
    let mut u2 = u.clone();
    u2[(l - 1) as usize] += 10.0;
    let y2: Vec<f64> =
        Vec::try_from(causal_conv(&Tensor::from_slice(&u2).view([bsz, h, l]), &kt, &Tensor::from_slice(&d)).view([-1]))
            .unwrap();
    for i in 0..(l - 1) as usize {
        assert!((y2[i] - y[i]).abs() < 1e-10, "output {i} saw the future");
    }
    assert!((y2[(l - 1) as usize] - y[(l - 1) as usize]).abs() > 1.0);
}

#[test]
fn bilinear_matches_ssm_hippo() {
    let n = 8;
    let (a, b) = transition(Measure::legt(), n).unwrap();
    let (ab, bb) = discretize(&a, &b, 0.07, Discretization::Bilinear).unwrap();
    let (at, bt) = hippo_tensors(Measure::legt(), n).unwrap();
    let (abt, bbt) = bilinear(&at.to_kind(Kind::Double), &bt.to_kind(Kind::Double), &Tensor::from_slice(&[0.07f64]));
    for i in 0..n {
        for k in 0..n {
            let got = abt.double_value(&[0, i as i64, k as i64]);
            assert!((got - ab[(i, k)]).abs() < 1e-6, "Ā[{i},{k}] {got} vs {}", ab[(i, k)]);
        }
        let got = bbt.double_value(&[0, i as i64]);
        assert!((got - bb[i]).abs() < 1e-6, "B̄[{i}] {got} vs {}", bb[i]);
    }
}
