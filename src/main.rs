//! The `nianbao` command line: parses arguments, dispatches to `cmd::*`, maps errors to exit codes.

fn main() {
    println!("nianbao");
}
