//! The FFT convolution at 2L against the convolution by its definition.

mod common;

use common::rel_err_t;
use ssm_s4_layers::{direct_conv, fft_conv};
use tch::{Device, Kind, Tensor};

#[test]
fn fft_conv_equals_direct_causal_and_bidirectional_convolution() {
    tch::manual_seed(5);
    for (kind, tol) in [(Kind::Double, 1e-12), (Kind::Float, 1e-5)] {
        for copies in [1i64, 2] {
            for l in [1i64, 17, 64] {
                let o = (kind, Device::Cpu);
                let u = Tensor::randn([2, 3, l], o);
                let k = Tensor::randn([copies, 3, l], o);
                let d = Tensor::randn([3], o);
                let err = rel_err_t(&fft_conv(&u, &k, &d), &direct_conv(&u, &k, &d));
                assert!(err < tol, "{kind:?} copies={copies} L={l}: {err:.2e}");
            }
        }
    }
}

#[test]
fn causal_conv_does_not_read_the_future_and_bidirectional_does() {
    tch::manual_seed(6);
    let o = (Kind::Double, Device::Cpu);
    let u = Tensor::randn([1, 2, 30], o);
    let v = u.copy();
    let _ = v.narrow(-1, 20, 10).fill_(0.0);
    let d = Tensor::randn([2], o);
    let k = Tensor::randn([1, 2, 30], o);
    let (a, b) = (fft_conv(&u, &k, &d), fft_conv(&v, &k, &d));
    assert!(rel_err_t(&a.narrow(-1, 0, 20), &b.narrow(-1, 0, 20)) < 1e-12);
    let k2 = Tensor::randn([2, 2, 30], o);
    let (a, b) = (fft_conv(&u, &k2, &d), fft_conv(&v, &k2, &d));
    assert!(rel_err_t(&a.narrow(-1, 0, 20), &b.narrow(-1, 0, 20)) > 1e-3);
}
