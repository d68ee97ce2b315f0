//! Open items: the host's rows, validated on the way in and stored for fast aging.
//!
//! A host feeds rows one by one to an [`OpenItemsBuilder`] (the seam a ledger
//! adapter plugs into), then [`OpenItemsBuilder::build`] freezes them into
//! [`OpenItems`]: a column store laid out for the aging loops.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::hash::BuildHasherDefault;

use ar_core::{
    CreditMemoId, Currency, CustomerId, DeductionId, IdHasher, InvoiceId, MAX_MINOR_UNITS, Money, PaymentId,
};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// What kind of document an open item is.
///
/// ```
/// use ar_aging::DocumentKind;
/// assert!(DocumentKind::UnappliedCash.is_credit());
/// assert!(!DocumentKind::Deduction.is_credit());
/// assert_eq!(DocumentKind::DebitMemo.to_string(), "debit memo");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum DocumentKind {
    /// An invoice: a receivable, open amount zero or positive.
    Invoice,
    /// A debit memo: a receivable raised outside an invoice, zero or positive.
    DebitMemo,
    /// A credit memo not yet applied: zero or negative.
    CreditMemo,
    /// Cash received but not applied to any document: zero or negative.
    UnappliedCash,
    /// A deduction the customer took on a payment, still to be resolved: zero or positive.
    Deduction,
}

impl DocumentKind {
    const ALL: [DocumentKind; 5] = [
        DocumentKind::Invoice,
        DocumentKind::DebitMemo,
        DocumentKind::CreditMemo,
        DocumentKind::UnappliedCash,
        DocumentKind::Deduction,
    ];

    /// `true` for the kinds that reduce what the customer owes (credit memos and
    /// unapplied cash): their open amount is zero or negative.
    pub fn is_credit(self) -> bool {
        matches!(self, DocumentKind::CreditMemo | DocumentKind::UnappliedCash)
    }

    pub(crate) fn code(self) -> u8 {
        match self {
            DocumentKind::Invoice => 0,
            DocumentKind::DebitMemo => 1,
            DocumentKind::CreditMemo => 2,
            DocumentKind::UnappliedCash => 3,
            DocumentKind::Deduction => 4,
        }
    }

    pub(crate) fn from_code(code: u8) -> DocumentKind {
        // Codes come only from `code()`; anything else reads as an invoice.
        DocumentKind::ALL.get(usize::from(code)).copied().unwrap_or(DocumentKind::Invoice)
    }
}

impl fmt::Display for DocumentKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DocumentKind::Invoice => "invoice",
            DocumentKind::DebitMemo => "debit memo",
            DocumentKind::CreditMemo => "credit memo",
            DocumentKind::UnappliedCash => "unapplied cash",
            DocumentKind::Deduction => "deduction",
        })
    }
}

/// The document an open item is: its kind and its id.
///
/// ```
/// use ar_aging::{DocumentKind, DocumentRef};
/// use ar_core::InvoiceId;
/// let doc = DocumentRef::DebitMemo(InvoiceId::from_u128(7));
/// assert_eq!(doc.kind(), DocumentKind::DebitMemo);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum DocumentRef {
    /// An invoice.
    Invoice(InvoiceId),
    /// A debit memo (ids share the invoice space).
    DebitMemo(InvoiceId),
    /// A credit memo.
    CreditMemo(CreditMemoId),
    /// Unapplied cash, named by the payment it came from.
    UnappliedCash(PaymentId),
    /// A deduction.
    Deduction(DeductionId),
}

impl DocumentRef {
    /// The kind of document.
    pub fn kind(&self) -> DocumentKind {
        match self {
            DocumentRef::Invoice(_) => DocumentKind::Invoice,
            DocumentRef::DebitMemo(_) => DocumentKind::DebitMemo,
            DocumentRef::CreditMemo(_) => DocumentKind::CreditMemo,
            DocumentRef::UnappliedCash(_) => DocumentKind::UnappliedCash,
            DocumentRef::Deduction(_) => DocumentKind::Deduction,
        }
    }

