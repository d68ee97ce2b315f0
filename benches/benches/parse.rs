//! Criterion benchmark: parse (not yet written).
fn main() {}
