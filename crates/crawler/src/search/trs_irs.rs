//! TRS IRS (智能检索) search, `kind = "trs-irs"`: `[city.search]` + page → the JSON POST the
//! platform's own search page sends to `/irs/front/search`; its JSON answer → hits and pager.
//! As recorded in `shared/research/guangxi-portals.md` §4.1: the request names the site's
//! `code` and `dataTypeId`; results are under `data.middle.listAndBox[].data` on the Guangxi
//! sites and under `data.middle.list[]` on other IRS sites (both are read), with `title_no_tag`
//! (or `title`), `url` and `time`; the pager is `data.pager.{pageCount, total}`.

use serde_json::{json, Map, Value};
use url::Url;

use super::{Hit, ResultPage, PAGE_SIZE};
use crate::config::SiteSearch;
use crate::fetch::Outgoing;

/// The POST for result page `page` (1-based), with the headers the platform's search page
/// sends: JSON in and out, `Origin` and `Referer` on the site itself.
pub(super) fn request(search: &SiteSearch, url: &Url, page: u32) -> Outgoing {
    let body = json!({
        "code": search.code,
        "dataTypeId": search.data_type_id,
        "configCode": "",
        "searchWord": search.query,
        "orderBy": "related",
        "searchBy": "all",
        "appendixType": "",
        "granularity": "ALL",
        "isSearchForced": "0",
        "filters": [],
        "pageNo": page,
        "pageSize": PAGE_SIZE,
        "isAdvancedSearch": null,
        "isDefaultAdvanced": null,
        "advancedFilters": null,
        "historySearchWords": [],
    });
    let origin = url.origin().ascii_serialization();
    Outgoing {
        url: url.clone(),
        headers: vec![
            ("content-type", "application/json;charset=UTF-8".into()),
            ("accept", "application/json, text/plain, */*".into()),
            ("origin", origin.clone()),
            (
                "referer",
                format!("{origin}/irs-common-search/search?code={}", search.code),
            ),
        ],
        body: Some(body.to_string().into_bytes()),
    }
}

/// Reads one answer. An answer without `data` (the platform's error form, e.g.
/// `{"code":500,"msg":"…"}`) or that is not JSON is an error quoting what it says.
pub(super) fn parse(body: &[u8]) -> Result<ResultPage, String> {
    let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    let value: Value = serde_json::from_slice(body).map_err(|e| {
        let start: String = String::from_utf8_lossy(body).chars().take(80).collect();
        format!("not JSON ({e}): {start:?}")
    })?;
    let Some(data) = field(&value, "data").and_then(Value::as_object) else {
        let says = ["msg", "message", "error"]
            .iter()
            .find_map(|k| field(&value, k).and_then(Value::as_str))
            .unwrap_or("no data");
        return Err(format!("no result data in the answer ({says})"));
    };
    let middle = field_of(data, "middle");
    let mut hits: Vec<Hit> = Vec::new();
    for key in ["listAndBox", "list"] {
        let items = middle
            .and_then(|m| field(m, key))
            .or_else(|| field_of(data, key));
        for item in items.and_then(Value::as_array).into_iter().flatten() {
            if let Some(h) = hit(item) {
                if !hits.iter().any(|x| x.url == h.url) {
                    hits.push(h);
                }
            }
        }
    }
    let pager = field_of(data, "pager");
    let number = |k: &str| pager.and_then(|p| field(p, k)).and_then(as_u64);
    Ok(ResultPage {
        hits,
        page_count: number("pageCount").and_then(|n| u32::try_from(n).ok()),
        total: number("total"),
    })
}

/// A result: its fields sit in `data` (listAndBox) or in the item itself (list).
fn hit(item: &Value) -> Option<Hit> {
    let fields = field(item, "data")
        .filter(|d| d.is_object())
        .unwrap_or(item);
    let text = |keys: &[&str]| {
        keys.iter()
            .find_map(|k| field(fields, k).and_then(Value::as_str))
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    Some(Hit {
        title: text(&["title_no_tag", "titleNoTag", "title", "DOCTITLE"])?,
        url: text(&["url", "DOCPUBURL", "docpuburl", "link"])?,
        date: text(&["time", "trs_time", "PUBDATE", "pubDate"]),
    })
}

/// A member of an object by name, the exact name first, else ignoring ASCII case
/// (`pageCount`, `PageCount`).
fn field<'a>(v: &'a Value, name: &str) -> Option<&'a Value> {
    field_of(v.as_object()?, name)
}

