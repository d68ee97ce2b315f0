//! Criterion benchmark: aging (not yet written).
fn main() {}
