//! The LSSL convolution kernel `K_L(Ā, B̄, C) = (CB̄, CĀB̄, …, CĀ^{L−1}B̄)` (LSSL §3.2, the
//! convolutional view; the f64 reference is [`ssm_hippo::krylov_naive`]), computed with tch
//! ops so that it is part of the autograd graph.
//!
//! Baby-step/giant-step split with `L ≤ m·J`, m a power of two near √L:
//! `K_{i + m·j} = (C Ā^i) · (Ā^m)^j B̄`. Both chains are built by doubling
//! (`Y ← [Y, Y·Ā^w]`, `Ā^{2w} = (Ā^w)²`; [`ssm_hippo::krylov_doubling`] in f64), so the cost is
//! log₂m + log₂J batched N×N squarings plus one (m × N)·(N × J) product per channel, and the
//! largest intermediate holds H·N·(m + J) numbers rather than H·N·L.

use tch::Tensor;

/// Block size m: the smallest power of two with m² ≥ L (at least 1).
pub fn block_size(l: i64) -> i64 {
    let mut m = 1i64;
    while m * m < l {
        m *= 2;
    }
    m
}

/// `K[h, j] = C_h Ā_h^j B̄_h` for `j < l`.
///
/// Shapes: `a_bar` (H, N, N), `b_bar` (H, N), `c` (H, N) → (H, l). `l ≥ 1`.
pub fn krylov_kernel(a_bar: &Tensor, b_bar: &Tensor, c: &Tensor, l: i64) -> Tensor {
    assert!(l >= 1, "kernel length must be positive, got {l}");
    let h = a_bar.size()[0];
    let m = block_size(l);
    let giants = (l + m - 1) / m;

    // Left chain: rows C Ā^i, i < m (H, m, N). After the loop `p = Ā^m`.
    let mut left = c.unsqueeze(1);
    let mut p = a_bar.shallow_clone();
    let mut w = 1;
    while w < m {
        // Rows w..2w are rows 0..w times Ā^w.
        left = Tensor::cat(&[&left, &left.matmul(&p)], 1);
        p = p.matmul(&p);
        w *= 2;
    }

    // Right chain: columns (Ā^m)^j B̄, j < J (H, N, J).
    let mut right = b_bar.unsqueeze(-1);
    let mut q = p;
    let mut v = 1;
    while v < giants {
        let cnt = v.min(giants - v);
        right = Tensor::cat(&[&right, &q.matmul(&right.narrow(-1, 0, cnt))], -1);
        v += cnt;
        if v < giants {
            q = q.matmul(&q);
        }
    }

    // G[h, i, j] = K[h, i + m j]; j-major order is G transposed.
    let g = left.matmul(&right); // (H, m, J)
    g.transpose(1, 2).reshape([h, m * giants]).narrow(-1, 0, l)
}
