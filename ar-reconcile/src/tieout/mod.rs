//! Tie-outs: a deposit batch against the bank's credit lines, and the
//! receivables subledger against the general ledger's control account.
//!
//! # Deposit reconciliation
//!
//! [`reconcile_deposit`] pairs each payment the ledger recorded in a deposit
//! batch ([`LedgerPayment`]) with a credit line of the bank statement:
//!
//! 1. by reference (the payment's reference equals the line's bank reference,
//!    end-to-end id, a structured reference or a remittance document, compared
//!    in upper case without punctuation); an equal amount makes it
//!    [`DepositStatus::Matched`], another amount [`DepositStatus::AmountDiffers`];
//! 2. then by exact amount and nearest date within a window of days (ties go to
//!    the earlier payment, then the earlier line);
//! 3. then as a batch, because banks book a deposit slip or a lockbox batch as
//!    one credit: a left-over line whose amount equals the total of all the
//!    left-over payments in its currency and date window takes them all, and
//!    after that a left-over line whose amount equals the total of a few of them
//!    takes those ([`DepositStatus::BatchMatched`]);
//! 4. what is left is [`DepositStatus::MissingInBank`] or
//!    [`DepositStatus::MissingInLedger`].
//!
//! # Subledger against general ledger
//!
//! [`tie_out_subledger`] compares the receivable balance on a date with the GL
//! control balance and, when they differ, searches the reconciling items the
//! host supplies (unposted documents, timing items) for the subset whose
//! effects add up exactly to the difference: fewest items first, then the
//! earliest in the host's order. The search is a meet-in-the-middle over at
//! most [`TieOutLimits::max_candidates`] items; if no subset fits the result
//! says "unexplained".

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;

use ar_core::{Currency, CustomerId, DocumentRef, Money, OpenItem, PaymentId};
use chrono::{Days, NaiveDate};
use serde::Serialize;

mod nearest_pairs;
mod reference_pairs;

use nearest_pairs::nearest_pairs;
use reference_pairs::reference_pairs;

use crate::matching::evidence::Amount;
use crate::matching::normalize::normalize_account;
use crate::{BankLine, Reference};

/// What can stop a tie-out.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TieOutError {
    /// Amounts in two currencies were to be compared.
    #[error("cannot tie out {what}: {expected} against {found}")]
    CurrencyMismatch {
        /// What was being compared.
        what: &'static str,
        /// The currency of the control figure.
        expected: Currency,
        /// The other currency.
        found: Currency,
    },
    /// A total does not fit the range money is kept exact in.
    #[error("the {what} total is out of range in {currency}")]
    Overflow {
        /// Which total.
        what: &'static str,
        /// Its currency.
        currency: Currency,
    },
    /// An open item of the subledger is in another currency than the GL
    /// control balance.
    #[error(
        "open item {number} of customer {customer} is in {found}, the general ledger balance in {expected}: \
         tie out each currency against its own control account"
    )]
    OpenItemCurrency {
        /// The item's customer.
        customer: CustomerId,
        /// The item's record.
        document: DocumentRef,
        /// The item's number.
        number: String,
        /// The currency of the GL balance.
        expected: Currency,
        /// The item's currency.
        found: Currency,
    },
}

/// A payment the ledger recorded in a deposit batch (a host row).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LedgerPayment {
    /// The payment.
    pub payment: PaymentId,
    /// The amount received.
    pub amount: Money,
    /// The date it was received.
    pub date: NaiveDate,
    /// The reference it was recorded with (check number, bank reference, …).
    pub reference: Option<String>,
}

/// How a deposit is paired with the bank.
///
/// ```
/// use ar_reconcile::tieout::DepositPolicy;
/// let policy = DepositPolicy::new().date_window_days(3).batch_search_payments(20);
/// assert_eq!(policy.window_days(), 3);
/// assert_eq!(policy.search_payments(), 20);
/// assert_eq!(DepositPolicy::new().window_days(), 5);
/// assert_eq!(DepositPolicy::new().search_payments(), 16);
/// assert_eq!(DepositPolicy::new().batch_search_payments(99).search_payments(), 32);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DepositPolicy {
    date_window_days: u32,
    batch_search_payments: usize,
}

impl Default for DepositPolicy {
    fn default() -> Self {
        DepositPolicy::new()
    }
}