    /// The UUID inside the id.
    pub fn as_uuid(&self) -> Uuid {
        match self {
            DocumentRef::Invoice(id) | DocumentRef::DebitMemo(id) => id.as_uuid(),
            DocumentRef::CreditMemo(id) => id.as_uuid(),
            DocumentRef::UnappliedCash(id) => id.as_uuid(),
            DocumentRef::Deduction(id) => id.as_uuid(),
        }
    }

    pub(crate) fn from_parts(kind: DocumentKind, uuid: Uuid) -> DocumentRef {
        match kind {
            DocumentKind::Invoice => DocumentRef::Invoice(InvoiceId::new(uuid)),
            DocumentKind::DebitMemo => DocumentRef::DebitMemo(InvoiceId::new(uuid)),
            DocumentKind::CreditMemo => DocumentRef::CreditMemo(CreditMemoId::new(uuid)),
            DocumentKind::UnappliedCash => DocumentRef::UnappliedCash(PaymentId::new(uuid)),
            DocumentKind::Deduction => DocumentRef::Deduction(DeductionId::new(uuid)),
        }
    }
}

/// A collector (the person who chases the item), interned by
/// [`OpenItemsBuilder::collector`]; its name is held once in the set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct CollectorId(u32);

impl CollectorId {
    /// The collector's index in the order collectors were first named.
    pub fn index(self) -> u32 {
        self.0
    }
}

/// One open item as the host supplies it.
///
/// The open amount is signed: credit memos and unapplied cash are zero or
/// negative, everything else zero or positive.
///
/// ```
/// use ar_aging::{DocumentRef, OpenItemRow};
/// use ar_core::{Currency, CustomerId, InvoiceId};
/// use chrono::NaiveDate;
/// use rust_decimal_macros::dec;
/// let row = OpenItemRow::new(
///     CustomerId::from_u128(1),
///     DocumentRef::Invoice(InvoiceId::from_u128(10)),
///     "INV-10",
///     Currency::USD,
///     NaiveDate::from_ymd_opt(2025, 1, 15).ok_or("date")?,
///     NaiveDate::from_ymd_opt(2025, 2, 14).ok_or("date")?,
///     dec!(120.50),
/// )
/// .disputed(true);
/// assert!(row.is_disputed());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpenItemRow<'a> {
    customer: CustomerId,
    document: DocumentRef,
    number: &'a str,
    currency: Currency,
    document_date: NaiveDate,
    due_date: NaiveDate,
    open_amount: Decimal,
    disputed: bool,
    collector: Option<CollectorId>,
}

impl<'a> OpenItemRow<'a> {
    /// A row that is not disputed and has no collector.
    pub fn new(
        customer: CustomerId,
        document: DocumentRef,
        number: &'a str,
        currency: Currency,
        document_date: NaiveDate,
        due_date: NaiveDate,
        open_amount: Decimal,
    ) -> Self {
        OpenItemRow {
            customer,
            document,
            number,
            currency,
            document_date,
            due_date,
            open_amount,
            disputed: false,
            collector: None,
        }
    }

    /// Marks the item disputed (default: not disputed).
    pub fn disputed(mut self, disputed: bool) -> Self {
        self.disputed = disputed;
        self
    }

    /// Assigns a collector (default: none).
    pub fn collector(mut self, collector: CollectorId) -> Self {
        self.collector = Some(collector);
        self
    }

    /// `true` if the item is disputed.
    pub fn is_disputed(&self) -> bool {
        self.disputed
    }
}

