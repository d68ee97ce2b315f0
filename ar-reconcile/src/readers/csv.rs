//! CSV (stub)
