//! Reports over the ledger's journal: the ledger as of a past date, customer
//! statements, dunning, KPIs and collection forecasts.
//!
//! Everything here is a pure function of its inputs: a journal
//! (`&[ar_core::Event]`, as [`ar_core::Ledger::journal`] gives it) or open
//! items, and dates and options given by the host. Money is exact (minor units,
//! sums in `i128`); ratios are [`rust_decimal::Decimal`]. Every list comes back
//! in a defined order.
//!
//! - [`History`] indexes a journal once; [`History::as_of`] folds it into a
//!   [`Snapshot`] of the ledger on any date (open items, balances, aging rows).
//! - [`OpenItemStatement`] and [`ActivityStatement`]: what a customer owes, and
//!   what happened in a period with a running balance.
//! - [`DunningProcedure`]: which customers get which notice, with fee and
//!   late interest.
//! - [`kpi`](self#kpis): DSO, best possible DSO, ADD, CEI, days beyond terms,
//!   percent current ([`KpiReport`]), and the [`DailyCashReport`].
//! - [`CollectionForecast`]: when open items will be paid, from each
//!   customer's own history, and a [`Backtest`] of it.
//!
//! # KPIs
//!
//! The formulas are in the docs of each function: [`dso`], [`dso_count_back`],
//! [`best_possible_dso`], [`average_days_delinquent`],
//! [`collection_effectiveness_index`], [`days_beyond_terms`],
//! [`percent_current`].

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