/// A row the builder refused, naming the row (0-based, counting every row pushed)
/// and its document number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum OpenItemError {
    /// The amount has more decimals than its currency allows (10.005 USD).
    #[error("row {row} (document {number}): {amount} has more decimals than {currency} allows")]
    TooManyDecimals {
        /// The row's position among the rows pushed, from 0.
        row: u64,
        /// The document number.
        number: String,
        /// The amount as given.
        amount: Decimal,
        /// The row's currency.
        currency: Currency,
    },
    /// The amount is beyond the range the engine keeps exact.
    #[error("row {row} (document {number}): {amount} {currency} is too large")]
    AmountOutOfRange {
        /// The row's position among the rows pushed, from 0.
        row: u64,
        /// The document number.
        number: String,
        /// The amount as given.
        amount: Decimal,
        /// The row's currency.
        currency: Currency,
    },
    /// The due date is before the document date.
    #[error("row {row} (document {number}): due date {due_date} is before the document date {document_date}")]
    DueBeforeDocument {
        /// The row's position among the rows pushed, from 0.
        row: u64,
        /// The document number.
        number: String,
        /// The document date.
        document_date: NaiveDate,
        /// The due date.
        due_date: NaiveDate,
    },
    /// The sign does not fit the kind: a positive credit memo or unapplied cash,
    /// or a negative invoice, debit memo or deduction.
    #[error(
        "row {row} (document {number}): a {kind} cannot have an open amount of {amount} \
         (credits and unapplied cash are negative, everything else positive)"
    )]
    WrongSign {
        /// The row's position among the rows pushed, from 0.
        row: u64,
        /// The document number.
        number: String,
        /// The document kind.
        kind: DocumentKind,
        /// The amount as given.
        amount: Decimal,
    },
    /// The collector was not named by this builder.
    #[error("row {row} (document {number}): collector #{collector} was not named by this builder")]
    UnknownCollector {
        /// The row's position among the rows pushed, from 0.
        row: u64,
        /// The document number.
        number: String,
        /// The collector's index.
        collector: u32,
    },
    /// The set is full: one set holds fewer than 2³² items and 4 GiB of
    /// document numbers; split larger books into shards and merge the results.
    #[error("row {row} (document {number}): the open-item set is full ({limit} items or bytes of numbers)")]
    SetFull {
        /// The row's position among the rows pushed, from 0.
        row: u64,
        /// The document number.
        number: String,
        /// The limit reached.
        limit: u64,
    },
}

const NO_COLLECTOR: u32 = u32::MAX;
const DISPUTED_BIT: u8 = 0b1000;
const KIND_MASK: u8 = 0b0111;
/// Items per set: offsets are `u32`.
const MAX_ITEMS: u64 = u32::MAX as u64 - 1;

/// Collects open items row by row, validating each, then builds [`OpenItems`].
///
/// This is the seam for any source of open items (host rows today, the ledger's
/// open-item query later): push rows in any order, then [`build`](Self::build).
/// A refused row is not added; the builder stays usable.
///
/// ```
/// use ar_aging::{DocumentRef, OpenItemRow, OpenItemsBuilder};
/// use ar_core::{Currency, CustomerId, InvoiceId};
/// use chrono::NaiveDate;
/// use rust_decimal_macros::dec;
/// let day = |m, d| NaiveDate::from_ymd_opt(2025, m, d).ok_or("bad date");
/// let mut builder = OpenItemsBuilder::new();
/// let alice = builder.collector("Alice");
/// let row = OpenItemRow::new(
///     CustomerId::from_u128(1),
///     DocumentRef::Invoice(InvoiceId::from_u128(10)),
///     "INV-10",
///     Currency::USD,
///     day(1, 15)?,
///     day(2, 14)?,
///     dec!(120.50),
/// );
/// builder.push(row.collector(alice))?;
/// // 10.005 USD has too many decimals: refused, naming row 1.
/// let bad = OpenItemRow::new(
///     CustomerId::from_u128(1),
///     DocumentRef::Invoice(InvoiceId::from_u128(11)),
///     "INV-11",
///     Currency::USD,
///     day(1, 15)?,
///     day(2, 14)?,
///     dec!(10.005),
/// );
/// assert!(builder.push(bad).unwrap_err().to_string().contains("row 1"));
/// let items = builder.build();
/// assert_eq!(items.len(), 1);
/// assert_eq!(items.collector_name(alice), Some("Alice"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Default, Clone)]
pub struct OpenItemsBuilder {
    rows_seen: u64,
    customer_index: HashMap<CustomerId, u32, BuildHasherDefault<IdHasher>>,
    customer_ids: Vec<CustomerId>,
    last_customer: Option<(CustomerId, u32)>,
    currency_ids: Vec<Currency>,
    collector_index: BTreeMap<String, u32>,
    collector_names: Vec<String>,
    staged: Columns,
}