impl DepositPolicy {
    /// Pairs by amount only within 5 days; searches 16 payments for a batch
    /// that adds up to a bank line.
    pub fn new() -> Self {
        DepositPolicy { date_window_days: 5, batch_search_payments: 16 }
    }

    /// The most days a payment and a line paired by amount (alone or in a
    /// batch) may lie apart.
    pub fn date_window_days(mut self, days: u32) -> Self {
        self.date_window_days = days;
        self
    }

    /// The most left-over payments (the earliest in the line's window) searched
    /// for a few that add up to one bank line, clamped to 32: the search costs
    /// 2^(n/2) sums per line. Below 2 no such search is made; a line equal to
    /// the total of all the left-over payments is still found.
    pub fn batch_search_payments(mut self, n: usize) -> Self {
        self.batch_search_payments = n.min(32);
        self
    }

    /// The window in days.
    pub fn window_days(&self) -> u32 {
        self.date_window_days
    }

    /// How many payments the batch search looks at per line.
    pub fn search_payments(&self) -> usize {
        self.batch_search_payments
    }
}

/// How a payment and a line were paired.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub enum PairedBy {
    /// Their references are equal.
    Reference,
    /// Equal amounts, this many days apart.
    AmountAndDate {
        /// Days between the payment date and the booking date.
        days_apart: u32,
    },
}

/// How the payments of a batch were chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub enum BatchedBy {
    /// All the payments left over in the line's currency and date window.
    AllRemaining,
    /// The fewest of the left-over payments that add up to the line (the
    /// earliest payments on ties), found by a bounded search.
    Subset,
}

/// One row of a deposit reconciliation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub enum DepositStatus {
    /// The payment is on the statement with the same amount.
    Matched {
        /// Index into the payments.
        payment: usize,
        /// Index into the bank lines.
        line: usize,
        /// How they were paired.
        by: PairedBy,
    },
    /// Same reference, different amount.
    AmountDiffers {
        /// Index into the payments.
        payment: usize,
        /// Index into the bank lines.
        line: usize,
        /// Bank amount minus ledger amount.
        difference: Money,
    },
    /// One bank credit is the whole of several payments (a deposit slip or a
    /// lockbox batch the bank booked as one line).
    BatchMatched {
        /// Indexes into the payments, ascending; at least two.
        payments: Vec<usize>,
        /// Index into the bank lines.
        line: usize,
        /// The line's amount, which the payments add up to exactly.
        amount: Money,
        /// How the payments were chosen.
        by: BatchedBy,
    },
    /// The ledger has the payment; the bank does not.
    MissingInBank {
        /// Index into the payments.
        payment: usize,
    },
    /// The bank has a credit; the deposit does not.
    MissingInLedger {
        /// Index into the bank lines.
        line: usize,
    },
}

impl fmt::Display for DepositStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DepositStatus::Matched { payment, line, by: PairedBy::Reference } => {
                write!(f, "payment {payment} is bank line {line} (same reference and amount)")
            }
            DepositStatus::Matched { payment, line, by: PairedBy::AmountAndDate { days_apart } } => {
                write!(f, "payment {payment} is bank line {line} (same amount, {days_apart} days apart)")
            }
            DepositStatus::AmountDiffers { payment, line, difference } => write!(
                f,
                "payment {payment} and bank line {line} share a reference but differ by {}",
                Amount(*difference)
            ),
            DepositStatus::BatchMatched { payments, line, amount, by } => {
                let list: Vec<String> = payments.iter().map(usize::to_string).collect();
                let how = match by {
                    BatchedBy::AllRemaining => "all those left over",
                    BatchedBy::Subset => "some of those left over",
                };
                write!(
                    f,
                    "bank line {line} is one credit of {} for payments {} ({how})",
                    Amount(*amount),
                    list.join(", ")
                )
            }
            DepositStatus::MissingInBank { payment } => write!(f, "payment {payment} is not on the bank statement"),
            DepositStatus::MissingInLedger { line } => write!(f, "bank line {line} is not in the deposit"),
        }
    }
}

