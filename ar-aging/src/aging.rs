//! Aging a set of open items: totals per currency and per customer, by shard.
//!
//! Both computations walk the segment table (runs of one customer, currency and
//! class) and hand each run's date and amount columns to the kernel, so each
//! item is read once, as two numbers, with no branch on its currency or kind.
//! Totals join the runs of one currency across customers, so a kernel call
//! covers thousands of items and its set-up cost all but vanishes.

use std::ops::Range;

use crate::kernel;
use crate::open_items::{OpenItems, Pair, Segment};
use crate::policy::{AgingBasis, AgingPolicy, FutureDocuments};
use crate::results::{AgingTotals, CustomerAging};

/// A contiguous range of customers of an [`OpenItems`] set, aged on its own.
///
/// Shards are how a host spreads aging over threads (or machines): age each
/// shard, then [`merge`](AgingTotals::merge) the results. With the `parallel`
/// feature, `OpenItems::par_totals` does this on rayon's pool.
///
/// ```
/// # use ar_aging::{AgingPolicy, DocumentRef, OpenItemRow, OpenItemsBuilder};
/// # use ar_core::{Currency, CustomerId, InvoiceId};
/// # use chrono::NaiveDate;
/// # use rust_decimal_macros::dec;
/// # let day = |m, d| NaiveDate::from_ymd_opt(2025, m, d).ok_or("bad date");
/// # let mut builder = OpenItemsBuilder::new();
/// # for i in 0..10u128 {
/// #     builder.push(OpenItemRow::new(CustomerId::from_u128(i % 4), DocumentRef::Invoice(InvoiceId::from_u128(i)),
/// #         "INV", Currency::USD, day(1, 1)?, day(1, 31)?, dec!(10.00)))?;
/// # }
/// # let items = builder.build();
/// let policy = AgingPolicy::new(day(3, 1)?);
/// let mut merged = ar_aging::AgingTotals::empty(policy.clone());
/// for shard in items.shards(3) {
///     merged = merged.merge(&shard.totals(&policy))?;
/// }
/// assert_eq!(merged, items.totals(&policy));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct Shard<'a> {
    items: &'a OpenItems,
    segments: Range<usize>,
    customers: Range<usize>,
}

impl OpenItems {
    /// Totals per currency: every bucket and apart column summed over all items.
    pub fn totals(&self, policy: &AgingPolicy) -> AgingTotals {
        self.whole().totals(policy)
    }

    /// Aging per customer and currency.
    pub fn by_customer(&self, policy: &AgingPolicy) -> CustomerAging {
        self.whole().by_customer(policy)
    }

