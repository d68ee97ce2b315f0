//! Criterion benchmark: matching (not yet written).
fn main() {}
