//! The per-step pointwise functions of the scan: Δ = softplus(δ + bias) (Mamba Alg. 2 line 5;
//! reference kernel fwd 152-165), the gate silu(z) = z σ(z) (fwd 285-303) and the softplus'
//! derivative σ(δ + bias) (bwd). Written branch-free with plain arithmetic, over runs of steps,
//! so that each run is one vectorised loop (AVX2 inside the row kernels' AVX2 functions) instead
//! of a libm call per step; results are the same bit for bit on every path (no FMA contraction).

use super::fast_exp;

/// ln(1 + e) for e in [0, 1], as 2 atanh(s) with s = e / (2 + e) in [0, 1/3]: the odd series
/// 2 s (1 + s²/3 + s⁴/5 + … + s¹²/13), truncated at a relative error below 2.3e-8. Dividing
/// e itself (not 1 + e − 1) keeps full relative precision for tiny e.
#[inline(always)]
fn ln_1p_unit(e: f32) -> f32 {
    let s = e / (2.0 + e);
    let s2 = s * s;
    let p = 1.0 / 13.0;
    let p = p * s2 + 1.0 / 11.0;
    let p = p * s2 + 1.0 / 9.0;
    let p = p * s2 + 1.0 / 7.0;
    let p = p * s2 + 1.0 / 5.0;
    let p = p * s2 + 1.0 / 3.0;
    let p = p * s2 + 1.0;
    2.0 * s * p
}

/// softplus(x) = log(1 + eˣ) = max(x, 0) + ln(1 + e^(−|x|)) (relative error < 4e-7). Above 20 it
/// equals x in f32, as the reference kernel's pass-through.
#[inline(always)]
pub(crate) fn softplus(x: f32) -> f32 {
    softplus_given_exp(x, fast_exp(-x.abs()))
}

/// softplus(x) from e = e^(−|x|), which its derivative needs as well.
#[inline(always)]
fn softplus_given_exp(x: f32, e: f32) -> f32 {
    x.max(0.0) + ln_1p_unit(e)
}

/// σ(x) = 1 / (1 + e^(−x)) (relative error < 3e-7).
#[inline(always)]
pub(crate) fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + fast_exp(-x))
}

/// softplus(x) and its derivative σ(x) from one exponential e = e^(−|x|): σ(x) = 1 / (1 + e) for
/// x ≥ 0, e / (1 + e) below (the backward needs both per step). The softplus is the one above
/// (the same function of e); σ within 3e-7 relative.
#[inline(always)]
pub(crate) fn softplus_and_sigmoid(x: f32) -> (f32, f32) {
    let e = fast_exp(-x.abs());
    let r = 1.0 / (1.0 + e);
    (softplus_given_exp(x, e), if x >= 0.0 { r } else { e * r })
}

/// `dt[i]` = softplus(delta[i] + bias) and `sg[i]` = σ(delta[i] + bias), the softplus' derivative.
#[inline(always)]
pub(crate) fn deltas_and_sigmoids(delta: &[f32], bias: f32, dt: &mut [f32], sg: &mut [f32]) {
    for ((o, s), &x) in dt[..delta.len()].iter_mut().zip(sg[..delta.len()].iter_mut()).zip(delta) {
        (*o, *s) = softplus_and_sigmoid(x + bias);
    }
}

/// `out[i]` = Δ of step i: softplus(delta[i] + bias) with `softplus`, else delta[i] + bias.
#[inline(always)]
pub(crate) fn deltas(delta: &[f32], bias: f32, softplus_on: bool, out: &mut [f32]) {
    let out = &mut out[..delta.len()];
    if softplus_on {
        for (o, &x) in out.iter_mut().zip(delta) {
            *o = softplus(x + bias);
        }
    } else {
        for (o, &x) in out.iter_mut().zip(delta) {
            *o = x + bias;
        }
    }
}