    /// Per-customer aging computed as one task per shard, on threads the host
    /// chooses: `run` gets the tasks and runs each ([`ShardTask::run`]), on any
    /// thread, in any order. Each task writes its own rows of one shared table,
    /// so joining costs nothing; a task `run` drops unrun is run here after it
    /// returns, so the result is always complete and equal to
    /// [`by_customer`](Self::by_customer).
    ///
    /// ```
    /// # use ar_aging::{AgingPolicy, DocumentRef, OpenItemRow, OpenItemsBuilder, ShardTask};
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
    /// let aging = items.by_customer_sharded(&policy, 2, |tasks| {
    ///     std::thread::scope(|scope| {
    ///         for task in tasks {
    ///             scope.spawn(move || task.run());
    ///         }
    ///     })
    /// });
    /// assert_eq!(aging, items.by_customer(&policy));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn by_customer_sharded<F>(&self, policy: &AgingPolicy, shards: usize, run: F) -> CustomerAging
    where
        F: for<'t> FnOnce(Vec<ShardTask<'t>>),
    {
        let stride = policy.stride();
        let shards = self.shards(shards);
        let mut counts = vec![0u64; self.pairs.len()];
        let mut cells = vec![0i128; self.pairs.len() * stride];
        let mut done = vec![false; shards.len()];
        {
            // Shards cover consecutive pair ranges: cut the table at their ends.
            let mut tasks = Vec::with_capacity(shards.len());
            let (mut rest_counts, mut rest_cells) = (counts.as_mut_slice(), cells.as_mut_slice());
            for (shard, done) in shards.iter().zip(done.iter_mut()) {
                let rows = shard.pair_range().len();
                let (counts, more_counts) = rest_counts.split_at_mut(rows.min(rest_counts.len()));
                let (cells, more_cells) = rest_cells.split_at_mut((rows * stride).min(rest_cells.len()));
                tasks.push(ShardTask { shard: shard.clone(), policy, counts, cells, done });
                (rest_counts, rest_cells) = (more_counts, more_cells);
            }
            run(tasks);
        }
        for (shard, _) in shards.iter().zip(&done).filter(|(_, done)| !**done) {
            let pairs = shard.pair_range();
            if let (Some(c), Some(x)) =
                (counts.get_mut(pairs.clone()), cells.get_mut(pairs.start * stride..pairs.end * stride))
            {
                shard.fill(policy, c, x);
            }
        }
        self.assemble(policy, 0..self.pairs.len(), counts, cells)
    }

    /// The whole set as one shard.
    pub fn whole(&self) -> Shard<'_> {
        Shard { items: self, segments: 0..self.segments.len(), customers: 0..self.customers.len() }
    }

    /// Splits the set into at most `count` shards of whole customers, with about
    /// the same number of items each. Customers are never split, so
    /// per-customer results of different shards have no row in common.
    pub fn shards(&self, count: usize) -> Vec<Shard<'_>> {
        // More shards than customers would be empty.
        let count = count.clamp(1, self.customers.len().max(1));
        let n = self.len() as u64;
        let mut cuts = vec![0usize];
        for k in 1..count {
            // The first customer starting at or after the k-th share of items
            // (n < 2^32 and k < 2^32, so the product fits in u64).
            let target = (n * k as u64 / count as u64) as u32;
            let c = self.customer_starts.partition_point(|&s| s < target).min(self.customers.len());
            if c > *cuts.last().unwrap_or(&0) {
                cuts.push(c);
            }
        }
        cuts.push(self.customers.len());
        cuts.dedup();
        let shards: Vec<Shard<'_>> = cuts
            .windows(2)
            .map(|w| {
                let (first, last) = (w[0], w[1]);
                let segments = self.segment_of_customer(first)..self.segment_of_customer(last);
                Shard { items: self, segments, customers: first..last }
            })
            .collect();
        if shards.is_empty() { vec![self.whole()] } else { shards }
    }

    /// Turns filled rows of `pairs` into a per-customer aging, dropping rows
    /// where no item was aged (all dated after the as-of date).
    pub(crate) fn assemble(
        &self,
        policy: &AgingPolicy,
        pairs: Range<usize>,
        counts: Vec<u64>,
        cells: Vec<i128>,
    ) -> CustomerAging {
        let stride = policy.stride();
        let key = |p: &Pair| (self.customers[p.customer as usize], self.currencies[p.currency as usize]);
        let pairs = self.pairs.get(pairs).unwrap_or(&[]);
        if counts.iter().all(|&n| n > 0) {
            let keys = pairs.iter().map(key).collect();
            return CustomerAging { policy: policy.clone(), keys, counts, cells };
        }
        let mut aging = CustomerAging::empty(policy.clone());
        for ((pair, &n), row) in pairs.iter().zip(&counts).zip(cells.chunks_exact(stride)) {
            if n > 0 {
                aging.keys.push(key(pair));
                aging.counts.push(n);
                aging.cells.extend_from_slice(row);
            }
        }
        aging
    }

    /// The index of the first segment of customer `c` (segments are in customer order).
    fn segment_of_customer(&self, c: usize) -> usize {
        let start = self.customer_starts.get(c).copied().unwrap_or(u32::MAX);
        self.segments.partition_point(|s| s.start < start)
    }
}

/// One shard's part of [`OpenItems::by_customer_sharded`]: `Send`, run it on
/// any thread.
#[derive(Debug)]
pub struct ShardTask<'a> {
    shard: Shard<'a>,
    policy: &'a AgingPolicy,
    counts: &'a mut [u64],
    cells: &'a mut [i128],
    done: &'a mut bool,
}

