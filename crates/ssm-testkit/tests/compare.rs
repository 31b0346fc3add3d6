use ssm_nn::{state_mut, Mixer, MixerState, StepError};
use ssm_testkit::{max_abs_diff, options, output_and_grads, rel_err, stepped};
use tch::{nn, Device, Tensor};

#[test]
fn comparisons_measure_the_largest_difference() {
    let a = Tensor::from_slice(&[1.0f32, 2.0, -4.0]);
    let b = Tensor::from_slice(&[1.0f64, 2.5, -4.0]);
    assert_eq!(max_abs_diff(&a, &b), 0.5);
    assert_eq!(rel_err(&a, &b), 0.5 / 4.0);
}

#[test]
fn options_are_parsed_strictly() {
    #[derive(serde::Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    struct O {
        n: u32,
    }
    assert_eq!(options::<O>("{n: 3}").n, 3);
    assert!(std::panic::catch_unwind(|| options::<O>("{n: 3, m: 1}")).is_err());
}

#[test]
fn gradients_are_those_of_the_weighted_sum_and_do_not_accumulate() {
    let vs = nn::VarStore::new(Device::Cpu);
    let p = vs.root().var_copy("p", &Tensor::from_slice(&[2.0f64, 3.0]));
    let w = Tensor::from_slice(&[1.0f64, -1.0]);
    for _ in 0..2 {
        let (y, g) = output_and_grads(&vs, &w, || &p * &p);
        assert_eq!(Vec::<f64>::try_from(y).unwrap(), [4.0, 9.0]);
        // d/dp Σ w p² = 2 w p.
        assert_eq!(Vec::<f64>::try_from(&g["p"]).unwrap(), [4.0, -6.0]);
    }
}

/// A running sum over the sequence: forward is a cumulative sum, the state the sum so far.
struct RunningSum;

impl Mixer for RunningSum {
    fn forward(&self, xs: &Tensor, _train: bool) -> Tensor {
        xs.cumsum(1, None)
    }

    fn initial_state(&self, batch: i64, _max_len: i64) -> Result<MixerState, StepError> {
        Ok(Box::new(Tensor::zeros([batch, 1, 2], (tch::Kind::Double, Device::Cpu))))
    }

    fn step(&self, xs: &Tensor, state: &mut MixerState) -> Result<Tensor, StepError> {
        let sum: &mut Tensor = state_mut(state, "running sum")?;
        let ys = xs.cumsum(1, None) + &*sum;
        *sum = ys.narrow(1, ys.size()[1] - 1, 1);
        Ok(ys)
    }
}

#[test]
fn stepping_in_chunks_joins_the_outputs_in_order() {
    let x = Tensor::randn([3, 10, 2], (tch::Kind::Double, Device::Cpu));
    let full = RunningSum.forward(&x, false);
    for chunks in [vec![10], vec![1; 10], vec![3, 1, 6]] {
        assert!(max_abs_diff(&stepped(&RunningSum, &x, 10, &chunks), &full) < 1e-12, "{chunks:?}");
    }
    assert!(std::panic::catch_unwind(|| stepped(&RunningSum, &x, 10, &[3, 3])).is_err(), "short chunks");
}
