//! C ABI for chapterhouse.