/// The result of [`reconcile_deposit`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DepositReconciliation {
    /// Paired and unpaired rows: one per payment in payment order (matched,
    /// differing or missing in bank), except that a batch is one row standing
    /// where its first payment would; then the bank lines missing in the ledger
    /// in line order. Every payment and every credit line is in exactly one row.
    ///
    /// A batch is matched only when its amounts add up exactly: payments whose
    /// total misses a line by any amount stay [`DepositStatus::MissingInBank`]
    /// and the line [`DepositStatus::MissingInLedger`], since which payments
    /// such a line was meant to cover is a guess; the difference shows in
    /// [`DepositReconciliation::ledger_total`] against
    /// [`DepositReconciliation::bank_total`].
    pub rows: Vec<DepositStatus>,
    /// The ledger's total per currency.
    pub ledger_total: BTreeMap<Currency, Money>,
    /// The bank's credit total per currency.
    pub bank_total: BTreeMap<Currency, Money>,
    /// Debit lines, which a deposit cannot explain and which are left out.
    pub debits_ignored: usize,
}

impl DepositReconciliation {
    /// `true` if every payment is matched, alone or in a batch, and no bank
    /// credit is left over.
    pub fn is_clean(&self) -> bool {
        self.rows.iter().all(|r| matches!(r, DepositStatus::Matched { .. } | DepositStatus::BatchMatched { .. }))
    }
}

fn references_of(line: &BankLine) -> Vec<String> {
    let mut keys: Vec<String> = line
        .references
        .iter()
        .map(|r| match r {
            Reference::Creditor(s) | Reference::Invoice(s) | Reference::Other(s) => s.as_str(),
        })
        .chain(line.bank_reference.as_deref())
        .chain(line.end_to_end_id.as_deref())
        .chain(line.remittances.iter().map(|r| r.document.as_str()))
        .map(normalize_account)
        .filter(|k| !k.is_empty())
        .collect();
    keys.sort_unstable();
    keys.dedup();
    keys
}

fn add_total(totals: &mut BTreeMap<Currency, Money>, amount: Money) -> Result<(), TieOutError> {
    let total = totals.entry(amount.currency()).or_insert_with(|| Money::zero(amount.currency()));
    *total = total
        .checked_add(amount)
        .map_err(|_| TieOutError::Overflow { what: "deposit", currency: amount.currency() })?;
    Ok(())
}

/// Pairs the payments of a deposit batch with the bank's credit lines.
///
/// ```
/// use ar_reconcile::tieout::{reconcile_deposit, DepositPolicy, DepositStatus, LedgerPayment};
/// use ar_reconcile::BankLine;
/// use ar_core::{Currency, Money, PaymentId};
/// use chrono::NaiveDate;
/// let day = |d| NaiveDate::from_ymd_opt(2024, 6, d).ok_or("date");
/// let usd = |minor| Money::from_minor(minor, Currency::USD);
/// let payments = [
///     LedgerPayment { payment: PaymentId::from_u128(1), amount: usd(10_000)?, date: day(3)?, reference: Some("CHK 1001".into()) },
///     LedgerPayment { payment: PaymentId::from_u128(2), amount: usd(2_500)?, date: day(3)?, reference: None },
/// ];
/// let credit = |minor, d, reference: Option<&str>| -> Result<BankLine, Box<dyn std::error::Error>> {
///     Ok(BankLine { bank_reference: reference.map(str::to_owned), ..BankLine::new(day(d)?, usd(minor)?) })
/// };
/// let lines = [credit(2_500, 4, None)?, credit(10_000, 4, Some("chk-1001"))?, credit(700, 5, None)?];
/// let result = reconcile_deposit(&payments, &lines, DepositPolicy::new())?;
/// assert_eq!(result.rows.len(), 3);
/// assert!(matches!(result.rows[0], DepositStatus::Matched { payment: 0, line: 1, .. }));
/// assert!(matches!(result.rows[1], DepositStatus::Matched { payment: 1, line: 0, .. }));
/// assert_eq!(result.rows[2], DepositStatus::MissingInLedger { line: 2 });
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn reconcile_deposit(
    payments: &[LedgerPayment],
    lines: &[BankLine],
    policy: DepositPolicy,
) -> Result<DepositReconciliation, TieOutError> {
    let mut result = DepositReconciliation::default();
    for p in payments {
        add_total(&mut result.ledger_total, p.amount)?;
    }
    let mut line_taken = vec![false; lines.len()];
    for (i, line) in lines.iter().enumerate() {
        if line.amount.is_negative() {
            result.debits_ignored += 1;
            line_taken[i] = true;
        } else {
            add_total(&mut result.bank_total, line.amount)?;
        }
    }
    let mut pairs: Vec<Option<DepositStatus>> = vec![None; payments.len()];
    pair_by_reference(payments, lines, &mut line_taken, &mut pairs);
    pair_by_amount(payments, lines, policy, &mut line_taken, &mut pairs);
    let paired: Vec<bool> = pairs.iter().map(Option::is_some).collect();
    let batches = pair_batches(payments, lines, policy, &mut line_taken, &paired);
    result.rows = rows_in_payment_order(pairs, batches);
    for (line, taken) in line_taken.iter().enumerate() {
        if !taken {
            result.rows.push(DepositStatus::MissingInLedger { line });
        }
    }
    Ok(result)
}

