//! What an aggregation did → its run summary on stderr: as lines for people, or as one JSON
//! object (`--log-format json`). Counts are of what happened: the files on disk, the copies
//! dropped, the city-years without a comparison row, the attachments that are scans.

use std::collections::BTreeSet;

/// `2019–2024` for consecutive years, else the years listed; `no year` for none.
pub(crate) fn years_text(years: &BTreeSet<i32>) -> String {
    match (years.first(), years.last()) {
        (None, _) | (_, None) => "no year".to_string(),
        (Some(a), Some(b)) if a == b => a.to_string(),
        (Some(a), Some(b)) if usize::try_from(b - a).ok() == Some(years.len() - 1) => {
            format!("{a}–{b}")
        }
        _ => years
            .iter()
            .map(i32::to_string)
            .collect::<Vec<_>>()
            .join(", "),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn years_read_as_a_range_or_a_list() {
        let set = |v: &[i32]| v.iter().copied().collect::<BTreeSet<i32>>();
        assert_eq!(years_text(&set(&[2019, 2020, 2021])), "2019–2021");
        assert_eq!(years_text(&set(&[2019, 2021])), "2019, 2021");
        assert_eq!(years_text(&set(&[2023])), "2023");
        assert_eq!(years_text(&set(&[])), "no year");
    }
}
