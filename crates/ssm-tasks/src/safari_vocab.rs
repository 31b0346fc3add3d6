//! The token numbering of safari's in-context-learning synthetics (HazyResearch/safari,
//! `src/dataloaders/synthetics.py`), shared by [`crate::AssociativeRecall`] and
//! [`crate::InductionHeadSafari`].
//!
//! `ICLDataModule` (`synthetics.py:214-219`) builds a `Vocab` of `vocab_size - 2` ordinary tokens
//! `"0"`, `"1"`, … plus the specials `"=>"` (copy prefix) and `"."` (no-op), and numbers all of
//! them in string order (`:19-22`). `"."` sorts before the digits and `"=>"` after them, so for
//! every `vocab_size`: `0` is `"."`, `1 ..= vocab_size - 2` are the ordinary tokens, and
//! `vocab_size - 1` is `"=>"`.

use std::ops::Range;

/// `"."`, the no-op token.
pub(crate) const NOOP: i64 = 0;

/// `"=>"`, the copy prefix (the trigger and query token).
pub(crate) fn copy_prefix(vocab_size: usize) -> i64 {
    vocab_size as i64 - 1
}

/// The ordinary (non-special) tokens.
pub(crate) fn ordinary(vocab_size: usize) -> Range<i64> {
    1..copy_prefix(vocab_size)
}
