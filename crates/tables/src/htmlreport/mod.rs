//! [`Tables`] → the HTML comparison report as a set of pages: the index `report.html` and,
//! in the folder `report/` beside it, a page per level and year, the trends, a page per city
//! and per report, and every chart as a standalone SVG file (`report/svg/`). Inline CSS and
//! SVG, no script, no fonts or images to fetch, a CSP that forbids every request, relative
//! links only, and all data text escaped. [`render`] is pure; [`write()`] replaces the index
//! and its folder together (temporary names, then renames).

mod chart;
mod city;
mod compare;
mod coverage;
mod html;
mod index;
mod levels;
mod reports;
mod site;
mod style;

use std::fs;
use std::path::{Path, PathBuf};

use crate::aggregate::{Scope, Tables};
use site::Site;

/// What the report says about itself.
#[derive(Debug, Clone)]
pub struct Options {
    /// The page title and heading.
    pub title: String,
    /// Where the cities' resident population (the denominator of every per-100,000 figure)
    /// comes from, as the city config cites it (its `[census]` table); `None` when unknown.
    pub population_source: Option<String>,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            title: "政府信息公开工作年度报告 · 城市对比".to_string(),
            population_source: None,
        }
    }
}

/// One file of the report: its path relative to the index's folder (`report.html`,
/// `report/city-450100.html`, `report/svg/….svg`) and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    /// The path, `/`-separated, relative to the folder of the index page.
    pub path: String,
    /// The HTML or SVG text.
    pub body: String,
}

/// Why the HTML report could not be written.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// A page could not be written, or the report could not be renamed into place.
    #[error("cannot write {path}: {source}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The pages folder's name is taken by a folder this report did not write.
    #[error(
        "cannot write the report's pages into {path}: the folder exists and was not written by \
         nianbao (no {MARKER} in it); move it away or write the report elsewhere with -o"
    )]
    NotOurs {
        /// The folder.
        path: PathBuf,
    },
}

/// The file inside the pages folder that marks it as written by nianbao (so that a folder of
/// the user's of the same name is never replaced).
pub const MARKER: &str = ".nianbao-report";

/// The pages folder that goes with the index file `name`: `report.html` → `report`.
pub fn pages_dir(name: &str) -> String {
    let stem = name
        .strip_suffix(".html")
        .or_else(|| name.strip_suffix(".htm"))
        .unwrap_or(name);
    if stem == name || stem.is_empty() {
        format!("{name}_pages")
    } else {
        stem.to_string()
    }
}

/// Every file of the report with the index named `report.html` (see [`render_as`]).
pub fn render(tables: &Tables, options: &Options) -> Vec<Page> {
    render_as(tables, options, "report.html")
}

/// Every file of the report whose index is named `index` (its pages go into
/// [`pages_dir`]`(index)`): the index first, then the pages, then the SVG files.
pub fn render_as(tables: &Tables, options: &Options, index: &str) -> Vec<Page> {
    let dir = pages_dir(index);
    let site = Site::new(tables, options, index, &dir);
    let mut pages = vec![Page {
        path: index.to_string(),
        body: index::page(&site),
    }];
    for year in &site.years {
        let rows: Vec<_> = tables
            .comparison
            .iter()
            .filter(|r| r.year == *year)
            .collect();
        let html = compare::year_page(&site, &rows, *year);
        pages.push(site.folder_page(&site::level_page(Scope::CityGovernments, *year), html));
    }
    if !tables.comparison.is_empty() {
        let html = compare::trends_page(&site);
        pages.push(site.folder_page(site::TRENDS_PAGE, html));
    }
    for scope in levels::SCOPES {
        for year in site::scope_years(tables, scope) {
            let html = levels::page(&site, scope, year);
            pages.push(site.folder_page(&site::level_page(scope, year), html));
        }
    }
    for (adcode, _) in site.ix.cities() {
        let html = city::page(&site, adcode);
        pages.push(site.folder_page(&site::city_page(adcode), html));
        pages.extend(city::report_pages(&site, adcode));
    }
    pages.extend(site.take_svgs());
    pages
}

