//! Benchmarks for chapterhouse (see benches/).

pub mod access_org;
