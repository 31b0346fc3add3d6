//! Argument validation: shapes, dtypes and devices, with error messages that name the argument.
//!
//! Shapes follow mamba_ssm's `selective_scan_fn` (lineage.md §3, "Shapes"): u, Δ, z: (batch, D, L);
//! A: (D, N); B, C variable (batch, N, L) or grouped (batch, G, N, L) with D % G == 0, or
//! constant (D, N); D and delta_bias: (D); plus the initial state h0: (batch, D, N).

use tch::{Device, Kind, Tensor};

use crate::error::{Result, ScanError};
use crate::ScanArgs;

/// How `B` or `C` is laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BcLayout {
    /// Input-dependent: (batch, G, N, L); channel c reads group c / (D / G).
    Variable { groups: usize },
    /// Constant over time and batch: (D, N).
    Constant,
}

impl BcLayout {
    pub fn is_variable(self) -> bool {
        matches!(self, BcLayout::Variable { .. })
    }
    pub fn groups(self) -> usize {
        match self {
            BcLayout::Variable { groups } => groups,
            BcLayout::Constant => 0,
        }
    }
}

/// The validated problem size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScanShape {
    pub batch: usize,
    pub dim: usize,
    pub len: usize,
    pub nstate: usize,
    pub b: BcLayout,
    pub c: BcLayout,
    pub has_d: bool,
    pub has_z: bool,
    pub has_bias: bool,
    pub has_h0: bool,
}

impl ScanShape {
    /// The scan of a Mamba layer (mamba_simple.py): variable B and C of one group, with D, the
    /// z gate and delta_bias, no initial state. The benchmark's and the PTX dumps' shape.
    pub fn mamba(batch: usize, dim: usize, len: usize, nstate: usize) -> Self {
        let variable = BcLayout::Variable { groups: 1 };
        ScanShape { batch, dim, len, nstate, b: variable, c: variable, has_d: true, has_z: true, has_bias: true, has_h0: false }
    }
}

fn is_float(k: Kind) -> bool {
    matches!(k, Kind::Float | Kind::Double | Kind::BFloat16 | Kind::Half)
}

fn dims(t: &Tensor) -> Vec<usize> {
    t.size().iter().map(|&d| d as usize).collect()
}

fn expect_shape(arg: &'static str, t: &Tensor, want: &[usize], what: &str) -> Result<()> {
    let got = dims(t);
    if got != want {
        return Err(ScanError::shape(arg, format!("expected {what} = {want:?}, got {got:?}")));
    }
    Ok(())
}

fn bc_layout(arg: &'static str, t: &Tensor, batch: usize, dim: usize, n: usize, len: usize) -> Result<BcLayout> {
    let got = dims(t);
    let bad = || {
        ScanError::shape(
            arg,
            format!(
                "expected (batch, N, L) = [{batch}, {n}, {len}] or (batch, G, N, L) = [{batch}, G, {n}, {len}] \
                 with D % G == 0 (D = {dim}), or constant (D, N) = [{dim}, {n}], got {got:?}"
            ),
        )
    };
    match got.as_slice() {
        [d, nn] if *d == dim && *nn == n => Ok(BcLayout::Constant),
        [b, nn, l] if *b == batch && *nn == n && *l == len => Ok(BcLayout::Variable { groups: 1 }),
        [b, g, nn, l] if *b == batch && *g >= 1 && dim % *g == 0 && *nn == n && *l == len => {
            Ok(BcLayout::Variable { groups: *g })
        }
        _ => Err(bad()),
    }
}

