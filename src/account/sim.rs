//! The embedded simulated account for `demo` and training.