/// Every column, one entry per item; staged in push order, then permuted.
#[derive(Debug, Default, Clone)]
struct Columns {
    customer: Vec<u32>,
    currency: Vec<u16>,
    flags: Vec<u8>,
    document_day: Vec<i32>,
    due_day: Vec<i32>,
    amount_minor: Vec<i64>,
    document_uuid: Vec<Uuid>,
    number_ends: Vec<u32>,
    numbers: String,
    collector: Vec<u32>,
}

impl Columns {
    fn with_capacity(n: usize) -> Columns {
        Columns {
            customer: Vec::with_capacity(n),
            currency: Vec::with_capacity(n),
            flags: Vec::with_capacity(n),
            document_day: Vec::with_capacity(n),
            due_day: Vec::with_capacity(n),
            amount_minor: Vec::with_capacity(n),
            document_uuid: Vec::with_capacity(n),
            number_ends: Vec::with_capacity(n),
            numbers: String::with_capacity(n * 12),
            collector: Vec::with_capacity(n),
        }
    }
}

impl OpenItemsBuilder {
    /// An empty builder.
    pub fn new() -> Self {
        OpenItemsBuilder::default()
    }

    /// An empty builder with room for `items` rows (saves regrowing large sets).
    pub fn with_capacity(items: usize) -> Self {
        OpenItemsBuilder { staged: Columns::with_capacity(items), ..OpenItemsBuilder::default() }
    }

    /// The id of the collector named `name`, interning the name on first use.
    pub fn collector(&mut self, name: &str) -> CollectorId {
        if let Some(&id) = self.collector_index.get(name) {
            return CollectorId(id);
        }
        let id = u32::try_from(self.collector_names.len()).unwrap_or(NO_COLLECTOR - 1);
        self.collector_index.insert(name.to_owned(), id);
        self.collector_names.push(name.to_owned());
        CollectorId(id)
    }

    /// Rows accepted so far.
    pub fn len(&self) -> usize {
        self.staged.amount_minor.len()
    }

    /// `true` if no row was accepted yet.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Validates `row` and adds it, or says why not (naming the row).
    pub fn push(&mut self, row: OpenItemRow<'_>) -> Result<(), OpenItemError> {
        let index = self.rows_seen;
        self.rows_seen += 1;
        let minor = self.validate(index, &row)?;
        let customer = self.intern_customer(row.customer);
        let currency = self.intern_currency(row.currency);
        let collector = row.collector.map_or(NO_COLLECTOR, |c| c.0);
        let kind = row.document.kind();
        let cols = &mut self.staged;
        cols.numbers.push_str(row.number);
        cols.number_ends.push(cols.numbers.len() as u32);
        cols.customer.push(customer);
        cols.currency.push(currency);
        cols.flags.push(kind.code() | if row.disputed { DISPUTED_BIT } else { 0 });
        cols.document_day.push(day_number(row.document_date));
        cols.due_day.push(day_number(row.due_date));
        cols.amount_minor.push(minor);
        cols.document_uuid.push(row.document.as_uuid());
        cols.collector.push(collector);
        Ok(())
    }

