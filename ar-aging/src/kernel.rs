//! The hot loops: bucket sums over one run of items.
//!
//! An item is older than bucket bound `k` when its aging date is before
//! `as_of − bound_k` (the policy's threshold `t_k`), so the loop compares the
//! date column with at most 15 thresholds and never computes an age. For each
//! threshold it adds the amount under a mask (`x & -(date < t_k)`), which is
//! branch-free and keeps every running sum in a register; the buckets come out
//! as differences of these "older than bound k" sums at the end of the run.
//!
//! # Why the `i64` sums cannot overflow
//!
//! Every amount satisfies `|x| ≤ M`, the set's largest absolute amount, which
//! the builder bounds by `MAX_MINOR_UNITS` < 10¹⁸ < `i64::MAX`. The loop sums
//! at most `L = ⌊i64::MAX / M⌋` items in `i64` before widening into `i128`;
//! any partial sum (total, or any masked subset) is then bounded by
//! `L · M ≤ i64::MAX`. With invoices under 10¹² minor units, `L` exceeds nine
//! million, so the widening costs nothing. The `i128` sums are bounded by
//! `2³² · 10¹⁸ < 2¹²⁷`: one set holds fewer than 2³² items.

/// How many items may be summed in `i64` before widening (see the module docs).
pub(crate) fn chunk_len(max_abs_minor: i64) -> usize {
    let bound = max_abs_minor.unsigned_abs().max(1);
    usize::try_from(i64::MAX.unsigned_abs() / bound).unwrap_or(usize::MAX).max(1)
}

/// Adds a run of items into `out`, one cell per bucket: each amount into the
/// bucket its aging day falls in. `thresholds` fall with the index (see
/// `AgingPolicy::thresholds`), and `out` has one more cell than thresholds.
pub(crate) fn add_aged(amounts: &[i64], days: &[i32], thresholds: &[i32], chunk: usize, out: &mut [i128]) {
    macro_rules! dispatch {
        ($($n:literal)*) => {
            match thresholds.len() {
                $($n => aged::<$n>(amounts, days, thresholds, chunk, out),)*
                _ => aged_any(amounts, days, thresholds, out),
            }
        };
    }
    dispatch!(0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15);
}

/// The sum of a run of amounts, widened chunk by chunk.
pub(crate) fn sum(amounts: &[i64], chunk: usize) -> i128 {
    amounts.chunks(chunk).map(|c| i128::from(c.iter().fold(0i64, |s, &x| s.wrapping_add(x)))).sum()
}

fn aged<const N: usize>(amounts: &[i64], days: &[i32], thresholds: &[i32], chunk: usize, out: &mut [i128]) {
    let Ok(t) = <&[i32; N]>::try_from(thresholds) else {
        return aged_any(amounts, days, thresholds, out);
    };
    let mut total = 0i128;
    let mut older = [0i128; N];
    if amounts.len() <= chunk {
        // The usual case: one chunk, no iterator set-up.
        let (chunk_total, chunk_older) = chunk_sums(amounts, days, t);
        total = i128::from(chunk_total);
        older = chunk_older.map(i128::from);
    } else {
        add_chunks(amounts, days, t, chunk, &mut total, &mut older);
    }
    // older[k] holds the items past bound k, so bucket k = older[k-1] − older[k].
    let mut previous = total;
    for (k, cell) in out.iter_mut().enumerate().take(N + 1) {
        let next = older.get(k).copied().unwrap_or(0);
        *cell += previous - next;
        previous = next;
    }
}

/// Sums runs longer than a chunk, widening into `i128` after each chunk.
fn add_chunks<const N: usize>(
    amounts: &[i64],
    days: &[i32],
    t: &[i32; N],
    chunk: usize,
    total: &mut i128,
    older: &mut [i128; N],
) {
    for (a, d) in amounts.chunks(chunk).zip(days.chunks(chunk)) {
        let (chunk_total, chunk_older) = chunk_sums(a, d, t);
        *total += i128::from(chunk_total);
        for (sum, part) in older.iter_mut().zip(chunk_older) {
            *sum += i128::from(part);
        }
    }
}

/// Sums of one chunk: the total and, per threshold, the items dated before it.
/// `wrapping_add` never wraps here (chunk length bound, module docs); it only
/// keeps the loop free of overflow checks in debug builds.
#[inline(always)]
fn chunk_sums<const N: usize>(amounts: &[i64], days: &[i32], t: &[i32; N]) -> (i64, [i64; N]) {
    let mut total = 0i64;
    let mut older = [0i64; N];
    for (&x, &day) in amounts.iter().zip(days) {
        total = total.wrapping_add(x);
        for k in 0..N {
            let mask = -i64::from(day < t[k]);
            older[k] = older[k].wrapping_add(x & mask);
        }
    }
    (total, older)
}

/// The plain loop, for a threshold count the dispatch does not cover.
fn aged_any(amounts: &[i64], days: &[i32], thresholds: &[i32], out: &mut [i128]) {
    for (&x, &day) in amounts.iter().zip(days) {
        let bucket = thresholds.iter().filter(|&&t| day < t).count();
        if let Some(cell) = out.get_mut(bucket) {
            *cell += i128::from(x);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunked_sums_match_the_plain_loop_even_at_the_largest_amounts() {
        let big = ar_core::MAX_MINOR_UNITS;
        let amounts = vec![big; 40];
        let days: Vec<i32> = (0..40).collect();
        let thresholds = [30, 20, 10];
        let chunk = chunk_len(big);
        assert_eq!(chunk, 9);
        let mut fast = [0i128; 4];
        add_aged(&amounts, &days, &thresholds, chunk, &mut fast);
        let mut slow = [0i128; 4];
        aged_any(&amounts, &days, &thresholds, &mut slow);
        assert_eq!(fast, slow);
        assert_eq!(fast.iter().sum::<i128>(), 40 * i128::from(big));
        assert_eq!(sum(&amounts, chunk), 40 * i128::from(big));
    }
}