/// Render the report and replace the index `path` and its pages folder (`report.html` and
/// `report/`) with it. Everything is written under temporary names first (`.report.tmp-PID`,
/// `.report.html.tmp-PID`); then the old folder is moved aside, the new one and the index
/// renamed into place, and the old one removed: readers never see half a page or a mix of two
/// reports' pages (between the two renames of the folder it is briefly absent; inside an
/// output set being staged, as `aggregate` writes it, nobody reads yet). A folder of that name
/// that nianbao did not write (no [`MARKER`]) is an error, never replaced.
pub fn write(tables: &Tables, options: &Options, path: &Path) -> Result<(), WriteError> {
    let name = path
        .file_name()
        .map_or("report.html".into(), |n| n.to_string_lossy().to_string());
    let parent = path.parent().unwrap_or(Path::new("."));
    let dir_name = pages_dir(&name);
    let dir = parent.join(&dir_name);
    if fs::symlink_metadata(&dir).is_ok() && !dir.join(MARKER).exists() {
        return Err(WriteError::NotOurs { path: dir });
    }
    let pid = std::process::id();
    let tmp_dir = parent.join(format!(".{dir_name}.tmp-{pid}"));
    let tmp_index = parent.join(format!(".{name}.tmp-{pid}"));
    let old_dir = parent.join(format!(".{dir_name}.old-{pid}"));
    let result = write_pages(tables, options, &name, &tmp_dir, &tmp_index)
        .and_then(|()| switch(&dir, &tmp_dir, &old_dir, &tmp_index, path));
    // Whatever failed, no temporary file stays behind (a full disk leaves none).
    let _ = fs::remove_dir_all(&tmp_dir);
    let _ = fs::remove_file(&tmp_index);
    let _ = fs::remove_dir_all(&old_dir);
    result
}

/// `map_err` for an I/O error on `path`.
fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> WriteError {
    let path = path.to_path_buf();
    move |source| WriteError::Io { path, source }
}

/// Every page into `tmp_dir` (the folder's pages, with the marker) and `tmp_index`.
fn write_pages(
    tables: &Tables,
    options: &Options,
    name: &str,
    tmp_dir: &Path,
    tmp_index: &Path,
) -> Result<(), WriteError> {
    let _ = fs::remove_dir_all(tmp_dir);
    fs::create_dir_all(tmp_dir.join("svg")).map_err(io_error(tmp_dir))?;
    fs::write(tmp_dir.join(MARKER), "").map_err(io_error(tmp_dir))?;
    let prefix = format!("{}/", pages_dir(name));
    for page in render_as(tables, options, name) {
        let target = match page.path.strip_prefix(&prefix) {
            Some(rest) => tmp_dir.join(rest),
            None => tmp_index.to_path_buf(),
        };
        fs::write(&target, page.body).map_err(io_error(&target))?;
    }
    Ok(())
}

/// The new folder and index into place: the old folder aside first (a folder cannot be
/// renamed over a folder), put back if the new one cannot take its place.
fn switch(
    dir: &Path,
    tmp_dir: &Path,
    old_dir: &Path,
    tmp_index: &Path,
    index: &Path,
) -> Result<(), WriteError> {
    let had_old = fs::symlink_metadata(dir).is_ok();
    if had_old {
        fs::rename(dir, old_dir).map_err(io_error(dir))?;
    }
    if let Err(e) = fs::rename(tmp_dir, dir) {
        if had_old {
            let _ = fs::rename(old_dir, dir);
        }
        return Err(io_error(dir)(e));
    }
    fs::rename(tmp_index, index).map_err(io_error(index))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pages_folder_is_named_after_the_index() {
        assert_eq!(pages_dir("report.html"), "report");
        assert_eq!(pages_dir("more.htm"), "more");
        assert_eq!(pages_dir("report"), "report_pages");
        assert_eq!(pages_dir(".html"), ".html_pages");
    }

    #[test]
    fn a_folder_of_the_users_is_not_replaced() {
        let tmp = tempfile::tempdir().expect("tmp");
        fs::create_dir(tmp.path().join("report")).expect("mkdir");
        fs::write(tmp.path().join("report/notes.txt"), "mine").expect("write");
        let err = write(
            &Tables::default(),
            &Options::default(),
            &tmp.path().join("report.html"),
        )
        .expect_err("not ours");
        assert!(matches!(err, WriteError::NotOurs { .. }), "{err}");
        assert_eq!(
            fs::read_to_string(tmp.path().join("report/notes.txt")).expect("kept"),
            "mine"
        );
        assert!(!tmp.path().join("report.html").exists());
    }

    #[test]
    fn a_second_write_replaces_the_folder_and_leaves_no_temporary_files() {
        let tmp = tempfile::tempdir().expect("tmp");
        let index = tmp.path().join("report.html");
        write(&Tables::default(), &Options::default(), &index).expect("first");
        fs::write(tmp.path().join("report/stale.html"), "old").expect("write");
        write(&Tables::default(), &Options::default(), &index).expect("second");
        assert!(index.exists() && tmp.path().join("report").join(MARKER).exists());
        assert!(!tmp.path().join("report/stale.html").exists());
        let names: Vec<String> = fs::read_dir(tmp.path())
            .expect("ls")
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names.len(), 2, "{names:?}");
    }
}
