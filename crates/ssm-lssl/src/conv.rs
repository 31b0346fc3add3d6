//! The two views of the discrete LSSL (LSSL §3.1 recurrent view, §3.2 convolutional view):
//! the causal convolution `y = K ∗ u + D·u` computed through an FFT of size 2L (so that the
//! circular convolution has no wrap-around), and the recurrence
//! `x_k = Āx_{k−1} + B̄u_k`, `y_k = Cx_k + Du_k` (x_{−1} = 0) that it equals.

use tch::Tensor;

/// Causal convolution of every channel with its kernel plus the skip term:
/// `y[b, h, i] = Σ_{j ≤ i} K[h, j]·u[b, h, i − j] + D[h]·u[b, h, i]`.
///
/// Shapes: `u` (B, H, L), `k` (H, L), `d` (H) → (B, H, L). Zero-padding both to 2L makes the
/// FFT's circular convolution equal the linear one on the first L outputs
/// (s4 fftconv: `irfft(rfft(u, 2L)·rfft(K, 2L))[:L]`).
pub fn causal_conv(u: &Tensor, k: &Tensor, d: &Tensor) -> Tensor {
    let l = *u.size().last().expect("u has a length axis");
    let n = 2 * l;
    let uf = u.fft_rfft(n, -1, "backward");
    let kf = k.fft_rfft(n, -1, "backward");
    let y = (uf * kf).fft_irfft(n, -1, "backward").narrow(-1, 0, l);
    y + u * d.unsqueeze(-1)
}

/// The recurrent view, step by step (O(L·N²) per channel; the reference for [`causal_conv`]).
///
/// Shapes: `a_bar` (H, N, N), `b_bar` (H, N), `c` (H, N), `d` (H), `u` (B, H, L) → (B, H, L).
pub fn recurrence(a_bar: &Tensor, b_bar: &Tensor, c: &Tensor, d: &Tensor, u: &Tensor) -> Tensor {
    let (batch, h, l) = u.size3().expect("u is (batch, channels, length)");
    let n = a_bar.size()[1];
    let mut x = Tensor::zeros([batch, h, n], (u.kind(), u.device()));
    let mut ys = Vec::with_capacity(l as usize);
    for k in 0..l {
        let uk = u.select(-1, k); // (B, H)
        // x_k = Ā x_{k−1} + B̄ u_k
        x = a_bar.matmul(&x.unsqueeze(-1)).squeeze_dim(-1) + b_bar * uk.unsqueeze(-1);
        // y_k = C x_k + D u_k
        ys.push((c * &x).sum_dim_intlist(-1, false, x.kind()) + d * &uk);
    }
    Tensor::stack(&ys, -1)
}