    /// Checks the row and returns its amount in minor units.
    fn validate(&self, row: u64, r: &OpenItemRow<'_>) -> Result<i64, OpenItemError> {
        let number = || r.number.to_owned();
        if self.len() as u64 >= MAX_ITEMS {
            return Err(OpenItemError::SetFull { row, number: number(), limit: MAX_ITEMS });
        }
        if self.staged.numbers.len() + r.number.len() > u32::MAX as usize {
            return Err(OpenItemError::SetFull { row, number: number(), limit: u64::from(u32::MAX) });
        }
        if r.due_date < r.document_date {
            let (document_date, due_date) = (r.document_date, r.due_date);
            return Err(OpenItemError::DueBeforeDocument { row, number: number(), document_date, due_date });
        }
        if let Some(c) = r.collector
            && c.0 as usize >= self.collector_names.len()
        {
            return Err(OpenItemError::UnknownCollector { row, number: number(), collector: c.0 });
        }
        let minor = to_minor(r.open_amount, r.currency).map_err(|too_large| {
            let (amount, currency) = (r.open_amount, r.currency);
            if too_large {
                OpenItemError::AmountOutOfRange { row, number: number(), amount, currency }
            } else {
                OpenItemError::TooManyDecimals { row, number: number(), amount, currency }
            }
        })?;
        let kind = r.document.kind();
        if (kind.is_credit() && minor > 0) || (!kind.is_credit() && minor < 0) {
            return Err(OpenItemError::WrongSign { row, number: number(), kind, amount: r.open_amount });
        }
        Ok(minor)
    }

    fn intern_customer(&mut self, id: CustomerId) -> u32 {
        // Rows usually arrive grouped by customer: skip the lookup for a repeat.
        if let Some((last, index)) = self.last_customer
            && last == id
        {
            return index;
        }
        let next = self.customer_ids.len() as u32;
        let index = *self.customer_index.entry(id).or_insert(next);
        if index == next {
            self.customer_ids.push(id);
        }
        self.last_customer = Some((id, index));
        index
    }

    fn intern_currency(&mut self, currency: Currency) -> u16 {
        match self.currency_ids.iter().position(|c| *c == currency) {
            Some(i) => i as u16,
            None => {
                // Fewer than 200 ISO currencies exist, so a u16 index cannot overflow.
                self.currency_ids.push(currency);
                (self.currency_ids.len() - 1) as u16
            }
        }
    }

    /// Freezes the rows into the aging layout (sorts by customer, currency, class
    /// and document date; builds the segment table).
    pub fn build(self) -> OpenItems {
        let OpenItemsBuilder { customer_ids, currency_ids, collector_names, staged, .. } = self;
        // Customers and currencies get their index in sorted order, so every
        // output keyed by index is in id (or code) order.
        let customer_rank = rank_of(&customer_ids);
        let currency_rank = rank_of(&currency_ids);
        let (sorted, customer_starts) = sort_items(&staged, &customer_rank, &currency_rank);
        let mut customers = customer_ids;
        customers.sort_unstable();
        let mut currencies = currency_ids;
        currencies.sort_unstable();

        let hot = gather_hot(&staged, &sorted);
        let (segments, pairs) = segment(&hot, &customer_starts);
        let max_abs_minor = hot.amount_minor.iter().map(|a| a.unsigned_abs()).max().unwrap_or(0) as i64;
        let max_document_day = hot.document_day.iter().copied().max().unwrap_or(i32::MIN);
        // Cold columns stay in push order: the detail reaches them through `origin`.
        let origin = sorted.iter().map(|&(_, i)| i).collect();
        OpenItems {
            amount_minor: hot.amount_minor,
            due_day: hot.due_day,
            document_day: hot.document_day,
            flags: hot.flags,
            segments,
            pairs,
            customer_starts,
            customers,
            currencies,
            max_abs_minor,
            max_document_day,
            origin,
            document_uuid: staged.document_uuid,
            number_ends: staged.number_ends,
            numbers: staged.numbers,
            collector: staged.collector,
            collector_names,
        }
    }
}

/// `rank[i]` = position of `ids[i]` once `ids` is sorted (ids are distinct).
fn rank_of<T: Ord>(ids: &[T]) -> Vec<u32> {
    let mut order: Vec<u32> = (0..ids.len() as u32).collect();
    order.sort_unstable_by(|&a, &b| ids[a as usize].cmp(&ids[b as usize]));
    let mut rank = vec![0u32; ids.len()];
    for (r, &i) in order.iter().enumerate() {
        rank[i as usize] = r as u32;
    }
    rank
}

