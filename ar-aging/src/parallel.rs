//! Aging on rayon's thread pool (the `parallel` feature).
//!
//! The set is cut into shards of whole customers, a few per thread so uneven
//! customers even out; each shard is aged alone and the results are merged.
//! The result equals the single-threaded one exactly: merging is exact integer
//! addition, and shards never share a customer.

use rayon::prelude::*;

use crate::aging::ShardTask;
use crate::open_items::OpenItems;
use crate::policy::AgingPolicy;
use crate::results::{AgingTotals, CustomerAging};

/// Shards per thread: enough to even out skewed customers, few enough that
/// merging stays negligible.
const SHARDS_PER_THREAD: usize = 4;

impl OpenItems {
    /// [`totals`](OpenItems::totals) on rayon's current pool.
    ///
    /// ```
    /// # use ar_aging::{AgingPolicy, DocumentRef, OpenItemRow, OpenItemsBuilder};
    /// # use ar_core::{Currency, CustomerId, InvoiceId};
    /// # use chrono::NaiveDate;
    /// # use rust_decimal_macros::dec;
    /// # let day = |m, d| NaiveDate::from_ymd_opt(2025, m, d).ok_or("bad date");
    /// # let mut builder = OpenItemsBuilder::new();
    /// # for i in 0..100u128 {
    /// #     builder.push(OpenItemRow::new(CustomerId::from_u128(i % 7), DocumentRef::Invoice(InvoiceId::from_u128(i)),
    /// #         "INV", Currency::USD, day(1, 1)?, day(1, 31)?, dec!(10.00)))?;
    /// # }
    /// # let items = builder.build();
    /// let policy = AgingPolicy::new(day(3, 1)?);
    /// assert_eq!(items.par_totals(&policy), items.totals(&policy));
    /// assert_eq!(items.par_by_customer(&policy), items.by_customer(&policy));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn par_totals(&self, policy: &AgingPolicy) -> AgingTotals {
        let shards = self.shards(rayon::current_num_threads() * SHARDS_PER_THREAD);
        let parts: Vec<AgingTotals> = shards.par_iter().map(|s| s.totals(policy)).collect();
        let empty = AgingTotals::empty(policy.clone());
        // Same policy and sums of one set (bounded, see the kernel docs): merging cannot fail.
        parts.iter().try_fold(empty.clone(), |acc, part| acc.merge(part)).unwrap_or(empty)
    }

    /// [`by_customer`](OpenItems::by_customer) on rayon's current pool. Each
    /// shard writes its own rows of one shared table, so nothing is copied.
    pub fn par_by_customer(&self, policy: &AgingPolicy) -> CustomerAging {
        let shards = rayon::current_num_threads() * SHARDS_PER_THREAD;
        self.by_customer_sharded(policy, shards, |tasks| tasks.into_par_iter().for_each(ShardTask::run))
    }
}
