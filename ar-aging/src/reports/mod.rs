//! Statements, dunning, KPIs and collection forecasts.