/// The items in aging order, as (sort key, push index), and the position where
/// each customer starts. The order is (customer, currency, class, document
/// date); the key packs all but the customer into a `u64`: currency rank in the
/// top byte, class (kind and disputed flag) below, document day from the
/// earliest in the low 48 bits. A counting sort on the customer does most of the
/// work; each customer's short run is sorted after.
fn sort_items(cols: &Columns, customer_rank: &[u32], currency_rank: &[u32]) -> (Vec<(u64, u32)>, Vec<u32>) {
    let customers = customer_rank.len();
    let mut starts = vec![0u32; customers + 1];
    for &c in &cols.customer {
        starts[customer_rank[c as usize] as usize + 1] += 1;
    }
    for i in 0..customers {
        starts[i + 1] += starts[i];
    }
    let first_day = i64::from(cols.document_day.iter().copied().min().unwrap_or(0));
    let mut next = starts.clone();
    let mut sorted = vec![(0u64, 0u32); cols.customer.len()];
    for (i, &c) in cols.customer.iter().enumerate() {
        // Day numbers span less than 2^27 days (chrono's range), so they fit in 48 bits.
        let day = (i64::from(cols.document_day[i]) - first_day) as u64;
        let key = u64::from(currency_rank[cols.currency[i] as usize]) << 56 | u64::from(cols.flags[i]) << 48 | day;
        let slot = &mut next[customer_rank[c as usize] as usize];
        sorted[*slot as usize] = (key, i as u32);
        *slot += 1;
    }
    for w in starts.windows(2) {
        sorted[w[0] as usize..w[1] as usize].sort_unstable();
    }
    (sorted, starts)
}

/// The hot columns in aging order, and each item's currency rank (for segmenting).
struct Hot {
    amount_minor: Vec<i64>,
    due_day: Vec<i32>,
    document_day: Vec<i32>,
    flags: Vec<u8>,
    currency: Vec<u16>,
}

fn gather_hot(cols: &Columns, sorted: &[(u64, u32)]) -> Hot {
    Hot {
        amount_minor: sorted.iter().map(|&(_, i)| cols.amount_minor[i as usize]).collect(),
        due_day: sorted.iter().map(|&(_, i)| cols.due_day[i as usize]).collect(),
        document_day: sorted.iter().map(|&(_, i)| cols.document_day[i as usize]).collect(),
        flags: sorted.iter().map(|&(_, i)| cols.flags[i as usize]).collect(),
        currency: sorted.iter().map(|&(key, _)| (key >> 56) as u16).collect(),
    }
}

/// A run of items with one customer, currency and class (kind + disputed flag).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Segment {
    pub(crate) start: u32,
    pub(crate) end: u32,
    /// Index into `pairs`: the segment's (customer, currency).
    pub(crate) pair: u32,
    /// The latest document date in the segment (its last item's: items are in
    /// document-date order), so the future-document check reads no item.
    pub(crate) last_document_day: i32,
    /// Kind code and disputed bit, as in the flags column.
    pub(crate) class: u8,
}

/// A (customer, currency) pair: one row of the per-customer aging.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Pair {
    pub(crate) customer: u32,
    pub(crate) currency: u16,
}

fn segment(cols: &Hot, customer_starts: &[u32]) -> (Vec<Segment>, Vec<Pair>) {
    let mut segments: Vec<Segment> = Vec::new();
    let mut pairs: Vec<Pair> = Vec::new();
    for (customer, w) in customer_starts.windows(2).enumerate() {
        for i in w[0]..w[1] {
            let at = i as usize;
            let pair = Pair { customer: customer as u32, currency: cols.currency[at] };
            if pairs.last() != Some(&pair) {
                pairs.push(pair);
            }
            let class = cols.flags[at];
            let pair_index = pairs.len() as u32 - 1;
            let last_document_day = cols.document_day[at];
            match segments.last_mut() {
                Some(s) if s.pair == pair_index && s.class == class => {
                    s.end = i + 1;
                    s.last_document_day = last_document_day;
                }
                _ => segments.push(Segment { start: i, end: i + 1, pair: pair_index, last_document_day, class }),
            }
        }
    }
    (segments, pairs)
}

