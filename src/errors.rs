//! An error and its causes → the one line the command line prints (`nianbao: …`). Every
//! error a command returns, and every file a `parse` batch cannot read, is rendered here once:
//! a cause that the text before already says is left out (many errors print their source in
//! their own message), the operating system's error number is dropped, and line breaks inside
//! a message are folded.

/// The line for an error of a command (its whole chain of causes).
pub(crate) fn message(error: &anyhow::Error) -> String {
    one_line(error.chain().map(ToString::to_string))
}

/// The line for a library error and its sources.
pub(crate) fn message_of(error: &(dyn std::error::Error + 'static)) -> String {
    let causes = std::iter::successors(Some(error), |e| e.source());
    one_line(causes.map(ToString::to_string))
}

/// Causes joined by `: `, each left out when the text so far already contains it.
fn one_line(causes: impl Iterator<Item = String>) -> String {
    let mut text = String::new();
    for cause in causes {
        let part = tidy(&cause);
        if part.is_empty() || text.contains(&part) {
            continue;
        }
        if !text.is_empty() {
            text.push_str(": ");
        }
        text.push_str(&part);
    }
    text
}

/// A cause without ` (os error N)` (the text before it says the same in words) and on one
/// line.
fn tidy(cause: &str) -> String {
    let mut s = String::with_capacity(cause.len());
    let mut rest = cause;
    while let Some(at) = rest.find(" (os error ") {
        s.push_str(&rest[..at]);
        let after = &rest[at + " (os error ".len()..];
        let digits = after.chars().take_while(char::is_ascii_digit).count();
        if digits > 0 && after[digits..].starts_with(')') {
            rest = &after[digits + 1..];
        } else {
            s.push_str(" (os error ");
            rest = after;
        }
    }
    s.push_str(rest);
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cause_already_in_the_message_is_not_repeated() {
        let io = std::io::Error::other("No space left on device");
        let e = anyhow::Error::new(io).context("cannot write out/a.csv: No space left on device");
        let e = e.context("cannot write the outputs of out");
        assert_eq!(
            message(&e),
            "cannot write the outputs of out: cannot write out/a.csv: No space left on device"
        );
    }

    #[test]
    fn the_os_error_number_is_dropped_and_the_cause_said_once() {
        let io = std::io::Error::from_raw_os_error(2);
        let e = anyhow::Error::new(io).context(format!(
            "cannot read x.html: {}",
            std::io::Error::from_raw_os_error(2)
        ));
        assert_eq!(message(&e), "cannot read x.html: No such file or directory");
    }

    #[test]
    fn a_message_over_several_lines_is_folded() {
        let e = anyhow::anyhow!("config a.toml:\n  |\n1 | x=\n  |   ^\nexpected a value\n");
        assert_eq!(message(&e), "config a.toml: | 1 | x= | ^ expected a value");
    }

    #[test]
    fn a_library_error_and_its_sources_give_one_line() {
        #[derive(Debug, thiserror::Error)]
        #[error("cannot read {0}: {1}")]
        struct Outer(&'static str, #[source] std::io::Error);
        let e = Outer("a.pdf", std::io::Error::from_raw_os_error(13));
        assert_eq!(message_of(&e), "cannot read a.pdf: Permission denied");
    }
}
