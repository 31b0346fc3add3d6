//! LSSL convolution kernel `K = (CB̄, CĀB̄, …, CĀ^{L−1}B̄)` of a dense discrete
//! system (LSSL §3.2 / App. B; s4 "standalone" `power(L, A, v)` doubling).
//!
//! * [`krylov_naive`]: L matrix-vector products, O(N²L) — the reference.
//! * [`krylov_doubling`]: builds the Krylov matrix `[B̄, ĀB̄, …]` by doubling,
//!   `X ← [X, Ā^w X]`, `Ā^{2w} = (Ā^w)²`: ⌈log₂L⌉ − 1 squarings and blocked
//!   matrix-matrix products.
//! * [`krylov_blocked`]: baby-step/giant-step. With `L = m·J`,
//!   `K_{i+mj} = (C Ā^i)(Ā^{m})^j B̄`: m left vectors, J right vectors,
//!   log₂m squarings and one `m × N × J` product (O(N L) for that step).

use nalgebra::{DMatrix, DVector};

use crate::error::{check_all_finite, check_nonzero, HippoError, Result};

fn check_krylov(a: &DMatrix<f64>, b: &DVector<f64>, c: &DVector<f64>, l: usize) -> Result<()> {
    crate::discretize::check_system(a, b)?;
    if c.len() != a.nrows() {
        return Err(HippoError::Shape {
            option: "c",
            reason: format!("C has length {}, A is {}x{}", c.len(), a.nrows(), a.ncols()),
        });
    }
    check_all_finite("c", c.iter())?;
    check_nonzero("l", l)
}

/// `K_j = C Ā^j B̄` for j < l by L matrix-vector products (reference).
/// `c` holds the row vector C.
pub fn krylov_naive(
    a: &DMatrix<f64>,
    b: &DVector<f64>,
    c: &DVector<f64>,
    l: usize,
) -> Result<Vec<f64>> {
    check_krylov(a, b, c, l)?;
    let mut x = b.clone();
    let mut next = DVector::zeros(b.len());
    let mut out = Vec::with_capacity(l);
    for j in 0..l {
        out.push(c.dot(&x));
        if j + 1 < l {
            next.gemv(1.0, a, &x, 0.0);
            std::mem::swap(&mut x, &mut next);
        }
    }
    Ok(out)
}

/// Krylov matrix `[B̄, ĀB̄, …, Ā^{l−1}B̄]` (N × l) by doubling.
pub fn krylov_matrix(a: &DMatrix<f64>, b: &DVector<f64>, l: usize) -> Result<DMatrix<f64>> {
    crate::discretize::check_system(a, b)?;
    check_nonzero("l", l)?;
    let n = a.nrows();
    let mut x = DMatrix::<f64>::zeros(n, l);
    x.set_column(0, b);
    let mut w = 1usize;
    let mut p = a.clone(); // p = Ā^w
    while w < l {
        let cnt = w.min(l - w);
        let block = &p * x.columns(0, cnt);
        x.columns_mut(w, cnt).copy_from(&block);
        w += cnt;
        if w < l {
            p = &p * &p;
        }
    }
    Ok(x)
}

/// `K` by the doubling Krylov matrix: `K = Cᵀ·[B̄, ĀB̄, …]`.
pub fn krylov_doubling(
    a: &DMatrix<f64>,
    b: &DVector<f64>,
    c: &DVector<f64>,
    l: usize,
) -> Result<Vec<f64>> {
    check_krylov(a, b, c, l)?;
    let x = krylov_matrix(a, b, l)?;
    Ok(x.tr_mul(c).iter().copied().collect())
}

/// `A^p` by repeated squaring (p ≥ 0).
pub fn matrix_power(a: &DMatrix<f64>, mut p: usize) -> Result<DMatrix<f64>> {
    check_nonzero("n", a.nrows())?;
    if a.nrows() != a.ncols() {
        return Err(HippoError::Shape {
            option: "a",
            reason: format!("A must be square, got {}x{}", a.nrows(), a.ncols()),
        });
    }
    let n = a.nrows();
    let mut result: Option<DMatrix<f64>> = None;
    let mut base = a.clone();
    while p > 0 {
        if p & 1 == 1 {
            result = Some(match result {
                None => base.clone(),
                Some(r) => &r * &base,
            });
        }
        p >>= 1;
        if p > 0 {
            base = &base * &base;
        }
    }
    Ok(result.unwrap_or_else(|| DMatrix::identity(n, n)))
}

/// Block size m (a power of two) of the baby-step/giant-step split minimizing
/// `log₂m · N³/γ + (m + L/m) · N²` with γ = 4 (matrix products run several
/// times faster per flop than matrix-vector products).
fn giant_step(n: usize, l: usize) -> usize {
    let nf = n as f64;
    let cost = |m: usize| {
        let sq = (m as f64).log2();
        sq * nf * nf * nf / 4.0 + (m as f64 + (l as f64 / m as f64).ceil()) * nf * nf
    };
    let mut best = 1usize;
    let mut m = 1usize;
    while m <= l {
        if cost(m) < cost(best) {
            best = m;
        }
        m *= 2;
    }
    best
}

/// The N × count matrix `[v, Mv, M²v, …]`, one matrix-vector product per column.
fn power_columns(mat: &DMatrix<f64>, v: &DVector<f64>, count: usize) -> DMatrix<f64> {
    let mut out = DMatrix::<f64>::zeros(v.len(), count);
    out.set_column(0, v);
    let mut cur = v.clone();
    let mut next = DVector::zeros(v.len());
    for i in 1..count {
        next.gemv(1.0, mat, &cur, 0.0);
        std::mem::swap(&mut cur, &mut next);
        out.set_column(i, &cur);
    }
    out
}

/// `K` by baby-step/giant-step blocks (see the module docs). The left chain
/// `C Ā^i` and the right chain `(Ā^m)^j B̄` run in parallel (rayon).
pub fn krylov_blocked(
    a: &DMatrix<f64>,
    b: &DVector<f64>,
    c: &DVector<f64>,
    l: usize,
) -> Result<Vec<f64>> {
    check_krylov(a, b, c, l)?;
    let n = a.nrows();
    let m = giant_step(n, l);
    let giants = l.div_ceil(m);
    // Row i = C Ā^i, built as columns of Āᵀ-powers applied to C.
    let left = || power_columns(&a.transpose(), c, m);
    let right = || -> Result<DMatrix<f64>> { Ok(power_columns(&matrix_power(a, m)?, b, giants)) };
    let (lm, rm) = rayon::join(left, right);
    let rm = rm?;
    // G[i, j] = K_{i + m j}; column-major storage is exactly that order.
    let g = lm.tr_mul(&rm);
    Ok(g.as_slice()[..l].to_vec())
}
