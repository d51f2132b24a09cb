//! Python binding for chapterhouse.