/// One row per payment in payment order, a batch's row standing where its
/// first payment's would.
fn rows_in_payment_order(pairs: Vec<Option<DepositStatus>>, batches: Vec<Batch>) -> Vec<DepositStatus> {
    let mut first_of_batch: BTreeMap<usize, usize> = BTreeMap::new();
    let mut in_batch = vec![false; pairs.len()];
    for (b, batch) in batches.iter().enumerate() {
        if let Some(&first) = batch.payments.first() {
            first_of_batch.insert(first, b);
        }
        for &p in &batch.payments {
            in_batch[p] = true;
        }
    }
    let mut batches: Vec<Option<DepositStatus>> = batches.into_iter().map(Batch::into_status).map(Some).collect();
    let mut rows = Vec::with_capacity(pairs.len());
    for (i, pair) in pairs.into_iter().enumerate() {
        if let Some(row) = first_of_batch.get(&i).and_then(|&b| batches.get_mut(b)).and_then(Option::take) {
            rows.push(row);
        } else if !in_batch[i] {
            rows.push(pair.unwrap_or(DepositStatus::MissingInBank { payment: i }));
        }
    }
    rows
}

/// Step 1: shared references (see [`reference_pairs`]).
fn pair_by_reference(
    payments: &[LedgerPayment],
    lines: &[BankLine],
    line_taken: &mut [bool],
    pairs: &mut [Option<DepositStatus>],
) {
    let payment_keys: Vec<_> = payments
        .iter()
        .map(|p| {
            let key = p.reference.as_deref().map(normalize_account).filter(|k| !k.is_empty());
            key.map(|key| (key, p.amount))
        })
        .collect();
    let line_keys: Vec<_> =
        lines.iter().zip(line_taken.iter()).map(|(l, taken)| (!taken).then(|| (references_of(l), l.amount))).collect();
    for (p, l) in reference_pairs(&payment_keys, &line_keys) {
        let (Some(payment), Some(line)) = (payments.get(p), lines.get(l)) else { continue };
        let (paid, bank) = (payment.amount, line.amount);
        if let (Some(taken), Some(pair)) = (line_taken.get_mut(l), pairs.get_mut(p)) {
            *taken = true;
            *pair = Some(if bank == paid {
                DepositStatus::Matched { payment: p, line: l, by: PairedBy::Reference }
            } else {
                let difference = Money::from_minor(bank.minor() - paid.minor(), bank.currency())
                    .unwrap_or_else(|_| Money::zero(bank.currency()));
                DepositStatus::AmountDiffers { payment: p, line: l, difference }
            });
        }
    }
}

/// Step 2: equal amounts, nearest dates first (see [`nearest_pairs`]).
fn pair_by_amount(
    payments: &[LedgerPayment],
    lines: &[BankLine],
    policy: DepositPolicy,
    line_taken: &mut [bool],
    pairs: &mut [Option<DepositStatus>],
) {
    let free_payments: Vec<_> =
        payments.iter().zip(pairs.iter()).map(|(p, pair)| pair.is_none().then_some((p.amount, p.date))).collect();
    let free_lines: Vec<_> =
        lines.iter().zip(line_taken.iter()).map(|(l, taken)| (!taken).then_some((l.amount, l.booking_date))).collect();
    for (p, l, days) in nearest_pairs(&free_payments, &free_lines, policy.window_days()) {
        if let (Some(taken), Some(pair)) = (line_taken.get_mut(l), pairs.get_mut(p)) {
            *taken = true;
            *pair =
                Some(DepositStatus::Matched { payment: p, line: l, by: PairedBy::AmountAndDate { days_apart: days } });
        }
    }
}

