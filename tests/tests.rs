//! The one integration-test binary: one module per subcommand or stage.

mod docx;
mod fixtures;
mod pdf;