impl ShardTask<'_> {
    /// Ages the shard into its rows of the shared table.
    pub fn run(self) {
        self.shard.fill(self.policy, self.counts, self.cells);
        *self.done = true;
    }

    /// The number of items the task ages (to balance work between threads).
    pub fn len(&self) -> usize {
        self.shard.len()
    }

    /// `true` if the task has no item.
    pub fn is_empty(&self) -> bool {
        self.shard.is_empty()
    }
}

impl<'a> Shard<'a> {
    /// The number of items in the shard.
    pub fn len(&self) -> usize {
        let start = self.items.customer_starts.get(self.customers.start).copied().unwrap_or(0);
        let end = self.items.customer_starts.get(self.customers.end).copied().unwrap_or(0);
        end.saturating_sub(start) as usize
    }

    /// `true` if the shard holds no item.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The range of customer indexes (into [`OpenItems::customers`]) in the shard.
    pub fn customers(&self) -> Range<usize> {
        self.customers.clone()
    }

    /// Totals per currency over the shard.
    pub fn totals(&self, policy: &AgingPolicy) -> AgingTotals {
        let stride = policy.stride();
        let currencies = self.items.currencies.len();
        let mut counts = vec![0u64; currencies];
        let mut cells = vec![0i128; currencies * stride];
        let pass = Pass::new(self.items, policy);
        // Totals need no customer: runs of one currency join across customers,
        // so most kernel calls cover thousands of items, not a hundred.
        let currency_of = |seg: &Segment| self.items.pairs.get(seg.pair as usize).map(|p| p.currency);
        let same_currency = |a: &Segment, b: &Segment| currency_of(a) == currency_of(b);
        pass.for_each_run(self.segment_table(), same_currency, |run| {
            let Some(currency) = self.items.pairs.get(run.pair).map(|p| p.currency as usize) else {
                return;
            };
            if let Some(row) = cells.get_mut(currency * stride..(currency + 1) * stride) {
                counts[currency] += pass.add_run(&run, row);
            }
        });
        let keep: Vec<usize> = (0..currencies).filter(|&c| counts[c] > 0).collect();
        AgingTotals {
            policy: policy.clone(),
            currencies: keep.iter().map(|&c| self.items.currencies[c]).collect(),
            counts: keep.iter().map(|&c| counts[c]).collect(),
            cells: keep.iter().flat_map(|&c| cells[c * stride..(c + 1) * stride].iter().copied()).collect(),
        }
    }

    /// Aging per customer and currency over the shard.
    pub fn by_customer(&self, policy: &AgingPolicy) -> CustomerAging {
        let pairs = self.pair_range();
        let stride = policy.stride();
        let mut counts = vec![0u64; pairs.len()];
        let mut cells = vec![0i128; pairs.len() * stride];
        self.fill(policy, &mut counts, &mut cells);
        self.items.assemble(policy, pairs, counts, cells)
    }

    /// The (customer, currency) pairs of the shard: a range, since segments are
    /// in (customer, currency) order.
    pub(crate) fn pair_range(&self) -> Range<usize> {
        match (self.segment_table().first(), self.segment_table().last()) {
            (Some(first), Some(last)) => first.pair as usize..last.pair as usize + 1,
            _ => 0..0,
        }
    }

    /// Ages the shard into one row of cells per pair of [`pair_range`](Self::pair_range).
    pub(crate) fn fill(&self, policy: &AgingPolicy, counts: &mut [u64], cells: &mut [i128]) {
        let stride = policy.stride();
        let first_pair = self.pair_range().start;
        let pass = Pass::new(self.items, policy);
        pass.for_each_run(
            self.segment_table(),
            |a, b| a.pair == b.pair,
            |run| {
                let at = run.pair - first_pair;
                if let (Some(n), Some(row)) = (counts.get_mut(at), cells.get_mut(at * stride..(at + 1) * stride)) {
                    *n += pass.add_run(&run, row);
                }
            },
        );
    }

    fn segment_table(&self) -> &'a [Segment] {
        self.items.segments.get(self.segments.clone()).unwrap_or(&[])
    }
}

