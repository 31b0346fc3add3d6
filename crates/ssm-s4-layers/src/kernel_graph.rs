//! Convolution kernels built inside the autograd graph with complex tensors, so that
//! gradients reach Λ, B, P, C and Δ.
//!
//! Shapes: H channels, M = N/2 stored modes (one of each conjugate pair), C kernel copies
//! (2 when bidirectional). `lambda`, `b`, `p` are (H, M) complex; `c` is (C, H, M) complex;
//! `dt` is (H) real; every function returns the real kernel (C, H, L). All inputs share one
//! precision (see [`crate::KernelPrecision`]).

use ssm_s4::nodes;
use tch::{Kind, Tensor};

/// The complex kind matching a real kind.
fn complex_of(real: Kind) -> Kind {
    if real == Kind::Double {
        Kind::ComplexDouble
    } else {
        Kind::ComplexFloat
    }
}

/// `exp(z) − 1` for complex z without cancellation near 0:
/// `(e^a cos b − 1) + i e^a sin b` with `e^a cos b − 1 = expm1(a)·cos b − 2 sin²(b/2)`.
pub fn cexpm1(z: &Tensor) -> Tensor {
    let (a, b) = (z.real(), z.imag());
    let half_sin = (&b * 0.5).sin();
    let re = a.expm1() * b.cos() - half_sin.square() * 2.0;
    let im = a.exp() * b.sin();
    Tensor::complex(&re, &im)
}

/// `Λ = −exp(A_real) + i·A_imag` (S4D paper §4 "Parameterization": the real part is kept
/// negative through the exponential; ssm.py:526-547).
pub fn lambda_from(a_real: &Tensor, a_imag: &Tensor) -> Tensor {
    Tensor::complex(&(-a_real.exp()), a_imag)
}

/// A complex tensor from a real parameter whose last axis holds (re, im), in `real` kind.
pub fn as_complex(t: &Tensor, real: Kind) -> Tensor {
    t.to_kind(real).contiguous().view_as_complex()
}

/// The Vandermonde product `K[c, h, ℓ] = 2 Re Σ_m coef[c, h, m]·exp(ℓ·z[h, m])`, ℓ < l
/// (S4D paper eq. (6), `K = 2 Re((B̄ ∘ C)·V_L(Ā))`; the factor 2 is the conjugate half).
///
/// Evaluated by blocks: with T = ⌈√l⌉, `exp((aT + j)z) = exp(aTz)·exp(jz)`, so the product is
/// one batched complex matmul (⌈l/T⌉ × M) · (M × T) per channel and only O(M√l)
/// exponentials are taken instead of O(Ml).
pub fn vandermonde(coef: &Tensor, z: &Tensor, l: i64) -> Tensor {
    let h = z.size()[0];
    let copies = coef.size()[0];
    let t = ((l as f64).sqrt().ceil() as i64).max(1);
    let blocks = (l + t - 1) / t;
    let real = z.real().kind();
    let opts = (real, z.device());
    let zc = z.unsqueeze(-1);
    // exp(j z), j < T: (H, M, T).
    let small = (&zc * Tensor::arange(t, opts)).exp();
    // exp(aT z), a < blocks: (H, M, blocks).
    let big = (&zc * (Tensor::arange(blocks, opts) * t as f64)).exp();
    // (C, H, blocks, M) · (H, M, T) → (C, H, blocks, T).
    let left = (coef.unsqueeze(-1) * big.unsqueeze(0)).transpose(-1, -2);
    let out = left.matmul(&small.unsqueeze(0));
    out.reshape([copies, h, blocks * t]).narrow(-1, 0, l).real() * 2.0
}

/// S4D kernel with zero-order hold (S4D paper eq. (5)-(6); ssm.py:645-647):
/// `Ā = exp(ΔΛ)`, `B̄ = (exp(ΔΛ) − 1)/Λ · B`, `K_ℓ = 2 Re Σ C B̄ Ā^ℓ`.
pub fn s4d_kernel(lambda: &Tensor, b: &Tensor, c: &Tensor, dt: &Tensor, l: i64) -> Tensor {
    let dta = lambda * dt.unsqueeze(-1);
    // B̄ = B (e^{ΔΛ} − 1)/Λ  (ZOH, S4D eq. (5)).
    let b_bar = b * cexpm1(&dta) / lambda;
    vandermonde(&(c * b_bar.unsqueeze(0)), &dta, l)
}

