//! `nianbao report --from OUT_DIR`: the Parquet outputs of an aggregation → `OUT_DIR/report.html`,
//! one self-contained HTML comparison report (inline CSS and SVG, no requests), replaced
//! atomically.

use std::path::PathBuf;

use anyhow::Context;

use super::Exit;
use nianbao_tables::aggregate::load;
use nianbao_tables::htmlreport;

/// Build the HTML comparison report from an output folder.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The output folder of an aggregation (with comparison.parquet, cells/, …).
    #[arg(long = "from", value_name = "OUT_DIR")]
    pub from: PathBuf,
    /// Where to write the report (default: OUT_DIR/report.html).
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
}

pub(crate) fn run(args: &Args) -> anyhow::Result<Exit> {
    let tables = load::read_tables(&args.from)
        .with_context(|| format!("cannot read the tables of {}", args.from.display()))?;
    let path = args
        .output
        .clone()
        .unwrap_or_else(|| args.from.join("report.html"));
    htmlreport::write(&tables, &htmlreport::Options::default(), &path)?;
    eprintln!(
        "nianbao: wrote {} ({} reports, {} comparison rows)",
        path.display(),
        tables.reports.len(),
        tables.comparison.len()
    );
    Ok(Exit::Ok)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Debug, Parser)]
    struct Cli {
        #[command(flatten)]
        args: Args,
    }

    #[test]
    fn the_output_folder_is_required_and_the_file_defaults_into_it() {
        assert!(Cli::try_parse_from(["report"]).is_err());
        let cli = Cli::try_parse_from(["report", "--from", "out"]).expect("parse");
        assert_eq!(cli.args.from, PathBuf::from("out"));
        assert!(cli.args.output.is_none());
        let cli = Cli::try_parse_from(["report", "--from", "out", "-o", "r.html"]).expect("parse");
        assert_eq!(cli.args.output, Some(PathBuf::from("r.html")));
    }
}
