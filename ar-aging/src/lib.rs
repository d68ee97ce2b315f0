//! # ar-aging
#![forbid(unsafe_code)]
#![deny(missing_docs)]
