//! The one integration-test binary: one module per subcommand or stage.

mod crawl;