/// `out[i]` = σ(x[i] + bias).
#[inline(always)]
pub(crate) fn sigmoids(x: &[f32], bias: f32, out: &mut [f32]) {
    for (o, &v) in out[..x.len()].iter_mut().zip(x) {
        *o = sigmoid(v + bias);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Points from −120 to 120, dense around 0, plus the edges of the exp clamp.
    fn grid() -> Vec<f32> {
        let mut xs: Vec<f32> = (-24_000..=24_000).map(|i| i as f32 * 0.005).collect();
        xs.extend([-120.0, -88.0, -87.0, -30.0, 19.99, 20.0, 20.01, 30.0, 88.0, 120.0, 1e-6, -1e-6, 0.0]);
        xs
    }

    fn rel(got: f32, want: f64) -> f64 {
        let want_abs = want.abs();
        // Below the smallest normal the absolute error is what counts.
        (got as f64 - want).abs() / want_abs.max(1e-30)
    }

    #[test]
    fn softplus_matches_f64_to_4e_7() {
        for x in grid() {
            let xd = x as f64;
            let want = if xd > 0.0 { xd + (-xd).exp().ln_1p() } else { xd.exp().ln_1p() };
            let got = softplus(x);
            if want < 1e-36 {
                assert!(got.abs() < 1e-36, "softplus({x}) = {got}, want {want}");
                continue;
            }
            assert!(rel(got, want) < 4e-7, "softplus({x}) = {got}, want {want} (rel {:.2e})", rel(got, want));
        }
        // The pass-through above 20 of the reference kernel, exactly.
        for x in [20.5f32, 25.0, 40.0, 1e4] {
            assert_eq!(softplus(x), x);
        }
    }

    #[test]
    fn sigmoid_matches_f64_to_3e_7() {
        for x in grid() {
            let want = 1.0 / (1.0 + (-(x as f64)).exp());
            let got = sigmoid(x);
            if x < -87.0 {
                assert!(got < 1e-37, "sigmoid({x}) = {got}");
                continue;
            }
            assert!(rel(got, want) < 3e-7, "sigmoid({x}) = {got}, want {want} (rel {:.2e})", rel(got, want));
        }
        assert_eq!(sigmoid(30.0), 1.0);
    }

    #[test]
    fn runs_apply_the_bias_and_the_switch() {
        let d = [-3.0f32, -0.5, 0.0, 0.7, 25.0];
        let mut out = [9.0f32; 6];
        deltas(&d, 0.25, true, &mut out);
        for (i, &x) in d.iter().enumerate() {
            assert_eq!(out[i], softplus(x + 0.25));
        }
        assert_eq!(out[5], 9.0, "only delta.len() values are written");
        deltas(&d, 0.25, false, &mut out);
        assert_eq!(&out[..5], &[-2.75, -0.25, 0.25, 0.95, 25.25]);
        sigmoids(&d, -1.0, &mut out);
        assert_eq!(out[1], sigmoid(-1.5));
        let (mut dt, mut sg) = ([0.0f32; 5], [0.0f32; 5]);
        deltas_and_sigmoids(&d, 0.25, &mut dt, &mut sg);
        assert_eq!(sg[0], softplus_and_sigmoid(-2.75).1);
        assert_eq!(dt[3], softplus(0.95));
    }

    #[test]
    fn softplus_and_sigmoid_from_one_exp() {
        for x in grid() {
            let (sp, sg) = softplus_and_sigmoid(x);
            assert_eq!(sp.to_bits(), softplus(x).to_bits(), "softplus({x})");
            let want = 1.0 / (1.0 + (-(x as f64)).exp());
            if x < -87.0 {
                assert!(sg < 1e-37, "sigmoid({x}) = {sg}");
                continue;
            }
            assert!(rel(sg, want) < 3e-7, "sigmoid({x}) = {sg}, want {want} (rel {:.2e})", rel(sg, want));
        }
    }
}