/// Payments one bank line covers.
struct Batch {
    payments: Vec<usize>,
    line: usize,
    amount: Money,
    by: BatchedBy,
}

impl Batch {
    fn into_status(self) -> DepositStatus {
        DepositStatus::BatchMatched { payments: self.payments, line: self.line, amount: self.amount, by: self.by }
    }
}

/// The payments left over after one-to-one pairing, in the order a line's
/// window is a slice of: by currency, date, index. Only positive payments can
/// make up a bank credit. The unused payments of a window are summed in a
/// Fenwick tree and walked with skip pointers, so a line costs `O(log n)` plus
/// the payments it looks at, not the whole window.
struct Pool<'p> {
    payments: &'p [LedgerPayment],
    order: Vec<usize>,
    /// Prefix sums of (amount, count) over unused positions.
    tree: Vec<(i128, usize)>,
    /// For each position, a position at or before the next unused one
    /// (`order.len()` when none is left); followed with path halving.
    next_unused: Vec<usize>,
}

impl<'p> Pool<'p> {
    fn new(payments: &'p [LedgerPayment], paired: &[bool]) -> Self {
        let mut order: Vec<usize> =
            (0..payments.len()).filter(|&p| !paired[p] && payments[p].amount.is_positive()).collect();
        order.sort_unstable_by_key(|&p| (payments[p].amount.currency(), payments[p].date, p));
        let mut pool =
            Pool { payments, tree: vec![(0, 0); order.len() + 1], next_unused: (0..=order.len()).collect(), order };
        for k in 0..pool.order.len() {
            pool.update(k, i128::from(pool.minor(k)), 1, false);
        }
        pool
    }

    fn update(&mut self, position: usize, amount: i128, count: usize, remove: bool) {
        let mut i = position + 1;
        while let Some(node) = self.tree.get_mut(i) {
            if remove {
                *node = (node.0 - amount, node.1 - count);
            } else {
                *node = (node.0 + amount, node.1 + count);
            }
            i += i & i.wrapping_neg();
        }
    }

    /// The (amount, count) of the unused payments before `end`.
    fn prefix(&self, end: usize) -> (i128, usize) {
        let (mut i, mut total) = (end, (0, 0));
        while i > 0 {
            let node = self.tree.get(i).copied().unwrap_or_default();
            total = (total.0 + node.0, total.1 + node.1);
            i &= i - 1;
        }
        total
    }

    fn next_unused_from(&mut self, mut k: usize) -> usize {
        while let Some(&next) = self.next_unused.get(k) {
            if next == k {
                return k;
            }
            let skip = self.next_unused.get(next).copied().unwrap_or(next);
            self.next_unused[k] = skip;
            k = skip;
        }
        k
    }

    /// The positions in `order` the line's window covers: its currency, its
    /// booking date give or take `days`.
    fn window(&self, line: &BankLine, days: u32) -> Range<usize> {
        let currency = line.amount.currency();
        let from = line.booking_date.checked_sub_days(Days::new(u64::from(days))).unwrap_or(NaiveDate::MIN);
        let to = line.booking_date.checked_add_days(Days::new(u64::from(days))).unwrap_or(NaiveDate::MAX);
        let key = |k: &usize| (self.payments[*k].amount.currency(), self.payments[*k].date);
        let start = self.order.partition_point(|k| key(k) < (currency, from));
        let end = self.order.partition_point(|k| key(k) <= (currency, to));
        start..end
    }

    /// The (amount, count) of the unused payments in `window`.
    fn total(&self, window: &Range<usize>) -> (i128, usize) {
        let (a, b) = (self.prefix(window.end), self.prefix(window.start));
        (a.0 - b.0, a.1 - b.1)
    }

    /// The first `limit` unused positions in `window`, in date order.
    fn unused(&mut self, window: &Range<usize>, limit: usize) -> Vec<usize> {
        let mut found = Vec::new();
        let mut k = self.next_unused_from(window.start);
        while k < window.end && found.len() < limit {
            found.push(k);
            k = self.next_unused_from(k + 1);
        }
        found
    }

