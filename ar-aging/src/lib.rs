//! # ar-aging: aging, statements, dunning, KPIs and forecasts
#![forbid(unsafe_code)]
#![deny(missing_docs)]

// -- reports (owned by the reports engineer; keep this line) --
pub mod reports;
