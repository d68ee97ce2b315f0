//! Data generators and workloads for the `ar` benchmarks.