fn day_number(date: NaiveDate) -> i32 {
    chrono::Datelike::num_days_from_ce(&date)
}

/// The date of a stored day number (every stored day came from a `NaiveDate`).
pub(crate) fn date_of(day: i32) -> NaiveDate {
    NaiveDate::from_num_days_from_ce_opt(day).unwrap_or(NaiveDate::MIN)
}

/// `amount` in minor units of `currency`; `Err(true)` if out of range,
/// `Err(false)` if it has too many decimals.
fn to_minor(amount: Decimal, currency: Currency) -> Result<i64, bool> {
    let units = currency.minor_units();
    // Fast path: the host already gives the currency's scale.
    if amount.scale() == units {
        let m = amount.mantissa();
        return if m.unsigned_abs() <= MAX_MINOR_UNITS as u128 { Ok(m as i64) } else { Err(true) };
    }
    match Money::new(amount, currency) {
        Ok(money) => Ok(money.minor()),
        Err(ar_core::MoneyError::TooManyDecimals { .. }) => Err(false),
        Err(_) => Err(true),
    }
}

/// Open items stored for aging: validated, grouped by customer, in columns.
///
/// Build one with [`OpenItemsBuilder`]; age it with [`OpenItems::totals`],
/// [`OpenItems::by_customer`] and [`OpenItems::detail`], or split it into
/// [`Shard`](crate::Shard)s with [`OpenItems::shards`].
///
/// # Layout
///
/// Items are grouped by customer (customers sorted by id, with an offsets array),
/// then by currency, then by *class* (document kind and disputed flag), then by
/// document date. A maximal run of items with the same customer, currency and
/// class is a *segment*: the aging loops read the currency and class once per
/// segment, not once per item, so the per-item hot columns are only
///
/// | column | type | bytes |
/// |---|---|---|
/// | open amount, minor units | `i64` | 8 |
/// | due date, day number | `i32` | 4 |
/// | document date, day number | `i32` | 4 |
/// | kind and disputed flag | `u8` | 1 |
///
/// plus a segment table (20 bytes per segment), a (customer, currency) table
/// and the customer offsets: [`OpenItems::hot_bytes`] gives the real figure,
/// 17.9 bytes per item for 10 million items over 100 000 customers. Customer and
/// currency are not stored per item: the segment table holds them. Document ids,
/// numbers and collectors are cold columns kept apart in the order rows were
/// pushed, read only for the per-document detail.
///
/// ```
/// use ar_aging::{DocumentRef, OpenItemRow, OpenItemsBuilder};
/// use ar_core::{Currency, CustomerId, InvoiceId};
/// use chrono::NaiveDate;
/// use rust_decimal_macros::dec;
/// let day = NaiveDate::from_ymd_opt(2025, 1, 1).ok_or("bad date")?;
/// let mut builder = OpenItemsBuilder::with_capacity(1_000);
/// for i in 0..1_000u128 {
///     let row = OpenItemRow::new(CustomerId::from_u128(i % 10), DocumentRef::Invoice(InvoiceId::from_u128(i)),
///         "INV", Currency::EUR, day, day, dec!(1.00));
///     builder.push(row)?;
/// }
/// let items = builder.build();
/// assert_eq!(items.customers().len(), 10);
/// assert_eq!(items.currencies(), [Currency::EUR]);
/// // 17 bytes per item in the hot columns, plus the per-customer tables.
/// assert!(items.hot_bytes() < 18 * items.len());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct OpenItems {
    // Hot columns, one entry per item.
    pub(crate) amount_minor: Vec<i64>,
    pub(crate) due_day: Vec<i32>,
    pub(crate) document_day: Vec<i32>,
    pub(crate) flags: Vec<u8>,
    // Grouping: one entry per segment, per (customer, currency) and per customer.
    pub(crate) segments: Vec<Segment>,
    pub(crate) pairs: Vec<Pair>,
    pub(crate) customer_starts: Vec<u32>,
    pub(crate) customers: Vec<CustomerId>,
    pub(crate) currencies: Vec<Currency>,
    /// The largest |amount|: bounds how many amounts an `i64` can sum safely.
    pub(crate) max_abs_minor: i64,
    /// The latest document date: when it is not after the as-of date, no item
    /// needs the future-document check.
    pub(crate) max_document_day: i32,
    /// For each item in aging order, its position among the rows pushed: the
    /// index into the cold columns, which stay in push order.
    pub(crate) origin: Vec<u32>,
    // Cold columns, in push order, read only for the detail.
    pub(crate) document_uuid: Vec<Uuid>,
    pub(crate) number_ends: Vec<u32>,
    pub(crate) numbers: String,
    pub(crate) collector: Vec<u32>,
    pub(crate) collector_names: Vec<String>,
}