    fn minor(&self, position: usize) -> i64 {
        self.payments[self.order[position]].amount.minor()
    }

    /// Marks the positions used and returns their payment indexes, ascending.
    fn take(&mut self, positions: &[usize]) -> Vec<usize> {
        for &k in positions {
            self.update(k, i128::from(self.minor(k)), 1, true);
            self.next_unused[k] = k + 1;
        }
        let mut taken: Vec<usize> = positions.iter().map(|&k| self.order[k]).collect();
        taken.sort_unstable();
        taken
    }
}

/// Pairs left-over credit lines with several left-over payments each: first a
/// line equal to all the payments in its window, then (for the lines still
/// open) one equal to a few of them. Lines go in line order.
///
/// Cost: `O((p + l) log p)` for `p` payments and `l` lines, plus 2^(n/2) sums
/// per line for the `n` payments the subset search looks at.
fn pair_batches(
    payments: &[LedgerPayment],
    lines: &[BankLine],
    policy: DepositPolicy,
    line_taken: &mut [bool],
    paired: &[bool],
) -> Vec<Batch> {
    let mut pool = Pool::new(payments, paired);
    let mut batches = Vec::new();
    let open_lines: Vec<usize> =
        (0..lines.len()).filter(|&l| !line_taken[l] && lines[l].amount.is_positive()).collect();
    for by in [BatchedBy::AllRemaining, BatchedBy::Subset] {
        for &l in &open_lines {
            if line_taken[l] {
                continue;
            }
            let window = pool.window(&lines[l], policy.window_days());
            let target = i128::from(lines[l].amount.minor());
            let members = match by {
                BatchedBy::AllRemaining => {
                    let (total, count) = pool.total(&window);
                    (count >= 2 && total == target).then(|| pool.unused(&window, count))
                }
                BatchedBy::Subset => subset_for(&mut pool, &window, target, policy.search_payments()),
            };
            if let Some(members) = members {
                line_taken[l] = true;
                let payments = pool.take(&members);
                batches.push(Batch { payments, line: l, amount: lines[l].amount, by });
            }
        }
    }
    batches
}

/// The fewest of the first `limit` unused payments in `window` that add up to
/// `target`, earliest payments on ties; two at least.
fn subset_for(pool: &mut Pool<'_>, window: &Range<usize>, target: i128, limit: usize) -> Option<Vec<usize>> {
    if limit < 2 {
        return None;
    }
    let mut searched = pool.unused(window, limit);
    // All amounts are positive: a target beyond the total cannot be reached.
    let total: i128 = searched.iter().map(|&k| i128::from(pool.minor(k))).sum();
    if searched.len() < 2 || total < target {
        return None;
    }
    // Ties in `explain` go to the lowest positions: make those the earliest payments.
    searched.sort_unstable_by_key(|&k| pool.order[k]);
    let effects: Vec<i64> = searched.iter().map(|&k| pool.minor(k)).collect();
    let chosen = explain(&effects, i64::try_from(target).ok()?)?;
    // One payment equal to a line in its window was already paired one-to-one,
    // so `explain` finds two at least; the check keeps a batch a batch.
    (chosen.len() >= 2).then(|| chosen.iter().map(|&k| searched[k]).collect())
}

/// The receivable balance as the subledger gives it.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub enum Subledger<'a> {
    /// A balance the host computed.
    Balance(Money),
    /// The ledger's own open-item view on the balance date, each item counted
    /// with the sign the view gives it: invoices, debit memos and open
    /// deductions positive, unapplied credit memos and unapplied cash negative,
    /// disputed parts in full (a dispute holds an amount out of collection, not
    /// off the books). The sum is the customers' balances added up.
    ///
    /// The items say which date the balance is on:
    /// - today: [`ar_core::Ledger::all_open_items`];
    /// - a past date: `ar_aging::reports::History::new(ledger.journal())?.as_of(date)?.open_items()`,
    ///   the ledger replayed to that date (payments received later do not
    ///   reduce it).
    ///
    /// A control account is kept in one currency: pass the items of that
    /// currency; an item in another is [`TieOutError::OpenItemCurrency`].
    OpenItems(&'a [OpenItem]),
}