/// Checks every argument and returns the problem size. Devices must all equal `u`'s; every
/// tensor must be floating point (the backends narrow the dtypes further).
pub fn validate(args: &ScanArgs<'_>) -> Result<ScanShape> {
    let named: [(&'static str, Option<&Tensor>); 9] = [
        ("u", Some(args.u)),
        ("delta", Some(args.delta)),
        ("A", Some(args.a)),
        ("B", Some(args.b)),
        ("C", Some(args.c)),
        ("D", args.d),
        ("z", args.z),
        ("delta_bias", args.delta_bias),
        ("h0", args.h0),
    ];
    for (name, t) in named.iter() {
        if let Some(t) = t {
            if !t.defined() {
                return Err(ScanError::shape(name, "tensor is undefined (pass None for an absent input)"));
            }
        }
    }
    let device = args.u.device();
    for (name, t) in named.iter() {
        if let Some(t) = t {
            if t.device() != device {
                return Err(ScanError::device(
                    name,
                    format!("expected device {device:?} (the device of u), got {:?}", t.device()),
                ));
            }
            let k = t.kind();
            if !is_float(k) {
                return Err(ScanError::dtype(name, format!("expected a floating-point tensor, got {k:?}")));
            }
        }
    }
    let ud = dims(args.u);
    let [batch, dim, len] = ud.as_slice() else {
        return Err(ScanError::shape("u", format!("expected (batch, D, L), got {ud:?}")));
    };
    let (batch, dim, len) = (*batch, *dim, *len);
    if batch == 0 || dim == 0 || len == 0 {
        return Err(ScanError::shape("u", format!("expected non-empty (batch, D, L), got {ud:?}")));
    }
    expect_shape("delta", args.delta, &[batch, dim, len], "(batch, D, L)")?;
    let ad = dims(args.a);
    let nstate = match ad.as_slice() {
        [d, n] if *d == dim && *n >= 1 => *n,
        _ => {
            return Err(ScanError::shape("A", format!("expected (D, N) with D = {dim} and N >= 1, got {ad:?}")));
        }
    };
    let b = bc_layout("B", args.b, batch, dim, nstate, len)?;
    let c = bc_layout("C", args.c, batch, dim, nstate, len)?;
    if let Some(d) = args.d {
        expect_shape("D", d, &[dim], "(D)")?;
    }
    if let Some(z) = args.z {
        expect_shape("z", z, &[batch, dim, len], "(batch, D, L)")?;
    }
    if let Some(bias) = args.delta_bias {
        expect_shape("delta_bias", bias, &[dim], "(D)")?;
    }
    if let Some(h0) = args.h0 {
        expect_shape("h0", h0, &[batch, dim, nstate], "(batch, D, N)")?;
    }
    Ok(ScanShape {
        batch,
        dim,
        len,
        nstate,
        b,
        c,
        has_d: args.d.is_some(),
        has_z: args.z.is_some(),
        has_bias: args.delta_bias.is_some(),
        has_h0: args.h0.is_some(),
    })
}

/// For the kernels: u, delta, z and variable B/C must share one dtype, f32 or bf16 (the CPU
/// kernel also widens bf16 to f32 before it runs). A, D, delta_bias, h0 and constant B/C are
/// weights, widened to f32 (lineage.md §3: "weight_t ... fp32; D and delta_bias must be fp32").
pub fn kernel_input_kind(args: &ScanArgs<'_>, shape: &ScanShape, backend: &'static str) -> Result<Kind> {
    let k = args.u.kind();
    if !matches!(k, Kind::Float | Kind::BFloat16) {
        return Err(ScanError::dtype(
            "u",
            format!("backend `{backend}` takes float32 or bfloat16 inputs, got {k:?} (use the reference backend for other dtypes)"),
        ));
    }
    let mut same: Vec<(&'static str, &Tensor)> = vec![("delta", args.delta)];
    if let Some(z) = args.z {
        same.push(("z", z));
    }
    if shape.b.is_variable() {
        same.push(("B", args.b));
    }
    if shape.c.is_variable() {
        same.push(("C", args.c));
    }
    for (name, t) in same {
        if t.kind() != k {
            return Err(ScanError::dtype(name, format!("expected {k:?} (the dtype of u), got {:?}", t.kind())));
        }
    }
    Ok(k)
}

/// The device index of a CUDA device, or an error naming `u`.
pub fn cuda_index(device: Device) -> Result<usize> {
    match device {
        Device::Cuda(i) => Ok(i),
        d => Err(ScanError::device("u", format!("expected a CUDA device, got {d:?}"))),
    }
}
