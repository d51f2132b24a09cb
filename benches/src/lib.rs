//! Benchmarks for chapterhouse (see benches/).
