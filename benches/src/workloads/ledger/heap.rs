//! Live heap bytes of the current thread, for memory per item.
//!
//! The counting itself needs a `#[global_allocator]`, which takes unsafe code
//! this crate forbids: the `arbench` binary registers one that calls
//! [`note_alloc`] and [`note_free`]. Without it nothing is counted and
//! [`counting`] says so.
//!
//! The counter is per thread (a plain cell, no atomics) so the allocator costs
//! next to nothing on hot paths: a workload that measures must build what it
//! measures on the thread that reads [`live_bytes`]. Memory freed on another
//! thread than the one that allocated it shows up on the wrong counter.

use std::cell::Cell;

thread_local! {
    static LIVE: Cell<i64> = const { Cell::new(0) };
}

/// Records `bytes` allocated on this thread (called by the counting allocator).
#[inline]
pub fn note_alloc(bytes: usize) {
    LIVE.with(|live| live.set(live.get().wrapping_add(bytes as i64)));
}

/// Records `bytes` freed on this thread (called by the counting allocator).
#[inline]
pub fn note_free(bytes: usize) {
    LIVE.with(|live| live.set(live.get().wrapping_sub(bytes as i64)));
}

/// Bytes allocated minus bytes freed on this thread so far.
pub fn live_bytes() -> i64 {
    LIVE.with(Cell::get)
}

/// Whether a counting allocator is registered: a probe allocation moves the counter.
pub fn counting() -> bool {
    let before = live_bytes();
    let probe = std::hint::black_box(vec![0u8; 64]);
    let moved = live_bytes() != before;
    drop(probe);
    moved
}