/// DSS kernel, softmax form (DSS paper Prop. 1, DSS_softmax; ssm.py:605-625):
/// `K_ℓ = 2 Re Σ W·(e^{ΔΛ} − 1)/(Λ(e^{LΔΛ} − 1))·e^{ℓΔΛ}`, the row sum of the softmax of
/// `ΔΛ·[0..L)` in closed form. Λ has Re < 0 here (exponential parameterization), so no
/// exponential grows and no maximum needs subtracting.
pub fn dss_kernel(lambda: &Tensor, w: &Tensor, dt: &Tensor, l: i64) -> Tensor {
    let dta = lambda * dt.unsqueeze(-1);
    // Σ_{ℓ<L} e^{ℓΔλ} = (e^{LΔλ} − 1)/(e^{Δλ} − 1)  (DSS Prop. 1, the softmax normaliser).
    let weight = cexpm1(&dta) / (lambda * cexpm1(&(&dta * l as f64)));
    vandermonde(&(w * weight.unsqueeze(0)), &dta, l)
}

/// The DSS input weights `B̄ = (e^{ΔΛ} − 1)/(Λ(e^{LΔΛ} − 1))` for length l (the recurrent
/// form with Ā = e^{ΔΛ}).
pub fn dss_b_bar(lambda: &Tensor, dt: &Tensor, l: i64) -> Tensor {
    let dta = lambda * dt.unsqueeze(-1);
    cexpm1(&dta) / (lambda * cexpm1(&(&dta * l as f64)))
}

/// The DPLR matrix in real coordinates `(Re s, Im s)` of the half state, (H, N, N):
/// `A s = Λs − p·2 Re(p̄·s)` (S4 paper Thm 1, normal plus low rank; rank 1) becomes
/// `[[diag Re Λ, −diag Im Λ], [diag Im Λ, diag Re Λ]] − 2 u uᵀ` with `u = [Re p; Im p]`.
/// Real matrices cost a quarter of the complex N × N ones.
pub fn dplr_real_a(lambda: &Tensor, p: &Tensor) -> Tensor {
    let (re, im) = (lambda.real(), lambda.imag());
    let top = Tensor::cat(&[re.diag_embed(0, -2, -1), (-&im).diag_embed(0, -2, -1)], -1);
    let bottom = Tensor::cat(&[im.diag_embed(0, -2, -1), re.diag_embed(0, -2, -1)], -1);
    let u = Tensor::cat(&[p.real(), p.imag()], -1);
    Tensor::cat(&[top, bottom], -2) - u.unsqueeze(-1) * u.unsqueeze(-2) * 2.0
}

/// Bilinear `Ā = (I − Δ/2·A)^{-1}(I + Δ/2·A)` (S4 paper eq. (3)), (H, N, N).
pub fn bilinear_dense(a: &Tensor, dt: &Tensor) -> Tensor {
    let n = a.size()[1];
    let eye = Tensor::eye(n, (a.kind(), a.device()));
    let half = (dt * 0.5).view([-1, 1, 1]);
    let scaled = a * half;
    Tensor::linalg_solve(&(&eye - &scaled), &(&eye + &scaled), true)
}

/// `C̃ = C (I − Ā^L)` in the half basis (S4 paper Alg. 1 step 1, the truncated generating
/// function; ssm.py:683-709), with `Ā^L` by repeated squaring in real coordinates, where the
/// output `2 Re(c·s)` is the row `2[Re c, −Im c]`.
pub fn dplr_c_tilde(lambda: &Tensor, p: &Tensor, c: &Tensor, dt: &Tensor, l: i64) -> Tensor {
    let m = lambda.size()[1];
    let a_bar = bilinear_dense(&dplr_real_a(lambda, p), dt);
    let c_r = (Tensor::cat(&[c.real(), -c.imag()], -1) * 2.0).unsqueeze(-2); // (C, H, 1, N)
    let mut power = a_bar; // Ā^{2^j}
    let mut acc = c_r.shallow_clone(); // c_r Ā^a, a = the bits of L seen so far
    let mut rest = l;
    // Entries below √(smallest normal) are set to 0 after each product: Ā^{2^j} of a
    // fast channel underflows towards subnormal numbers, whose arithmetic is very slow on CPUs,
    // and such entries are negligible next to the O(1) entries of c_r.
    let tiny = if a_bar_kind_is_double(&power) { 1e-150 } else { 1e-18 };
    let flush = |x: Tensor| {
        let keep = x.abs().ge(tiny);
        x * keep
    };
    while rest > 0 {
        if rest & 1 == 1 {
            acc = flush(acc.matmul(&power));
        }
        rest >>= 1;
        if rest > 0 {
            power = flush(power.matmul(&power));
        }
    }
    let ct = (c_r - acc).squeeze_dim(-2); // c_r (I − Ā^L)
    Tensor::complex(&(ct.narrow(-1, 0, m) * 0.5), &(ct.narrow(-1, m, m) * -0.5))
}

fn a_bar_kind_is_double(t: &Tensor) -> bool {
    t.kind() == Kind::Double
}

