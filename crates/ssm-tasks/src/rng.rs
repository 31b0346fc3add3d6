use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// Independent random streams of one run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    Train = 1,
    Validation = 2,
    Test = 3,
    Init = 4,
    /// The per-epoch order of a fixed training set ([`crate::FixedSet`]).
    Shuffle = 5,
}

/// The RNG for item `index` of `stream` under `seed` (ChaCha8: portable and reproducible).
pub fn rng_for(seed: u64, stream: Stream, index: u64) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(stream as u64);
    rng.set_word_pos((index as u128) << 40);
    rng
}