/// Contiguous items that go to the same place of one row: one (customer,
/// currency), or for totals one currency over consecutive customers.
struct Run {
    /// Index into the set's pairs: the pair of the run's first item.
    pair: usize,
    items: Range<usize>,
    /// `None` if aged into buckets, else the apart cell.
    apart: Option<usize>,
}

/// What one aging pass needs per segment, computed once from the policy.
struct Pass<'a> {
    items: &'a OpenItems,
    days: &'a [i32],
    thresholds: Vec<i32>,
    as_of_day: i32,
    /// The policy leaves out documents dated after the as-of date, and the set has some.
    exclude_future: bool,
    chunk: usize,
    buckets: usize,
    /// Per class (kind code | disputed bit): `None` if aged, else its apart cell.
    apart: [Option<usize>; 16],
}

impl<'a> Pass<'a> {
    fn new(items: &'a OpenItems, policy: &'a AgingPolicy) -> Self {
        let days = match policy.get_basis() {
            AgingBasis::DueDate => &items.due_day,
            AgingBasis::DocumentDate => &items.document_day,
        };
        Pass {
            items,
            days,
            thresholds: policy.thresholds(),
            as_of_day: policy.as_of_day(),
            exclude_future: policy.get_future_documents() == FutureDocuments::Exclude
                && items.max_document_day > policy.as_of_day(),
            chunk: kernel::chunk_len(items.max_abs_minor),
            buckets: policy.get_buckets().len(),
            apart: std::array::from_fn(|class| policy.apart_cell(class as u8)),
        }
    }

    /// Calls `f` with the runs of items to age: each segment's items that count,
    /// with consecutive aged segments that go to one row (`same_row`) joined
    /// into one run. Segments are split by kind and dispute only so that
    /// placements can move them; when the policy ages them all, one kernel call
    /// covers them.
    fn for_each_run(
        &self,
        segments: &[Segment],
        same_row: impl Fn(&Segment, &Segment) -> bool,
        mut f: impl FnMut(Run),
    ) {
        let mut i = 0;
        while let Some(seg) = segments.get(i) {
            let apart = self.apart_of(seg);
            let mut items = self.aged_range(seg);
            i += 1;
            if apart.is_none() && items.end == seg.end as usize {
                while let Some(next) = segments.get(i) {
                    let whole = self.aged_range(next);
                    if !same_row(seg, next) || self.apart_of(next).is_some() || whole.end != next.end as usize {
                        break;
                    }
                    items.end = whole.end;
                    i += 1;
                }
            }
            f(Run { pair: seg.pair as usize, items, apart });
        }
    }

    fn apart_of(&self, seg: &Segment) -> Option<usize> {
        self.apart.get(usize::from(seg.class)).copied().flatten()
    }

    /// Adds one run into a row of cells; returns the number of items aged.
    fn add_run(&self, run: &Run, row: &mut [i128]) -> u64 {
        let range = run.items.clone();
        let (Some(amounts), Some(days)) = (self.items.amount_minor.get(range.clone()), self.days.get(range)) else {
            return 0;
        };
        match run.apart {
            Some(cell) => {
                if let Some(c) = row.get_mut(cell) {
                    *c += kernel::sum(amounts, self.chunk);
                }
            }
            None => {
                let buckets = self.buckets.min(row.len());
                kernel::add_aged(amounts, days, &self.thresholds, self.chunk, &mut row[..buckets]);
            }
        }
        amounts.len() as u64
    }

    /// The segment's items that count: those dated on or before the as-of date
    /// unless the policy includes later ones. Items are in document-date order
    /// within a segment, so they are a prefix; most segments need one compare.
    fn aged_range(&self, seg: &Segment) -> Range<usize> {
        let (start, end) = (seg.start as usize, seg.end as usize);
        if !self.exclude_future {
            return start..end;
        }
        if seg.last_document_day <= self.as_of_day {
            return start..end;
        }
        let Some(doc_days) = self.items.document_day.get(start..end) else { return start..start };
        start..start + doc_days.partition_point(|&d| d <= self.as_of_day)
    }
}
