#!/usr/bin/env python3
"""The crawl baseline: a Scrapy spider that does the job of `nianbao crawl --scope all`.

    python bench/scrapy_spider.py CONFIG.toml OUT_DIR

CONFIG.toml is the crawler config the fixture portal writes (`fixture-portal --config-out`):
its `[crawl]` table gives the politeness settings and its `[[city]]` tables the start URLs
(`report_lists`). The spider

- starts from every city's `report_lists`;
- follows list pagination (TRS `createPageHTML(count, cur, "index", "shtml")` and
  `countPage = N` scripts, 下一页-style links, page-number links and `?page=N` links in the list's
  directory) and the report links of a list (link text or `title` naming 年度报告/年报 with a
  year; a direct link to a file is an attachment);
- on report pages, follows attachments in every form the portal uses (`<a>`, `<iframe>`,
  `<frame>`, `<embed>`, `<object>`, `onclick="window.open('…')"`, `javascript:` hrefs, pdf.js
  `viewer.html?file=…`) and `<meta http-equiv=refresh>`;
- stores the raw body of EVERY response, robots.txt, redirects and errors included, one file
  per response (OUT_DIR/bodies/NNNNNN), with OUT_DIR/index.tsv (url, status, bytes, file), by a
  downloader middleware placed next to the downloader, so the bytes are as sent (nianbao keeps
  them in gzip WARC records).

These are the rules of nianbao's `crawl::discover` that this portal exercises, written the
way a Scrapy user would (parsel selectors, `response.follow`); the benchmark checks in the
server's log that both tools requested exactly the same URLs. Not mirrored (the benchmark portal
does not need them): the home-page fallback search, Hanweb CDATA lists, `<base href>`.
"""
import os
import re
import sys
import tomllib
from urllib.parse import unquote, urlsplit

import scrapy
import scrapy.core.downloader as scrapy_downloader
from scrapy.crawler import CrawlerProcess

ATTACHMENT_EXTS = (".pdf", ".doc", ".docx", ".wps", ".xls", ".xlsx", ".et", ".ofd", ".zip", ".rar")
NEXT_TEXTS = {"下一页", "下页", "后一页", "尾页", "末页", "next", "»", ">"}
CREATE_PAGE = re.compile(
    r"""createPageHTML\(\s*(?:['"][A-Za-z_\-][^'"]*['"]\s*,\s*)?['"]?(\d+)['"]?\s*,\s*['"]?(\d+)['"]?"""
    r"""\s*,\s*['"]([^'"]+)['"]\s*,\s*['"]([A-Za-z]+)['"]""")
PAGE_COUNT_VAR = re.compile(r"""(?i)\b(?:countPage|totalPage|pageCount|page_count|totalPages)\s*[=:]\s*['"]?(\d+)""")
YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
BARE_YEAR = re.compile(r"(?:^|[^0-9])((?:19|20)\d{2})(?:[^0-9]|$)")
QUOTED_URL = re.compile(r"""['"]([^'"\s]+\.(?:pdf|docx?|wps|xlsx?|et|ofd|zip|rar|s?html?)(?:\?[^'"\s]*)?)['"]""")
PAGE_PARAM = re.compile(r"(?i)(?:^|&)(?:page|pageno|pageindex|currpage|pagenum|p|pn|curpage)=\d+")
LINKS = ("//a[@href] | //area[@href] | //iframe[@src] | //frame[@src] | //embed[@src]"
         " | //object[@data] | //*[@onclick] | //meta[@http-equiv]")
# Lists before report pages before attachments, as nianbao's per-host queue orders them.
PRIORITY = {"list": 2, "report": 1, "attachment": 0}


