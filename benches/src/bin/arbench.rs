//! The `arbench` harness.
fn main() {}