/// The Cauchy sums over conjugate pairs at purely imaginary nodes z = i·t (S4 Alg. 1 step 2):
/// `r(z) = Σ_n v_n/(z − w_n) + v̄_n/(z − w̄_n) = Σ_n (2 Re(v_n)·z − 2 Re(v_n w̄_n)) / ((z − w_n)(z − w̄_n))`.
/// With w = a + ib, `(it − w)(it − w̄) = q − 2iat`, `q = a² + (b − t)(b + t)`, so every term is
/// real data times `1/(q − 2iat)`: two real matmuls (rows, M) · (M, K) per channel.
///
/// The Cauchy matrix `1/D` (H, M, K) is built outside the autograd graph and its derivative
/// in the poles is given in closed form, `∂(1/D)/∂a = (a − it)·U`, `∂(1/D)/∂b = b·U` with
/// `U = −2/D²`: a term that is zero in value, `Σ_n num_n(t)·U_nk·(δa_n (a_n − it_k) + δb_n b_n)`
/// with δ = x − x.detach(), carries the exact gradient through two more matmuls. The backward
/// is then four matmuls instead of the chain of elementwise (H, M, K) ops of
/// [`cauchy_conj_pairs_autograd`], its slow twin (same values, same gradients).
///
/// `v` (H, R, M) complex, `w` (H, M) complex, `t` (K) real → (H, R, K) complex.
pub fn cauchy_conj_pairs(v: &Tensor, w: &Tensor, t: &Tensor) -> Tensor {
    let (a, b) = (w.real().unsqueeze(-1), w.imag().unsqueeze(-1)); // (H, M, 1)
    let tt = t.view([1, 1, -1]);
    let (inv_re, inv_im, u_re, u_im) = tch::no_grad(|| {
        let (a, b) = (a.detach(), b.detach());
        // D = q + is, q = a² + (b − t)(b + t) (no cancellation near b = t), s = −2at;
        // 1/D = (q − is)/|D|².
        let q = a.square() + (&b - &tt) * (&b + &tt);
        let s = &a * &tt * -2.0;
        let den = q.square() + s.square();
        let inv_re = q / &den;
        let inv_im = s.neg() / den;
        // U = −2/D² = −2 (inv_re + i inv_im)².
        let u_re = (inv_re.square() - inv_im.square()) * -2.0;
        let u_im = &inv_re * &inv_im * -4.0;
        (inv_re, inv_im, u_re, u_im)
    });
    let alpha = (v * w.conj_physical().unsqueeze(1)).real() * -2.0; // (H, R, M)
    let beta = v.real() * 2.0;
    let rows = v.size()[1];
    // Numerators α + iβt against 1/D.
    let (re, im) = numerators_times(&Tensor::cat(&[&alpha, &beta], 1), &inv_re, &inv_im, &tt, rows);
    // The poles' gradient: zero in value.
    let da = (&a - a.detach()).transpose(-1, -2); // (H, 1, M)
    let db = (&b - b.detach()).transpose(-1, -2);
    let c1 = &da * a.detach().transpose(-1, -2) + db * b.detach().transpose(-1, -2);
    let (alpha, beta) = (alpha.detach(), beta.detach());
    let lhs = Tensor::cat(&[&alpha * &c1, &beta * &c1, &alpha * &da, &beta * &da], 1); // (H, 4R, M)
    // Σ num·U·c1 − it·Σ num·U·δa with num = α + iβt.
    let (x_re, x_im) = numerators_times(&lhs.narrow(1, 0, 2 * rows), &u_re, &u_im, &tt, rows);
    let (y_re, y_im) = numerators_times(&lhs.narrow(1, 2 * rows, 2 * rows), &u_re, &u_im, &tt, rows);
    let re = re + x_re + &tt * &y_im;
    let im = im + x_im - &tt * y_re;
    Tensor::complex(&re, &im)
}

/// `Σ_n (α_n + iβ_n t)·(m_re + i m_im)_nk` for rows `[α; β]` (H, 2R, M) and a complex matrix
/// (H, M, K) given by its parts: the real and imaginary parts (H, R, K).
fn numerators_times(lhs: &Tensor, m_re: &Tensor, m_im: &Tensor, tt: &Tensor, rows: i64) -> (Tensor, Tensor) {
    let pr = lhs.matmul(m_re); // (H, 2R, K)
    let pi = lhs.matmul(m_im);
    let (a_re, b_re) = (pr.narrow(1, 0, rows), pr.narrow(1, rows, rows));
    let (a_im, b_im) = (pi.narrow(1, 0, rows), pi.narrow(1, rows, rows));
    (a_re - b_im * tt, a_im + b_re * tt)
}

