//! Fixture portal (placeholder).
