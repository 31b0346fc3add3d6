//! The ground truth: the selective scan written with tch ops, sequential over L, differentiated by
//! libtorch autograd. Same shape of computation as mamba_ssm's `selective_scan_ref`
//! (mamba_simple.py / selective_scan_interface.py:127-193, lineage.md §1 "Scan semantics"), plus
//! an initial state h0.

use tch::{Kind, Tensor};

use crate::error::Result;
use crate::shapes::{validate, BcLayout, ScanShape};
use crate::ScanArgs;

/// Expands B or C to (batch, D, L, N) (variable) or (1, D, 1, N) (constant), in `kind`.
fn expand_bc(t: &Tensor, layout: BcLayout, shape: &ScanShape, kind: Kind) -> Tensor {
    let t = t.to_kind(kind);
    match layout {
        BcLayout::Constant => t.view([1, shape.dim as i64, 1, shape.nstate as i64]),
        BcLayout::Variable { groups } => {
            // (batch, G, N, L) -> (batch, D, N, L): channel c reads group c / (D / G).
            let t = t.view([shape.batch as i64, groups as i64, shape.nstate as i64, shape.len as i64]);
            let rep = (shape.dim / groups) as i64;
            t.repeat_interleave_self_int(rep, 1, None).permute([0, 1, 3, 2])
        }
    }
}

/// Runs the reference scan. Returns `(y, last_state)`: y has u's dtype (computed in float64 when
/// u is float64, float32 otherwise), last_state (batch, D, N) is in the compute dtype.
pub fn selective_scan_reference(args: &ScanArgs<'_>, delta_softplus: bool) -> Result<(Tensor, Tensor)> {
    let shape = validate(args)?;
    let out_kind = args.u.kind();
    let kind = if out_kind == Kind::Double { Kind::Double } else { Kind::Float };
    let (bsz, dim, len, n) = (shape.batch as i64, shape.dim as i64, shape.len as i64, shape.nstate as i64);

    let u = args.u.to_kind(kind);
    // Δ = softplus(Δ + delta_bias) (Mamba Alg. 2 line 5; interface.py:166-169).
    let mut dt = args.delta.to_kind(kind);
    if let Some(bias) = args.delta_bias {
        dt = &dt + bias.to_kind(kind).view([1, dim, 1]);
    }
    if delta_softplus {
        dt = dt.softplus();
    }
    // Discretisation (Mamba eq. (4): ZOH for A, Euler for B; interface.py:170-178), taken one
    // step at a time: dA_t = exp(Δ_t A), dBu_t = Δ_t B_t u_t. The per-step slices come from
    // `unbind`, whose backward is one `stack` (a per-step `select` would zero-fill a full-size
    // gradient at every step).
    let a = args.a.to_kind(kind).view([1, dim, n]);
    let bx = expand_bc(args.b, shape.b, &shape, kind);
    let cx = expand_bc(args.c, shape.c, &shape, kind);
    let dts = dt.unbind(2);
    let dus = (&dt * &u).unbind(2);
    let per_step = |x: &Tensor, variable: bool| -> Vec<Tensor> {
        if variable {
            x.unbind(2)
        } else {
            vec![x.select(2, 0)]
        }
    };
    let bs = per_step(&bx, shape.b.is_variable());
    let cs = per_step(&cx, shape.c.is_variable());

    let mut h = match args.h0 {
        Some(h0) => h0.to_kind(kind),
        None => Tensor::zeros([bsz, dim, n], (kind, args.u.device())),
    };
    let pick = |v: &[Tensor], t: usize| -> Tensor { v[if v.len() == 1 { 0 } else { t }].shallow_clone() };
    let mut ys = Vec::with_capacity(shape.len);
    for t in 0..len as usize {
        // h_t = exp(Δ_t A) h_{t-1} + Δ_t B_t u_t (Mamba eq. (2a)); y_t = C_t h_t (eq. (2b)).
        h = (dts[t].unsqueeze(-1) * &a).exp() * &h + dus[t].unsqueeze(-1) * pick(&bs, t);
        ys.push((&h * pick(&cs, t)).sum_dim_intlist([-1i64].as_slice(), false, kind));
    }
    let mut y = Tensor::stack(&ys, -1);
    if let Some(d) = args.d {
        // y += D u (skip connection; interface.py:186).
        y = &y + &u * d.to_kind(kind).view([1, dim, 1]);
    }
    if let Some(z) = args.z {
        // out = y · silu(z) (gate; interface.py:187-188).
        y = &y * z.to_kind(kind).silu();
    }
    Ok((y.to_kind(out_kind), h))
}
