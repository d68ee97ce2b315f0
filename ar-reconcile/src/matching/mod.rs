//! Cash application: which open invoices each incoming bank amount pays, and why.
//!
//! # Overview
//!
//! A [`Matcher`] indexes the open items ([`OpenInvoice`]) and the
//! [`CustomerDirectory`] once, then [`Matcher::run`] proposes, for every bank
//! line in order, one [`Proposal`]: the customer, the allocations to invoices,
//! write-offs, deductions, unapplied cash, a confidence [`Tier`] and the
//! [`Evidence`] behind it in plain words. A [`MatchPolicy`] holds every knob with
//! a visible default.
//!
//! # Passes
//!
//! Each credit line goes through the passes in order until one settles it:
//!
//! 1. **Reference** (a): remittance-advice documents, structured invoice and
//!    creditor (`RF…`) references, payment references and the end-to-end id are
//!    compared with document numbers in a normal form (case, punctuation,
//!    leading zeros and a configurable prefix such as `INV` do not matter; see
//!    [`normalize`]). The amount must fit: equal, equal net of an available
//!    early-payment discount, a subset of several referenced invoices (of up
//!    to [`combination::PAIR_TABLE_ITEMS_MAX`]), more (an overpayment), or less
//!    (a write-off within tolerance, else a deduction).
//!    A remittance advice that states amounts per document is allocated per
//!    document.
//! 2. **Text** (b): the same, for invoice numbers found in the free remittance
//!    text (a bare number needs [`MatchPolicy::min_reference_digits`] digits; a
//!    number after a prefix such as `INV` does not). Because an order or
//!    customer number can equal some invoice number, a number found in text
//!    counts only if the amount fits those invoices or the payer's account or
//!    name is their customer.
//! 3. **Payer** (c): the customer by the payer's account, then by normalized
//!    name (legal forms such as GmbH, Inc or Ltd dropped), then by a customer
//!    reference, then through an invoice the line named that was already settled.
//! 4. **Single item** (d): one open item of that customer equal to the amount,
//!    or equal net of a discount available on the booking date (plus grace days).
//! 5. **Combination** (e): up to [`MatchPolicy::max_combination_items`] open
//!    items summing to the amount exactly, net of discounts, or short within
//!    tolerance: the fewest items that fit, then the oldest, among the
//!    customer's oldest [`MatchPolicy::combination_candidates`] open items and
//!    within a work budget per line (see [`combination`]).
//! 6. **Leftover** (f): an overpayment becomes unapplied cash on the customer,
//!    a short payment on the only open item a deduction, anything else
//!    unapplied cash; no customer at all is unidentified cash for review.
//!
//! Debit lines are not matched: their proposal is marked `skipped`.
//!
//! # Invariants
//!
//! - *Money is conserved*: `amount = Σ applied + unapplied` on every proposal,
//!   and every allocation's `settled = applied + discount + write-off + deduction`.
//! - *No invoice is over-allocated*: a run walks the lines in input order and
//!   keeps the open amount left per invoice; a line only settles what earlier
//!   lines left open. An invoice already touched in the run gives no discount.
//! - *Deterministic*: the same inputs give the same proposals, byte for byte.
//!   Indexes are keyed by a fixed hash, never a seeded hasher.
//!
//! # Seams
//!
//! Open items come in as host rows, or from the ledger through
//! [`ledger::open_invoices`]. An accepted [`Proposal`] carries everything a
//! ledger command needs (invoice ids, applied amounts, discounts, write-offs,
//! deductions, unapplied cash on a customer); [`ledger::commands_for`] turns it
//! into `ReceivePayment` and `ApplyCash` commands.
//!
//! ```
//! use ar_reconcile::matching::{match_lines, Customer, CustomerDirectory, MatchPolicy, OpenInvoice, Tier};
//! use ar_reconcile::{BankLine, Reference};
//! use ar_core::{Currency, CustomerId, InvoiceId, Money};
//! use chrono::NaiveDate;
//! use rust_decimal_macros::dec;
//!
//! let day = NaiveDate::from_ymd_opt(2024, 5, 2).ok_or("date")?;
//! let acme = CustomerId::from_u128(1);
//! let directory: CustomerDirectory = [Customer::new(acme, "ACME Inc.")].into_iter().collect();
//! let eur = |v| Money::new(v, Currency::EUR);
//! let items = [OpenInvoice::new(InvoiceId::from_u128(9), acme, "INV-00042", eur(dec!(120.00))?, day, day)];
//! let line = BankLine {
//!     references: vec![Reference::Invoice("inv42".into())],
//!     ..BankLine::new(day, eur(dec!(120.00))?)
//! };
//! let outcome = match_lines(MatchPolicy::new(), &directory, &items, &[line])?;
//! assert_eq!(outcome.proposals[0].tier, Tier::Certain);
//! assert_eq!(outcome.summary.tier(Tier::Certain).lines, 1);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod combination;
mod dedup;
mod directory;
mod error;
pub mod evidence;
mod grouping;
mod index;
pub mod ledger;
mod matcher;
pub mod normalize;
mod open_item;
mod pattern;
mod payer;
mod payer_keys;
mod policy;
mod proposal;
mod read_ahead;
mod references;
mod settle;
mod settled_rows;

pub use directory::{Customer, CustomerDirectory};
pub use error::MatchError;
pub use evidence::{Evidence, ReferenceSource};
pub use matcher::Matcher;
pub use open_item::OpenInvoice;
pub use pattern::{InvoicePattern, PatternError};
pub use policy::{MAX_COMBINATION_ITEMS, MatchPolicy, Pass};
pub use proposal::{Allocation, MatchOutcome, Proposal, Shortfall, Summary, Tally, Tier};

use crate::BankLine;

/// Indexes `items` and `directory` and matches `lines` in one call.
///
/// Use a [`Matcher`] to match several batches of lines against the same items
/// without indexing them again.
pub fn match_lines(
    policy: MatchPolicy,
    directory: &CustomerDirectory,
    items: &[OpenInvoice],
    lines: &[BankLine],
) -> Result<MatchOutcome, MatchError> {
    Ok(Matcher::new(policy, directory, items)?.run(lines))
}