class PerHostLimitDownloader(scrapy_downloader.Downloader):
    """Scrapy's Downloader with its per-domain limit enforced.

    Scrapy 2.19's `Downloader._process_queue` starts queued requests while
    `slot.free_transfer_slots() > 0`, but a request only enters `slot.transferring` when its
    scheduled coroutine begins, after the loop: one pass can start every queued request of a
    host. The fixture portal saw 9 to 25 requests in flight per host with
    CONCURRENT_REQUESTS_PER_DOMAIN = 2. This copy of the method counts a request as
    transferring as soon as it is popped (`_download` adds it again and removes it when done).
    """

    def _process_queue(self, slot):
        if slot.latercall:
            return
        now = scrapy_downloader.monotonic()
        delay = slot.download_delay()
        if delay:
            penalty = delay - now + slot.lastseen
            if penalty > 0:
                slot.latercall = scrapy_downloader.call_later(penalty, self._latercall, slot)
                return
        while slot.queue and slot.free_transfer_slots() > 0:
            slot.lastseen = now
            request, queue_dfd = slot.queue.popleft()
            slot.transferring.add(request)  # the fix
            scrapy_downloader._schedule_coro(self._wait_for_download(slot, request, queue_dfd))
            if delay:
                self._process_queue(slot)
                break


class ArchiveMiddleware:
    """Writes the raw body of every response to OUT_DIR/bodies/, before any other middleware
    (decompression, redirects, retries, robots) sees it."""

    def __init__(self, out):
        self.dir = os.path.join(out, "bodies")
        os.makedirs(self.dir, exist_ok=True)
        self.index = open(os.path.join(out, "index.tsv"), "w", encoding="utf-8")
        self.n = 0

    @classmethod
    def from_crawler(cls, crawler):
        mw = cls(crawler.settings["ARCHIVE_DIR"])
        crawler.signals.connect(mw.close, signal=scrapy.signals.spider_closed)
        return mw

    def process_response(self, request, response, spider=None):
        name = f"{self.n:06d}"
        self.n += 1
        with open(os.path.join(self.dir, name), "wb") as f:
            f.write(response.body)
        self.index.write(f"{response.url}\t{response.status}\t{len(response.body)}\t{name}\n")
        return response

    def close(self, spider=None):
        self.index.close()


def collapse(s):
    return " ".join(s.split())


def is_reportish(text):
    return "年度报告" in text or "年报" in text or "年度工作报告" in text


def report_year(text):
    m = YEAR.search(text) or BARE_YEAR.search(text)
    return int(m.group(1)) if m else None


def is_attachment_url(url):
    parts = urlsplit(url)
    path = parts.path.lower()
    if path.endswith(ATTACHMENT_EXTS):
        return True
    last = path.rsplit("/", 1)[-1]
    html_like = last.endswith((".html", ".htm", ".shtml", ".jsp", ".php", ".asp", ".aspx"))
    return any(w in last for w in ("download", "downfile", "getfile", "attach")) and (
        bool(parts.query) or not html_like)


def is_truncated_report_title(text):
    cut = text.endswith(("…", "...", ".."))
    return cut and report_year(text) is not None and any(
        w in text for w in ("信息公开", "政府信息", "政务公开"))


def is_column_url(url):
    last = urlsplit(url).path.rsplit("/", 1)[-1]
    return last == "" or last.startswith(("index", "list"))


def is_bare_year_label(text):
    t = text.rstrip("年度").strip()
    return len(t) == 4 and t.isascii() and t.isdigit() and 1990 <= int(t) < 2100


def same_host(a, b):
    return urlsplit(a).hostname == urlsplit(b).hostname


def is_child_column(url, list_url):
    if not same_host(url, list_url):
        return False
    d, path = dir_of(list_url), urlsplit(url).path
    last = path.rsplit("/", 1)[-1]
    return len(path) > len(d) and path.startswith(d) and (last == "" or last.startswith("index"))


def dir_of(url):
    path = urlsplit(url).path
    return path[: path.rfind("/") + 1]


def viewer_file(href):
    at = href.lower().find("viewer.html?file=")
    if at < 0:
        return href
    return unquote(href[at + len("viewer.html?file="):].split("&")[0].replace("+", " "))


