//! Reports over the ledger's journal: the ledger as of a past date, customer
//! statements, dunning, KPIs and collection forecasts.
//!
//! Everything here is a pure function of its inputs: a journal
//! (`&[ar_core::Event]`, as [`ar_core::Ledger::journal`] gives it) or open
//! items, and dates and options given by the host. Money is exact (minor units,
//! sums in `i128`); ratios are [`rust_decimal::Decimal`]. Every list comes back
//! in a defined order. Errors are [`ReportError`]s naming the event, document
//! or amounts involved.
//!
//! - [`History`] indexes a journal once (and states the date rule for
//!   back-dated events); [`History::as_of`] folds it into a [`Snapshot`] of the
//!   ledger on any date: open items in the shape of
//!   [`ar_core::Ledger::all_open_items`], balances, and
//!   [`Snapshot::aging_items`] for the aging engine, so aging as of a past date
//!   is `history.as_of(d)?.aging_items()?.totals(&AgingPolicy::new(d))`.
//! - [`OpenItemStatement`] and [`ActivityStatement`] (one customer, or
//!   `build_all` for every customer in one pass): what a customer owes, and
//!   what happened in a period with a running balance that must land on the
//!   closing balance.
//! - [`DunningProcedure`]: which customers get which notice, with fee and
//!   late interest ([`DayCount`]: actual/365, actual/360, 30/360).
//! - KPIs (see [below](#kpis)): [`KpiReport`] per company, customer and
//!   collector, and the [`DailyCashReport`].
//! - [`CollectionForecast`]: when open items will be paid, from each
//!   customer's own history, and a [`Backtest`] of it.
//!
//! # KPIs
//!
//! The formulas, each with a worked example, are in the docs of each function:
//! [`dso`], [`dso_count_back`], [`best_possible_dso`],
//! [`average_days_delinquent`], [`collection_effectiveness_index`],
//! [`days_beyond_terms`], [`percent_current`].
//!
//! # Cost
//!
//! [`History::new`] reads the journal once and resolves every id (sorted maps,
//! `O(n log n)`); each [`History::as_of`] fold after reads it once more,
//! touching only vectors. Every report is a fixed number of folds plus one
//! pass, so a report over all customers is linear in the journal.

mod daily;
mod dunning;
mod error;
mod forecast;
mod history;
mod kpi;
mod statement;

pub use daily::{CashByMethod, CurrencyCount, DailyCashReport};
pub use dunning::{
    DayCount, DunningFee, DunningLevel, DunningProcedure, DunningRecord, InterestStart, LateInterest, Notice,
    NoticeItem,
};
pub use error::ReportError;
pub use forecast::{
    Backtest, BacktestBucket, CollectionForecast, ExpectedCollection, ForecastBucket, ForecastOptions, Period,
};
pub use history::{AgingPart, History, Snapshot, aging_parts, aging_ref};
pub use kpi::{
    KpiFigures, KpiReport, average_days_delinquent, best_possible_dso, collection_effectiveness_index,
    days_beyond_terms, dso, dso_count_back, percent_current,
};
pub use statement::{ActivityKind, ActivityLine, ActivityStatement, OpenItemStatement, StatementLine};
