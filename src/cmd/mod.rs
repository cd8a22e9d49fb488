//! One module per subcommand: each exposes clap `Args` (no I/O) and
//! `run(&Args) -> anyhow::Result<ExitCode>`; [`exit`] lists what the exit codes mean.

pub mod aggregate;
pub mod crawl;
pub mod harvest;
pub mod parse;
pub mod report;

/// Exit codes, one meaning each.
pub mod exit {
    use std::process::ExitCode;
    /// Everything asked for was done.
    pub const OK: ExitCode = ExitCode::SUCCESS;
    /// Some inputs failed (an unreadable file; a crawl that harvested nothing); the rest were
    /// processed.
    pub const SOME_FAILED: u8 = 1;
    /// Bad usage or configuration: clap's own code for argument errors, and a config file
    /// that does not load (the message names the file and key).
    pub const USAGE: u8 = 2;
    /// A fatal error: an output folder that cannot be written, an archive or output folder
    /// that cannot be read.
    pub const FATAL: u8 = 3;

    pub fn code(c: u8) -> ExitCode {
        ExitCode::from(c)
    }
}