class ReportSpider(scrapy.Spider):
    """List pages → report pages → attachments, as nianbao crawls them."""

    name = "nianbao-baseline"

    def __init__(self, config, max_list_pages, **kw):
        super().__init__(**kw)
        self.config = config
        self.max_list_pages = max_list_pages

    async def start(self):
        for city in self.config["city"]:
            for url in city.get("report_lists", []):
                yield scrapy.Request(url, callback=self.parse_list, priority=PRIORITY["list"])

    def raw_links(self, response):
        """(href, text, embedded, refresh) of every link-bearing element, like nianbao's."""
        out = []
        for el in response.xpath(LINKS):
            name = el.root.tag
            if name == "meta":
                if (el.attrib.get("http-equiv") or "").lower() == "refresh":
                    content = el.attrib.get("content") or ""
                    at = content.lower().find("url=")
                    if at >= 0:
                        out.append((content[at + 4:].strip().strip("'\""), "", False, True))
                continue
            text = collapse(el.xpath("string(.)").get(""))
            title = collapse(el.attrib.get("title", ""))
            if len(title) > len(text):
                text = title
            target = {"a": "href", "area": "href", "iframe": "src", "frame": "src",
                      "embed": "src", "object": "data"}.get(name)
            href = el.attrib.get(target) if target else None
            embedded = name in ("iframe", "frame", "embed", "object")
            if href is not None:
                if href.strip().startswith("javascript:"):
                    out.extend((u, text, False, False) for u in QUOTED_URL.findall(href))
                else:
                    out.append((viewer_file(href), text, embedded, False))
            onclick = el.attrib.get("onclick")
            if onclick:
                out.extend((u, text, False, False) for u in QUOTED_URL.findall(onclick))
        return out

    def script_pagination(self, response):
        html = response.text
        m = CREATE_PAGE.search(html) if "createPageHTML" in html else None
        if m:
            count, stem, ext = int(m.group(1)), m.group(3), m.group(4)
        else:
            m = PAGE_COUNT_VAR.search(html)
            if not m:
                return []
            count = int(m.group(1))
            last = urlsplit(response.url).path.rsplit("/", 1)[-1]
            stem, _, ext = last.partition(".") if "." in last else ("index", "", "html")
            stem = stem.split("_")[0] or "index"
        names = [f"{stem}.{ext}" if i == 0 else f"{stem}_{i}.{ext}"
                 for i in range(min(count, self.max_list_pages))]
        return [u for u in (response.urljoin(n) for n in names) if u != response.url]

    def is_pagination(self, text, url, list_url):
        if not same_host(url, list_url):
            return False
        t = text.strip("[]【】 ").lower()
        if t in NEXT_TEXTS:
            return True
        same_dir = dir_of(url) == dir_of(list_url)
        if same_dir and t and len(t) <= 3 and t.isascii() and t.isdigit():
            return True
        return same_dir and bool(PAGE_PARAM.search(urlsplit(url).query))

    def links(self, response):
        """(absolute URL, text, embedded, refresh) of the page's http(s) links but itself."""
        for href, text, embedded, refresh in self.raw_links(response):
            url = response.urljoin(href.strip()).split("#")[0]
            if url.startswith(("http://", "https://")) and url != response.url:
                yield url, text, embedded, refresh

    def follow(self, response, url, kind):
        callback = {"list": self.parse_list, "report": self.parse_report, "attachment": self.parse_file}[kind]
        return response.follow(url, callback=callback, priority=PRIORITY[kind])

    def parse_list(self, response):
        for url in self.script_pagination(response):
            yield self.follow(response, url, "list")
        for url, text, embedded, refresh in self.links(response):
            if refresh:
                yield self.follow(response, url, "list")
            elif is_reportish(text) or is_truncated_report_title(text):
                if is_attachment_url(url):
                    yield self.follow(response, url, "attachment")
                elif report_year(text) is not None or not is_column_url(url):
                    yield self.follow(response, url, "report")
                else:  # a report column without a year
                    yield self.follow(response, url, "list")
            elif (embedded and not is_attachment_url(url) and same_host(url, response.url)) \
                    or self.is_pagination(text, url, response.url) \
                    or is_bare_year_label(text) \
                    or (text and is_child_column(url, response.url)):
                yield self.follow(response, url, "list")

    def parse_report(self, response):
        if not isinstance(response, scrapy.http.TextResponse):
            return  # a "report" that is a file: stored, nothing to follow
        for url in self.script_pagination(response):  # an article split over pages
            yield self.follow(response, url, "report")
        for url, text, embedded, refresh in self.links(response):
            if refresh:
                yield self.follow(response, url, "report")
            elif is_attachment_url(url) or embedded or text.strip().lower().endswith(ATTACHMENT_EXTS):
                yield self.follow(response, url, "attachment")

    def parse_file(self, response):
        return ()  # stored by ArchiveMiddleware