/// [`cauchy_conj_pairs`] with every op in the autograd graph: the slow twin that its
/// closed-form pole gradient is tested against.
pub fn cauchy_conj_pairs_autograd(v: &Tensor, w: &Tensor, t: &Tensor) -> Tensor {
    let (a, b) = (w.real().unsqueeze(-1), w.imag().unsqueeze(-1)); // (H, M, 1)
    let tt = t.view([1, 1, -1]);
    let q = a.square() + (&b - &tt) * (&b + &tt); // (H, M, K)
    let s = &a * &tt * -2.0; // (H, M, K): D = q + i s
    let den = q.square() + s.square();
    // 1/D = (q − i s)/|D|².
    let inv_re = &q / &den;
    let inv_im = -s / &den;
    let alpha = (v * w.conj_physical().unsqueeze(1)).real() * -2.0; // (H, R, M)
    let beta = v.real() * 2.0;
    let rows = v.size()[1];
    let (re, im) = numerators_times(&Tensor::cat(&[alpha, beta], 1), &inv_re, &inv_im, &tt, rows);
    Tensor::complex(&re, &im)
}

/// The S4 kernel of a rank-1 DPLR system from C (S4 paper Alg. 1, Thm 3;
/// ssm.py:788-890): C̃ by [`dplr_c_tilde`], then at the nodes `z_k = 2(1 − ω_k)/(1 + ω_k)`
/// the Cauchy sums, the Woodbury rank-1 identity, the bilinear factor and an inverse real FFT.
pub fn dplr_kernel(lambda: &Tensor, p: &Tensor, b: &Tensor, c: &Tensor, dt: &Tensor, l: i64) -> Tensor {
    let c_tilde = dplr_c_tilde(lambda, p, c, dt, l);
    dplr_kernel_from_c_tilde(lambda, p, b, &c_tilde, dt, l)
}

/// The S4 kernel from a given C̃ (C, H, M) (Alg. 1 steps 2-4).
pub fn dplr_kernel_from_c_tilde(
    lambda: &Tensor,
    p: &Tensor,
    b: &Tensor,
    c_tilde: &Tensor,
    dt: &Tensor,
    l: i64,
) -> Tensor {
    let copies = c_tilde.size()[0];
    let complex = lambda.kind();
    let real = lambda.real().kind();
    let device = lambda.device();
    debug_assert_eq!(complex, complex_of(real));
    let nd = nodes(l as usize);
    // z_k = i·t_k, t_k = 2 tan(πk/L) (ω_k = e^{−2πik/L}); ω = −1 handled below.
    let t = Tensor::from_slice(&nd.t).to_kind(real).to_device(device);
    let dtc = dt.unsqueeze(-1);
    let w = lambda * &dtc; // ΔΛ (H, M)
    // Numerators Δ x_i y_j with rows x = [C̃; P*] and columns y = [B; P] (ssm.py:837-846).
    let pc = p.conj_physical();
    let v00 = c_tilde * (b * &dtc).unsqueeze(0); // (C, H, M)
    let v01 = c_tilde * (p * &dtc).unsqueeze(0);
    let v10 = (&pc * b * &dtc).unsqueeze(0); // (1, H, M)
    let v11 = (&pc * p * &dtc).unsqueeze(0);
    let v = Tensor::cat(&[v00, v01, v10, v11], 0).transpose(0, 1); // (H, 2C + 2, M)
    // r_ij(z) over both halves of each conjugate pair (Alg. 1 step 2).
    let r = cauchy_conj_pairs(&v, &w, &t); // (H, 2C + 2, K)
    let r00 = r.narrow(1, 0, copies);
    let r01 = r.narrow(1, copies, copies);
    let r10 = r.narrow(1, 2 * copies, 1);
    let r11 = r.narrow(1, 2 * copies + 1, 1);
    // Woodbury rank 1: k̂ = r00 − r01 r10/(1 + r11) (S4 Alg. 1 step 3; ssm.py:849-850).
    let khat = &r00 - &r01 * &r10 / (r11 + 1.0);
    // Bilinear correction 2/(1 + ω) = 1 + z/2 (S4 Alg. 1 step 3; ssm.py:876).
    let corr = Tensor::complex(&t.ones_like(), &(&t * 0.5)).view([1, 1, -1]);
    let mut khat = (khat * corr).transpose(0, 1); // (C, H, K)
    if nd.nyquist {
        // ω = −1: the limit C̃_f (I + Ā)^{-1} B̄_f = Δ Re Σ c̃·b.
        let s = (c_tilde * b.unsqueeze(0)).sum_dim_intlist(-1, false, complex).real() * dt.unsqueeze(0);
        let s = Tensor::complex(&s, &s.zeros_like()).unsqueeze(-1);
        khat = Tensor::cat(&[khat, s], -1);
    }
    // K = irfft(k̂, L) (S4 Alg. 1 step 4; ssm.py:879-882).
    khat.fft_irfft(l, -1, "backward")
}
