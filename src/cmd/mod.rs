//! Subcommands: one file each, `Args` (clap, no I/O) + `run(&Args)`.

pub mod crawl;
