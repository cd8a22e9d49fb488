//! `nianbao crawl` (placeholder).