def main(argv):
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    with open(argv[1], "rb") as f:
        config = tomllib.load(f)
    out = argv[2]
    c = config.get("crawl", {})
    hosts = {urlsplit(u).hostname for city in config["city"] for u in city.get("report_lists", [])}
    conc = int(c.get("per_host_concurrency", 1))
    settings = {
        # --- politeness, mapped one to one from the [crawl] table nianbao reads:
        # per_host_concurrency → per-domain concurrency (the hosts are distinct IPs, and
        # Scrapy's download slot is the host name without the port, as nianbao's host key)
        "CONCURRENT_REQUESTS_PER_DOMAIN": conc,
        "CONCURRENT_REQUESTS_PER_IP": 0,
        # global cap: high enough never to bind (nianbao has no global cap)
        "CONCURRENT_REQUESTS": max(16, 2 * len(hosts) * conc),
        # delay_ms → DOWNLOAD_DELAY (seconds); nianbao's spacing is exact, so no jitter
        "DOWNLOAD_DELAY": int(c.get("delay_ms", 2000)) / 1000,
        "DOWNLOAD_DELAY_JITTER": 0,
        # autothrottle (nianbao implements Scrapy's AutoThrottle rule)
        "AUTOTHROTTLE_ENABLED": bool(c.get("autothrottle", True)),
        "AUTOTHROTTLE_MAX_DELAY": int(c.get("autothrottle_max_delay_ms", 60000)) / 1000,
        "AUTOTHROTTLE_TARGET_CONCURRENCY": float(c.get("autothrottle_target_concurrency", 1.0)),
        "AUTOTHROTTLE_START_DELAY": int(c.get("delay_ms", 2000)) / 1000,
        # retries → RETRY_TIMES; nianbao retries the same statuses (408 429 500 502 503 504
        # 522 524, Scrapy's default RETRY_HTTP_CODES) and transport errors
        "RETRY_ENABLED": True,
        "RETRY_TIMES": int(c.get("retries", 2)),
        # robots = "obey": both fetch /robots.txt once per host and obey it
        "ROBOTSTXT_OBEY": c.get("robots", "obey") == "obey",
        # max_redirects, max_body_bytes, request/connect timeouts
        "REDIRECT_MAX_TIMES": int(c.get("max_redirects", 5)),
        "DOWNLOAD_MAXSIZE": int(c.get("max_body_bytes", 64 << 20)),
        "DOWNLOAD_WARNSIZE": 0,
        "DOWNLOAD_TIMEOUT": int(c.get("request_timeout_ms", 120000)) / 1000,
        "USER_AGENT": c.get("user_agent", "nianbao-baseline"),
        # --- nothing that changes the work: no cache, no cookies (nianbao's client keeps
        # none), no telnet console or remote-control server, no memory-usage watchdog, no
        # depth limit (nianbao bounds pagination by max_list_pages, mirrored in the spider)
        "HTTPCACHE_ENABLED": False,
        "COOKIES_ENABLED": False,
        "TELNETCONSOLE_ENABLED": False,
        "REMOTE_CONTROL_ENABLED": False,
        "MEMUSAGE_ENABLED": False,
        "DEPTH_LIMIT": 0,
        "LOG_LEVEL": "INFO",
        # --- storage: every raw body, one file per response (nianbao: gzip WARC)
        "ARCHIVE_DIR": out,
        "DOWNLOADER_MIDDLEWARES": {ArchiveMiddleware: 950},
        # the per-domain limit, enforced (see PerHostLimitDownloader)
        "DOWNLOADER": PerHostLimitDownloader,
    }
    process = CrawlerProcess(settings)
    process.crawl(ReportSpider, config=config, max_list_pages=int(c.get("max_list_pages", 50)))
    process.start()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
