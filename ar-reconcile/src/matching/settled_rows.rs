//! [`SettledRows`]: what the earlier lines of one run settled on each invoice row.

/// Rows a page holds: 1,024 running amounts, 8 KiB.
const PAGE_BITS: u32 = 10;
const PAGE: usize = 1 << PAGE_BITS;

/// Invoice row → how much earlier lines of a run settled on it, in minor units.
///
/// Kept in pages of [`PAGE`] rows, each allocated (zeroed) when a line first
/// settles one of its rows. A run then pays for the rows its lines touch, not
/// for the whole set of open items: a run of one line against a million items
/// used to allocate and zero 8 MB, which took some fifteen times as long as
/// matching the line. A large run touches every page and costs what one dense
/// array did.
pub(crate) struct SettledRows {
    /// A page is a thin pointer: the table of a million rows' pages is 8 KB.
    pages: Vec<Option<Box<[i64; PAGE]>>>,
    /// How many rows the run has: the last page may have room for more.
    rows: usize,
}

impl SettledRows {
    /// Room for `rows` rows, all at zero; no page allocated yet.
    pub(crate) fn new(rows: usize) -> Self {
        SettledRows { pages: vec![None; rows.div_ceil(PAGE)], rows }
    }

    /// `row`'s page and its place there.
    fn at(row: u32) -> (usize, usize) {
        ((row >> PAGE_BITS) as usize, row as usize & (PAGE - 1))
    }

    /// What earlier lines settled on `row`: zero if none did, or if the run
    /// has no such row.
    pub(crate) fn get(&self, row: u32) -> i64 {
        let (page, place) = Self::at(row);
        match self.pages.get(page) {
            Some(Some(amounts)) => amounts.get(place).copied().unwrap_or(0),
            _ => 0,
        }
    }

    /// Adds `amount` to what is settled on `row`; a row outside the run is
    /// ignored (it has no open amount to settle).
    pub(crate) fn add(&mut self, row: u32, amount: i64) {
        if row as usize >= self.rows {
            return;
        }
        let (page, place) = Self::at(row);
        let Some(slot) = self.pages.get_mut(page) else { return };
        let amounts = slot.get_or_insert_with(|| Box::new([0; PAGE]));
        if let Some(settled) = amounts.get_mut(place) {
            *settled += amount;
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn rows_start_at_zero_and_add_up() {
        let mut rows = SettledRows::new(10_000);
        assert_eq!(rows.get(0), 0);
        assert_eq!(rows.get(9_999), 0);
        rows.add(1_025, 250);
        rows.add(1_025, -50);
        rows.add(9_999, 7);
        assert_eq!(rows.get(1_025), 200);
        assert_eq!(rows.get(1_024), 0);
        assert_eq!(rows.get(1_026), 0);
        assert_eq!(rows.get(9_999), 7);
        assert_eq!(rows.get(0), 0);
    }

    #[test]
    fn only_touched_pages_are_allocated() {
        let mut rows = SettledRows::new(1_000_000);
        assert_eq!(rows.pages.len(), 1_000_000usize.div_ceil(PAGE));
        rows.add(5, 1);
        rows.add(999_999, 1);
        assert_eq!(rows.pages.iter().filter(|p| p.is_some()).count(), 2);
    }

    #[test]
    fn rows_outside_the_run_stay_zero() {
        // Row 3 is on row 0's page, but the run has only three rows.
        let mut rows = SettledRows::new(3);
        rows.add(3, 10);
        rows.add(u32::MAX, 10);
        assert_eq!(rows.get(3), 0);
        assert_eq!(rows.get(u32::MAX), 0);
        let mut empty = SettledRows::new(0);
        empty.add(0, 1);
        assert_eq!(empty.get(0), 0);
    }

    proptest! {
        /// The pages hold exactly what a dense array of running sums would.
        #[test]
        fn pages_equal_a_dense_array(
            rows in 1usize..20_000,
            adds in proptest::collection::vec((0u32..25_000, -1_000i64..1_000), 0..200),
        ) {
            let mut paged = SettledRows::new(rows);
            let mut dense = vec![0i64; rows];
            for &(row, amount) in &adds {
                paged.add(row, amount);
                if let Some(s) = dense.get_mut(row as usize) {
                    *s += amount;
                }
            }
            for (&(row, _), probe) in adds.iter().zip(0u32..) {
                for r in [row, probe, row.saturating_add(1)] {
                    prop_assert_eq!(paged.get(r), dense.get(r as usize).copied().unwrap_or(0));
                }
            }
        }
    }
}
