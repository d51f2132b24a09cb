//! Unit tests for triage internals.