fn field_of<'a>(o: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    o.get(name).or_else(|| {
        o.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    })
}

/// A count given as a number or as digits in a string.
fn as_u64(v: &Value) -> Option<u64> {
    v.as_u64()
        .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::SearchKind;

    #[test]
    fn the_request_is_the_json_the_platform_expects() {
        let search = SiteSearch {
            kind: SearchKind::TrsIrs,
            url: "http://www.gxgg.gov.cn/irs/front/search".into(),
            code: "181aedaa74b".into(),
            data_type_id: "5723".into(),
            query: "政府信息公开工作年度报告".into(),
        };
        let url = Url::parse(&search.url).unwrap();
        let req = request(&search, &url, 3);
        let body: Value = serde_json::from_slice(req.body.as_deref().unwrap()).unwrap();
        assert_eq!(body["code"], "181aedaa74b");
        assert_eq!(body["dataTypeId"], "5723");
        assert_eq!(body["searchWord"], "政府信息公开工作年度报告");
        assert_eq!(
            (body["pageNo"].as_u64(), body["pageSize"].as_u64()),
            (Some(3), Some(10))
        );
        assert_eq!(
            (body["orderBy"].as_str(), body["searchBy"].as_str()),
            (Some("related"), Some("all"))
        );
        assert!(body["filters"].as_array().unwrap().is_empty());
        let header = |n: &str| {
            req.headers
                .iter()
                .find(|(k, _)| *k == n)
                .map(|(_, v)| v.as_str())
        };
        assert_eq!(
            header("content-type"),
            Some("application/json;charset=UTF-8")
        );
        assert_eq!(header("origin"), Some("http://www.gxgg.gov.cn"));
    }

    #[test]
    fn both_result_lists_and_the_pager_are_read() {
        let guangxi = br#"{"code":200,"data":{"middle":{"listAndBox":[
            {"data":{"title_no_tag":"2023 report","title":"<em>2023</em> report","url":"http://a.cn/t1.shtml","time":"2024-01-30 10:00:00"}},
            {"data":{"title":"no url"}}]},
            "pager":{"pageNo":1,"pageSize":10,"pageCount":"3","total":21}}}"#;
        let p = parse(guangxi).unwrap();
        assert_eq!(p.hits.len(), 1);
        assert_eq!(p.hits[0].title, "2023 report");
        assert_eq!(p.hits[0].date.as_deref(), Some("2024-01-30 10:00:00"));
        assert_eq!((p.page_count, p.total), (Some(3), Some(21)));
        let other = "\u{feff}{\"data\":{\"middle\":{\"list\":[{\"title\":\"b\",\"url\":\"/t2.shtml\"}]},\"Pager\":{\"PageCount\":1,\"Total\":1}}}";
        let p = parse(other.as_bytes()).unwrap();
        assert_eq!(
            p.hits,
            [Hit {
                title: "b".into(),
                url: "/t2.shtml".into(),
                date: None
            }]
        );
        assert_eq!((p.page_count, p.total), (Some(1), Some(1)));
    }

    #[test]
    fn an_error_answer_or_html_is_not_taken_for_no_results() {
        let err = parse(br#"{"code":500,"msg":"code invalid"}"#).unwrap_err();
        assert!(err.contains("code invalid"), "{err}");
        let err = parse(b"<html>blocked</html>").unwrap_err();
        assert!(err.starts_with("not JSON"), "{err}");
        let empty = parse(br#"{"data":{"middle":{"listAndBox":[]},"pager":{"total":0}}}"#).unwrap();
        assert!(empty.hits.is_empty());
        assert_eq!(empty.total, Some(0));
    }
}
