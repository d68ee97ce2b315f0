//! Criterion benchmark: ledger (not yet written).
fn main() {}
