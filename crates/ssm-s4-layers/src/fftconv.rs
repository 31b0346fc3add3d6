//! The convolutional view: `y = irfft(rfft(u, 2L)·rfft(K, 2L))[:L] + D·u` (S4 paper §3.1
//! eq. (5) computed by FFT, s4 fftconv.py:112-119), causal or bidirectional.

use tch::Tensor;

/// The kernel actually convolved, from (C, H, L) kernels: C = 1 gives the causal kernel
/// (H, L); C = 2 gives `pad(k0, (0, L)) + pad(flip(k1), (L, 0))` (H, 2L), whose second half
/// weighs strictly future inputs (s4 fftconv.py:96-99).
pub fn conv_kernel(k: &Tensor) -> Tensor {
    let l = k.size()[2];
    if k.size()[0] == 2 {
        let k0 = k.get(0).constant_pad_nd([0, l]);
        let k1 = k.get(1).flip([-1]).constant_pad_nd([l, 0]);
        k0 + k1
    } else {
        k.get(0)
    }
}

/// `u` (B, H, L), `k` (C, H, L), `d` (H) → (B, H, L). Padding to 2L makes the circular
/// convolution of the FFT equal the linear one on the first L outputs.
pub fn fft_conv(u: &Tensor, k: &Tensor, d: &Tensor) -> Tensor {
    let l = u.size()[2];
    let n = 2 * l;
    let kk = conv_kernel(k).to_kind(u.kind());
    let uf = u.fft_rfft(n, -1, "backward");
    let kf = kk.fft_rfft(n, -1, "backward");
    let y = (uf * kf).fft_irfft(n, -1, "backward").narrow(-1, 0, l);
    y + u * d.to_kind(u.kind()).unsqueeze(-1)
}

/// The same convolution by its definition, O(L²) (the check of [`fft_conv`]):
/// `y_i = Σ_{j ≤ i} k0_j u_{i−j} + Σ_{m ≥ 0} k1_m u_{i+1+m} + d·u_i`.
pub fn direct_conv(u: &Tensor, k: &Tensor, d: &Tensor) -> Tensor {
    let l = u.size()[2];
    let k = k.to_kind(u.kind());
    let mut cols = Vec::with_capacity(l as usize);
    for i in 0..l {
        // Causal part: k0[0..=i] against u[i], u[i−1], …, u[0].
        let past = u.narrow(-1, 0, i + 1).flip([-1]);
        let mut y = (&past * k.get(0).narrow(-1, 0, i + 1)).sum_dim_intlist(-1, false, u.kind());
        if k.size()[0] == 2 && i + 1 < l {
            let ahead = l - i - 1;
            let future = u.narrow(-1, i + 1, ahead);
            y = &y + (&future * k.get(1).narrow(-1, 0, ahead)).sum_dim_intlist(-1, false, u.kind());
        }
        cols.push(y + u.select(-1, i) * d.to_kind(u.kind()));
    }
    Tensor::stack(&cols, -1)
}