/// An item the host offers as a possible explanation of a difference.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReconcilingItem {
    /// The host's key for it (a document number, a journal id).
    pub key: String,
    /// What it is, for people ("invoice INV-9 posted to GL, not to AR").
    pub description: String,
    /// How much it makes the GL exceed the subledger (negative if the other way).
    pub effect: Money,
}

/// Limits of the reconciling-item search.
///
/// ```
/// use ar_reconcile::tieout::TieOutLimits;
/// assert_eq!(TieOutLimits::new().max_candidates, 32);
/// assert_eq!(TieOutLimits::new().candidates(20).max_candidates, 20);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TieOutLimits {
    /// The most candidate items searched (the first ones, in the host's order);
    /// at most 40, since the search enumerates 2^(n/2) subsets of each half.
    pub max_candidates: usize,
}

impl Default for TieOutLimits {
    fn default() -> Self {
        TieOutLimits::new()
    }
}

impl TieOutLimits {
    /// 32 candidates (two halves of 65,536 subsets).
    pub fn new() -> Self {
        TieOutLimits { max_candidates: 32 }
    }

    /// Searches at most `n` candidates (clamped to 40).
    pub fn candidates(mut self, n: usize) -> Self {
        self.max_candidates = n.min(40);
        self
    }
}

/// Whether the difference is explained.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub enum Explanation {
    /// Subledger and GL agree.
    Tied,
    /// These candidate items (indexes, ascending) add up to the difference.
    Explained {
        /// Indexes into the candidates.
        items: Vec<usize>,
    },
    /// No subset of the candidates searched adds up to the difference.
    Unexplained {
        /// How many candidates were searched.
        searched: usize,
        /// How many were given.
        given: usize,
    },
}

/// The result of [`tie_out_subledger`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SubledgerTieOut {
    /// The receivable balance of the subledger.
    pub subledger: Money,
    /// The GL control balance.
    pub general_ledger: Money,
    /// GL minus subledger.
    pub difference: Money,
    /// Whether and how the difference is explained.
    pub explanation: Explanation,
}

impl fmt::Display for SubledgerTieOut {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (s, g, d) = (Amount(self.subledger), Amount(self.general_ledger), Amount(self.difference));
        match &self.explanation {
            Explanation::Tied => write!(f, "subledger {s} ties to the general ledger {g}"),
            Explanation::Explained { items } => {
                write!(f, "general ledger {g} exceeds subledger {s} by {d}, explained by {} items", items.len())
            }
            Explanation::Unexplained { searched, .. } => write!(
                f,
                "general ledger {g} exceeds subledger {s} by {d}: unexplained by any subset of {searched} items"
            ),
        }
    }
}

/// Compares the subledger's receivable balance with the GL control balance
/// and finds which reconciling items explain the difference.
///
/// ```
/// use ar_reconcile::tieout::{tie_out_subledger, Explanation, ReconcilingItem, Subledger, TieOutLimits};
/// use ar_core::{Currency, Money};
/// let eur = |minor| Money::from_minor(minor, Currency::EUR);
/// let item = |key: &str, minor| -> Result<ReconcilingItem, Box<dyn std::error::Error>> {
///     Ok(ReconcilingItem { key: key.into(), description: String::new(), effect: eur(minor)? })
/// };
/// let candidates = [item("INV-7", 12_000)?, item("CM-2", -3_000)?, item("INV-9", 5_000)?];
/// let result = tie_out_subledger(Subledger::Balance(eur(100_000)?), eur(102_000)?, &candidates, TieOutLimits::new())?;
/// assert_eq!(result.difference, eur(2_000)?);
/// assert_eq!(result.explanation, Explanation::Explained { items: vec![1, 2] });
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn tie_out_subledger(
    subledger: Subledger<'_>,
    general_ledger: Money,
    candidates: &[ReconcilingItem],
    limits: TieOutLimits,
) -> Result<SubledgerTieOut, TieOutError> {
    let currency = general_ledger.currency();
    let mismatch = |what, found| TieOutError::CurrencyMismatch { what, expected: currency, found };
    let subledger = match subledger {
        Subledger::Balance(m) => m,
        Subledger::OpenItems(items) => open_items_total(items, currency)?,
    };
    if subledger.currency() != currency {
        return Err(mismatch("the subledger", subledger.currency()));
    }
    if let Some(c) = candidates.iter().find(|c| c.effect.currency() != currency) {
        return Err(mismatch("a reconciling item", c.effect.currency()));
    }
    let difference =
        general_ledger.checked_sub(subledger).map_err(|_| TieOutError::Overflow { what: "difference", currency })?;
    let explanation = if difference.is_zero() {
        Explanation::Tied
    } else {
        let searched = candidates.len().min(limits.max_candidates.min(40));
        let effects: Vec<i64> = candidates.iter().take(searched).map(|c| c.effect.minor()).collect();
        match explain(&effects, difference.minor()) {
            Some(items) => Explanation::Explained { items },
            None => Explanation::Unexplained { searched, given: candidates.len() },
        }
    };
    Ok(SubledgerTieOut { subledger, general_ledger, difference, explanation })
}