impl OpenItems {
    /// The number of items.
    pub fn len(&self) -> usize {
        self.amount_minor.len()
    }

    /// `true` if the set holds no item.
    pub fn is_empty(&self) -> bool {
        self.amount_minor.is_empty()
    }

    /// The customers with at least one item, sorted by id.
    pub fn customers(&self) -> &[CustomerId] {
        &self.customers
    }

    /// The currencies of the items, sorted by code.
    pub fn currencies(&self) -> &[Currency] {
        &self.currencies
    }

    /// The name of a collector of this set.
    pub fn collector_name(&self, collector: CollectorId) -> Option<&str> {
        self.collector_names.get(collector.0 as usize).map(String::as_str)
    }

    /// Bytes held by the columns and tables the aging loops read: the per-item hot
    /// columns plus the segment table and the customer offsets.
    pub fn hot_bytes(&self) -> usize {
        let n = self.len();
        n * (size_of::<i64>() + 2 * size_of::<i32>() + size_of::<u8>())
            + self.segments.len() * size_of::<Segment>()
            + self.pairs.len() * size_of::<Pair>()
            + self.customer_starts.len() * size_of::<u32>()
    }

    /// Bytes held by the cold columns (document ids, numbers, collectors).
    pub fn cold_bytes(&self) -> usize {
        self.len() * (size_of::<Uuid>() + 3 * size_of::<u32>()) + self.numbers.len()
    }

    /// The index of an item (in aging order) into the cold columns.
    fn cold(&self, item: usize) -> usize {
        self.origin.get(item).map_or(usize::MAX, |&i| i as usize)
    }

    pub(crate) fn document_uuid(&self, item: usize) -> Uuid {
        self.document_uuid.get(self.cold(item)).copied().unwrap_or_default()
    }

    pub(crate) fn kind(&self, item: usize) -> DocumentKind {
        DocumentKind::from_code(self.flags.get(item).map_or(0, |f| f & KIND_MASK))
    }

    pub(crate) fn is_disputed(&self, item: usize) -> bool {
        self.flags.get(item).is_some_and(|f| f & DISPUTED_BIT != 0)
    }

    pub(crate) fn number(&self, item: usize) -> &str {
        let item = self.cold(item);
        let end = self.number_ends.get(item).map_or(0, |&e| e as usize);
        let start = if item == 0 { 0 } else { self.number_ends.get(item - 1).map_or(0, |&e| e as usize) };
        self.numbers.get(start..end).unwrap_or("")
    }

    pub(crate) fn collector_of(&self, item: usize) -> Option<CollectorId> {
        self.collector.get(self.cold(item)).filter(|&&c| c != NO_COLLECTOR).map(|&c| CollectorId(c))
    }
}

/// Splits a segment's class into its kind and disputed flag.
pub(crate) fn class_parts(class: u8) -> (DocumentKind, bool) {
    (DocumentKind::from_code(class & KIND_MASK), class & DISPUTED_BIT != 0)
}
