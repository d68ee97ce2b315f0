//! # ar-aging: aging, statements, dunning, KPIs and forecasts
//!
//! Accounts-receivable aging as pure functions, fast enough that a host never
//! needs a nightly batch: ten million open items age in milliseconds.
//!
//! ## Usage
//!
//! 1. Feed open items row by row to an [`OpenItemsBuilder`]; each row is
//!    validated (amount at its currency's scale, due date not before the
//!    document date, sign fitting the kind) and refused with an
//!    [`OpenItemError`] naming the row.
//! 2. [`build`](OpenItemsBuilder::build) freezes them into [`OpenItems`], a
//!    column store grouped by customer (see its docs for the layout).
//! 3. Age with an [`AgingPolicy`]: [`OpenItems::totals`] (per currency),
//!    [`OpenItems::by_customer`], [`OpenItems::detail`] (per document), then
//!    [`CustomerAging::top_overdue`] or [`CustomerAging::convert`] into one
//!    reporting currency.
//!
//! ```
//! use ar_aging::{AgingPolicy, Column, DocumentRef, OpenItemRow, OpenItemsBuilder, Placement};
//! use ar_core::{CreditMemoId, Currency, CustomerId, InvoiceId};
//! use chrono::NaiveDate;
//! use rust_decimal_macros::dec;
//!
//! let day = |m, d| NaiveDate::from_ymd_opt(2025, m, d).ok_or("bad date");
//! let acme = CustomerId::from_u128(1);
//! let mut builder = OpenItemsBuilder::new();
//! builder.push(OpenItemRow::new(acme, DocumentRef::Invoice(InvoiceId::from_u128(1)), "INV-1",
//!     Currency::USD, day(4, 1)?, day(5, 1)?, dec!(500.00)))?;
//! builder.push(OpenItemRow::new(acme, DocumentRef::CreditMemo(CreditMemoId::from_u128(2)), "CM-2",
//!     Currency::USD, day(6, 1)?, day(6, 1)?, dec!(-50.00)))?;
//! let items = builder.build();
//!
//! let policy = AgingPolicy::new(day(6, 30)?).credit_memos(Placement::OwnColumn);
//! let totals = items.totals(&policy);
//! let usd = totals.row(Currency::USD).ok_or("no USD row")?;
//! assert_eq!(usd.money(Column::Bucket(2))?.to_string(), "500.00 USD"); // 60 days: 31–60
//! assert_eq!(usd.money(Column::CreditMemos)?.to_string(), "-50.00 USD");
//! assert_eq!(usd.total()?.to_string(), "450.00 USD");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Guarantees
//!
//! * Exact: amounts are `i64` minor units, sums `i128`; no float touches money.
//!   The columns of a row sum to its open balance, customers' rows sum to the
//!   totals, and the detail lines sum to both.
//! * Mergeable: results of one policy merge associatively and commutatively, so
//!   a host can age shards ([`OpenItems::shards`], or separate sets) and combine.
//! * Deterministic: output is sorted (currency code, customer id, due date…),
//!   and no hash order, clock or randomness is read.
//!
//! ## GnuCash's buckets
//!
//! GnuCash's owner report labels its buckets Current, 0-30, 31-60, 61-90 and
//! 91+, but it cuts them at the dates 30, 60 and 90 days before the report date:
//! an item due on the report date is in "0-30", and an item 30 days past due is
//! already in "31-60". In our terms the bounds are −1, 29, 59 and 89 days:
//! `Buckets::labeled(&[(-1, "Current"), (29, "0-30"), (59, "31-60"), (89, "61-90")], "91+")`.
//! Credit notes net into the bucket of their own due date (our default
//! placement); overpayments show apart as "Pre-Payment"
//! (`AgingPolicy::unapplied_cash(Placement::OwnColumn)`).
//!
//! ## Crate features
//!
//! * `parallel` (off by default): `OpenItems::par_totals` and
//!   `OpenItems::par_by_customer` run shards on rayon's pool. Without it, a host
//!   can run shards on its own threads: [`OpenItems::shards`] and
//!   [`OpenItems::by_customer_sharded`].
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod aging;
mod convert;
mod detail;
mod kernel;
mod open_items;
#[cfg(feature = "parallel")]
mod parallel;
mod policy;
mod results;

pub use aging::{Shard, ShardTask};
pub use convert::{ConvertError, ConvertedAging, MAX_RATE_SCALE, Rates};
pub use detail::{Detail, DetailLine};
pub use open_items::{CollectorId, DocumentKind, DocumentRef, OpenItemError, OpenItemRow, OpenItems, OpenItemsBuilder};
pub use policy::{
    AgingBasis, AgingPolicy, Buckets, Column, FutureDocuments, MAX_BOUNDARY_DAYS, MAX_BUCKETS, Placement, PolicyError,
};
pub use results::{AgingRow, AgingTotals, AmountError, CustomerAging, MergeError, OverdueCustomer};

// -- reports (owned by the reports engineer; keep this line) --
pub mod reports;