/// The signed sum of the open items, all of which must be in `currency`.
fn open_items_total(items: &[OpenItem], currency: Currency) -> Result<Money, TieOutError> {
    let mut total: i128 = 0;
    for item in items {
        let found = item.open.currency();
        if found != currency {
            return Err(TieOutError::OpenItemCurrency {
                customer: item.customer,
                document: item.document,
                number: item.number.clone(),
                expected: currency,
                found,
            });
        }
        total += i128::from(item.open.minor());
    }
    i64::try_from(total)
        .ok()
        .and_then(|t| Money::from_minor(t, currency).ok())
        .ok_or(TieOutError::Overflow { what: "subledger", currency })
}

/// Meet in the middle over signed effects: the subset summing to `target` with
/// the fewest items, then the lexicographically smallest index list.
///
/// A subset is a mask over all the effects (at most 40), so comparing two
/// costs a few bit operations and nothing is allocated until the answer.
fn explain(effects: &[i64], target: i64) -> Option<Vec<usize>> {
    let half = effects.len() / 2;
    let (left, right) = effects.split_at(half);
    // Right halves sorted by sum, then fewest items, then earliest items.
    let mut right_sums: Vec<(i128, u64)> = subset_sums(right).into_iter().zip(0u64..).collect();
    right_sums.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(a.1.count_ones().cmp(&b.1.count_ones())).then(lex(a.1, b.1)));
    let mut best: Option<u64> = None;
    for (sum_l, mask_l) in subset_sums(left).into_iter().zip(0u64..) {
        let need = i128::from(target) - sum_l;
        let at = right_sums.partition_point(|(s, _)| *s < need);
        let Some(&(s, mask_r)) = right_sums.get(at) else { continue };
        if s != need || (mask_l == 0 && mask_r == 0) {
            continue;
        }
        let mask = mask_l | (mask_r << half);
        let better = |b: u64| mask.count_ones().cmp(&b.count_ones()).then(lex(mask, b)).is_lt();
        if best.is_none_or(better) {
            best = Some(mask);
        }
    }
    best.map(bits)
}

/// The sum of every subset of `values`, at its mask: each is an earlier
/// subset's sum plus one value.
fn subset_sums(values: &[i64]) -> Vec<i128> {
    let mut sums = vec![0i128; 1 << values.len()];
    for mask in 1..sums.len() {
        let lowest = mask.trailing_zeros() as usize;
        sums[mask] = sums[mask & (mask - 1)] + i128::from(values[lowest]);
    }
    sums
}

fn bits(mask: u64) -> Vec<usize> {
    (0..64).filter(|i| mask & (1u64 << i) != 0).collect()
}

/// Orders masks by their ascending index lists, lexicographically: at the
/// lowest index where they differ, the mask holding it comes first unless the
/// other has nothing after it (a prefix comes first).
fn lex(a: u64, b: u64) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    let differ = a ^ b;
    if differ == 0 {
        return Ordering::Equal;
    }
    let i = differ.trailing_zeros();
    let (holder_is_a, other) = if a & (1 << i) != 0 { (true, b) } else { (false, a) };
    let other_goes_on = (other >> i) != 0;
    match (holder_is_a, other_goes_on) {
        (true, true) | (false, false) => Ordering::Less,
        (true, false) | (false, true) => Ordering::Greater,
    }
}
