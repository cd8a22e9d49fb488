#!/usr/bin/env python3
"""Generate the synthetic demo corpus of nianbao (standard library only).

    python3 tools/demo/make_demo_reports.py OUT_DIR [--dump-expected DIR] [--check]

Writes OUT_DIR/pages/*.html (one page per report as a Guangxi portal would serve
it, plus a few extra pages for de-duplication and scope) and OUT_DIR/manifest.json
(one entry per page, with the expected canonical JSON of shared/spec/schema.md).
With --dump-expected DIR, each non-null expected object is also written to
DIR/NAME.expected.json, for shared/corpus/check_expected.py; with --check, they
are dumped to a temporary folder and that checker is run on it (exit status 1 on
failure). T3-5 (cross-year carry-over) is asserted by this script on every run.

Everything is synthetic (figures and prose), except the figures of 贵港市 2021,
which are the published figures of shared/corpus/seed/guigang-2021.expected.json
(tables 二/三/四; the page prose is our own). Deliberate rule breaks are listed
in BREAKS below, in manifest.json "breaks" and in each affected report's
known_inconsistencies.

Deterministic: fixed seeds (random.Random(<str>)), no clock, no hash(); two runs
give byte-identical output.

Page markup, tables, labels and value printing are reused from the parse fixture
generator tests/fixtures/parse/make_fixtures.py (imported, not copied); the
parser passes those fixtures, so pages printed the same way parse.
"""

import html
import json
import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.normpath(os.path.join(HERE, "..", "..", "tests", "fixtures", "parse"))
sys.dont_write_bytecode = True  # do not leave __pycache__ next to the fixtures
sys.path.insert(0, FIXTURES)
import make_fixtures as mf  # noqa: E402

SEED_JSON_CANDIDATES = [
    os.path.join(HERE, "guigang-2021.figures.json"),
    os.path.join(HERE, "..", "..", "..", "shared", "corpus", "seed", "guigang-2021.expected.json"),
    "/work/shared/corpus/seed/guigang-2021.expected.json",
]

COLS, APPL, ROWS, OTHER_ITEMS = mf.COLS, mf.APPL, mf.ROWS, mf.OTHER_ITEMS
YEARS = list(range(2019, 2025))

# name, adcode, portal host, base new applications (scale ~ city size), short code
CITIES = [
    ("南宁市", "450100", "www.nanning.gov.cn", 1900, "nn"),
    ("柳州市", "450200", "www.liuzhou.gov.cn", 720, "lz"),
    ("桂林市", "450300", "www.guilin.gov.cn", 820, "gl"),
    ("梧州市", "450400", "www.wuzhou.gov.cn", 340, "wz"),
    ("北海市", "450500", "www.beihai.gov.cn", 260, "bh"),
    ("防城港市", "450600", "www.fcgs.gov.cn", 110, "fcg"),
    ("钦州市", "450700", "www.qinzhou.gov.cn", 380, "qz"),
    ("贵港市", "450800", "www.gxgg.gov.cn", 290, "gg"),
    ("玉林市", "450900", "www.yulin.gov.cn", 560, "yl"),
    ("百色市", "451000", "www.baise.gov.cn", 330, "bs"),
    ("贺州市", "451100", "www.gxhz.gov.cn", 170, "hz"),
    ("河池市", "451200", "www.hechi.gov.cn", 300, "hc"),
    ("来宾市", "451300", "www.laibin.gov.cn", 160, "lb"),
    ("崇左市", "451400", "www.chongzuo.gov.cn", 150, "cz"),
]
CITY = {c[0]: c for c in CITIES}
YEAR_TREND = {2019: 0.78, 2020: 0.86, 2021: 1.0, 2022: 1.12, 2023: 1.18, 2024: 1.08}

# Primary page forms: each city gets every form once over 2019-2024, each form 14 times.
FORMS = ["gbk-undeclared", "gbk-meta", "utf8-meta", "word-export", "split-table", "nested-layout"]
FORM_ENCODING = {"gbk-undeclared": "gbk", "gbk-meta": "gbk", "utf8-meta": "utf-8",
                 "word-export": "gbk", "split-table": "utf-8", "nested-layout": "utf-8"}

# Publication forms beyond the HTML page (README "Page forms" and "Attachments"). Hand-picked city
# years, none of which carries a break, a printed-value feature, the published figures or the
# duplicate, so that the tables print exactly as on a plain page. The report itself (figures,
# labels) is the same; only where and how its tables are printed changes.
ATTACHMENT_ONLY = {                      # page says 详见附件; tables only in the linked file
    ("贺州市", 2020): "pdf-ruled",         # 2019 template
    ("梧州市", 2022): "pdf-ruled",         # 2021 template
    ("河池市", 2021): "pdf-unruled",       # 2021 template, no rulings: columns by spacing
    ("崇左市", 2019): "docx",              # 2019 template
    ("百色市", 2022): "docx",              # 2021 template
    ("南宁市", 2020): "doc",               # 2019 template, Word 97-2003 binary
    ("梧州市", 2023): "wps",               # 2021 template, WPS (Word binary under .wps)
    ("柳州市", 2024): "ofd",               # 2021 template, OFD (GB/T 33190), ruled
    ("防城港市", 2019): "xlsx",            # 2019 template, a spreadsheet
}
PAGE_AND_PDF = {("北海市", 2023)}        # tables on the page and the same report as a PDF
FLAT_TEXT = {("桂林市", 2019), ("防城港市", 2021)}  # tables flattened into the page's text
ATTACHMENT_PAGE_FORM = {"pdf-ruled": "pdf-attachment", "pdf-unruled": "pdf-attachment",
                        "docx": "docx-attachment", "doc": "doc-attachment", "wps": "wps-attachment",
                        "ofd": "ofd-attachment", "xlsx": "xlsx-attachment"}
# doc and wps attachments are not rendered by the portal from their layout: LibreOffice made them
# from it once (tools/doc-fixtures/make.sh) and the portal serves those committed bytes.
ATTACHMENT_EXT = {"pdf-ruled": "pdf", "pdf-unruled": "pdf", "pdf-scan": "pdf", "docx": "docx",
                  "doc": "doc", "wps": "wps", "ofd": "ofd", "xlsx": "xlsx"}
FORM_ENCODING.update({"flat-text": "utf-8", "pdf-attachment": "utf-8", "docx-attachment": "gbk",
                      "doc-attachment": "utf-8", "wps-attachment": "gbk",
                      "ofd-attachment": "utf-8", "xlsx-attachment": "utf-8"})

# Deliberate breaks (documented in manifest "breaks", README and known_inconsistencies)
BREAK_T31 = ("柳州市", 2022)        # 一、本年新收 总计 printed with two digits swapped
BREAK_T41 = ("桂林市", 2020)        # 行政复议 总计 printed 1 too high
BREAK_T35 = ("玉林市", 2022, 2023)  # 2023 上年结转 (自然人, and 总计 with it) != 2022 结转下年度
BREAK_T35_DELTA = 4

PUBLISHED = ("贵港市", 2021)
# Cells printed blank (null) in these reports (上海 2019 style), never on a break report
BLANK_REPORTS = {("钦州市", 2019), ("百色市", 2020), ("河池市", 2019), ("来宾市", 2021),
                 ("崇左市", 2023), ("北海市", 2024), ("防城港市", 2022)}
DEPARTMENTS = [  # city, department body, short code, form
    ("南宁市", "南宁市财政局", "czj", "utf8-meta"),
    ("柳州市", "柳州市教育局", "jyj", "gbk-undeclared"),
    ("桂林市", "桂林市自然资源局", "zrzyj", "nested-layout"),
    ("梧州市", "梧州市审计局", "sjj", "scan-attachment"),   # published only as a scan
]
FORM_ENCODING["scan-attachment"] = "utf-8"

# Departments and counties of every city (README "Departments and counties"): like bodies in
# every city, so that the 14 自然资源局 (公安局, 财政局) and the counties can be compared, in two
# years on the 2021 template, so that each body has a year-on-year chain (T3-5, T2-a).
LEVEL_YEARS = (2022, 2023)
# kind (as bodies.toml names it), short code (its report column), new applications per unit of
# the city's base (a 自然资源局 receives many requests about land, a 财政局 few)
DEPT_KINDS = [("自然资源局", "zrzyj", 0.09), ("公安局", "gaj", 0.06), ("财政局", "czj", 0.02)]
# Bodies that publish under another name of their kind (an alias in config/bodies.toml).
DEPT_PUBLISHED_AS = {("柳州市", "自然资源局"): "自然资源和规划局"}
# Two real county-level units of each city: name, short code (its report column), new
# applications a year (roughly to scale). 区 print the city's name in their title
# (南宁市兴宁区…), counties their government (阳朔县人民政府…), county-level cities their own name
# alone (桂平市…): the forms real portals print.
COUNTIES = {
    "南宁市": [("兴宁区", "xnq", 95), ("青秀区", "qxq", 160)],
    "柳州市": [("城中区", "czq", 60), ("柳江区", "ljq", 45)],
    "桂林市": [("秀峰区", "xfq", 40), ("阳朔县", "ysx", 35)],
    "梧州市": [("万秀区", "wxq", 30), ("岑溪市", "cxs", 40)],
    "北海市": [("海城区", "hcq", 35), ("合浦县", "hpx", 40)],
    "防城港市": [("港口区", "gkq", 15), ("东兴市", "dxs", 18)],
    "钦州市": [("钦南区", "qnq", 40), ("灵山县", "lsx", 45)],
    "贵港市": [("港北区", "gbq", 35), ("桂平市", "gps", 55)],
    "玉林市": [("玉州区", "yzq", 50), ("北流市", "bls", 60)],
    "百色市": [("右江区", "yjq", 35), ("靖西市", "jxs", 25)],
    "贺州市": [("八步区", "bbq", 25), ("昭平县", "zpx", 15)],
    "河池市": [("金城江区", "jcjq", 30), ("宜州区", "yizq", 28)],
    "来宾市": [("兴宾区", "xbq", 30), ("合山市", "hss", 8)],
    "崇左市": [("江州区", "jzq", 20), ("凭祥市", "pxs", 15)],
}
# A department of a county (县区部门): city, county, kind, short code, new applications a year.
COUNTY_DEPARTMENTS = [("贵港市", "港北区", "教育局", "jyj", 12)]
# Page forms of these reports, in turn: mostly plain UTF-8, a few of the other HTML forms.
LEVEL_FORMS = ["utf8-meta", "utf8-meta", "gbk-meta", "utf8-meta", "nested-layout", "utf8-meta",
               "split-table", "utf8-meta", "gbk-undeclared"]
# Reports that print one 总计 cell blank where its six applicant cells are printed (the total
# is then determined by T3-3; issue 14 point 5): (body, year) -> table 三 rows. Never a city
# government's report.
BLANK_TOTALS = {("河池市宜州区", 2023): ["new_received"], ("来宾市公安局", 2022): ["granted"]}
DUPLICATE = ("南宁市", 2023)
NOT_A_REPORT_CITY = "贺州市"

FW = str.maketrans("0123456789", "０１２３４５６７８９")


def fw(n):
    return str(n).translate(FW)


# ---------------------------------------------------------------------------
# Figures
# ---------------------------------------------------------------------------

APPL_WEIGHTS = [930, 28, 3, 5, 14, 20]          # 自然人 … 其他 (per mille-ish)
LEAF_W_COMMON = {
    "granted": 380, "partially_granted": 70,
    "denied_state_secret": 2, "denied_prohibited_by_law": 3, "denied_security_stability": 2,
    "denied_third_party_rights": 22, "denied_internal_affairs": 8, "denied_process_information": 10,
    "denied_enforcement_case_file": 18, "denied_administrative_query": 9,
    "unavailable_not_held": 250, "unavailable_needs_creation": 30, "unavailable_unclear": 14,
    "declined_petition_complaint": 22, "declined_duplicate": 30, "declined_publication": 4,
    "declined_excessive": 5, "declined_confirmation": 7,
}
LEAF_W_2019 = {"other_handling": 110}
LEAF_W_2021 = {"other_overdue_correction": 50, "other_unpaid_fee": 3, "other_other": 60}


def counts(rng, n, weights):
    """Split n into len(weights) non-negative integers (deterministic multinomial)."""
    out = [0] * len(weights)
    if n <= 0:
        return out
    for i in rng.choices(range(len(weights)), weights=weights, k=n):
        out[i] += 1
    return out


def template_of(year):
    return "2019" if year <= 2020 else "2021"


def gen_t3(rng, template, new, carried, forward=None):
    """table3 with T3-1/2/3; forward (6 values) forced when given, else drawn small."""
    wts = dict(LEAF_W_COMMON, **(LEAF_W_2019 if template == "2019" else LEAF_W_2021))
    keys = list(wts)
    avail = [new[i] + carried[i] for i in range(6)]
    if forward is None:
        forward = []
        for a in avail:
            frac = rng.uniform(0.0, 0.05)
            forward.append(min(a, int(a * frac + rng.random() * 0.6)))
    assert all(0 <= forward[i] <= avail[i] for i in range(6)), (forward, avail)
    leaves = {k: [0] * 6 for k in keys}
    for i in range(6):
        cs = counts(rng, avail[i] - forward[i], [wts[k] for k in keys])
        for k, v in zip(keys, cs):
            leaves[k][i] = v
    t3 = mf.make_t3(template, new, carried, {k: v for k, v in leaves.items() if any(v)})
    assert [t3["carried_forward"][c] for c in APPL] == list(forward)
    return t3


def gen_t4(rng, apps):
    def group(mean):
        n = max(0, int(round(rng.gauss(mean, max(1.0, mean * 0.35)))))
        return counts(rng, n, [50, 14, 24, 12])
    return mf.make_t4(group(apps * 0.011), group(apps * 0.006), group(apps * 0.0025))


def round1(x, nd):
    return float(f"{x:.{nd}f}")


def gen_t2(rng, template, base, year, state, unit_yuan=False):
    """state carries 2019-template item counts into 2020 (T2-c) and in-force counts (T2-a)."""
    s = base / 300.0
    if template == "2019":
        def prior(key, lo, hi):
            if key not in state:
                state[key] = int(rng.uniform(lo, hi) * (0.6 + 0.4 * s))
            return state[key]

        def step(key, lo, hi):
            p = prior(key, lo, hi)
            ch = rng.randint(-max(1, p // 40), max(1, p // 30))
            state[key] = p + ch
            return p, ch
        reg_new = rng.randint(0, 3)
        nd_new = rng.randint(8, 30) + int(8 * s)
        reg_total = state.get("reg_total", rng.randint(8, 30)) + reg_new
        nd_total = state.get("nd_total", rng.randint(120, 400)) + nd_new
        state["reg_total"], state["nd_total"] = reg_total, nd_total
        lic = step("lic", 300, 700)
        oth = step("oth", 60, 200)
        pen = step("pen", 800, 2500)
        coe = step("coe", 40, 150)
        fee = step("fee", 20, 60)
        if unit_yuan:
            amount = rng.randint(2000, 90000) * 1000      # printed "…元", expected in 元
        else:
            amount = round1(rng.uniform(3000, 60000) * (0.5 + 0.5 * s), 2)
        return mf.make_t2(
            "2019",
            regulations=[reg_new, reg_new, reg_total],
            normative_documents=[nd_new, nd_new, nd_total],
            licensing=[lic[0], lic[1], int(rng.uniform(8000, 30000) * s)],
            other_services=[oth[0], oth[1], int(rng.uniform(1000, 6000) * s)],
            penalty=[pen[0], pen[1], int(rng.uniform(2000, 9000) * s)],
            coercion=[coe[0], coe[1], int(rng.uniform(40, 400) * s)],
            fees=[fee[0], fee[1]],
            procurement=[rng.randint(20, 90), amount])
    issued_r, rep_r = rng.randint(0, 3), rng.randint(0, 1)
    reg_f = max(0, state.get("reg_total", rng.randint(8, 30)) + issued_r - rep_r)
    issued_n = rng.randint(15, 60) + int(10 * s)
    rep_n = rng.randint(3, 20)
    nd_f = state.get("nd_total", rng.randint(150, 400)) + issued_n - rep_n
    state["reg_total"], state["nd_total"] = reg_f, nd_f
    return mf.make_t2(
        "2021",
        regulations=[issued_r, rep_r, reg_f],
        normative_documents=[issued_n, rep_n, nd_f],
        licensing=[int(rng.uniform(40000, 160000) * s)],
        penalty=[int(rng.uniform(8000, 40000) * s)],
        coercion=[int(rng.uniform(300, 2500) * s)],
        fees=[round1(rng.uniform(5000, 30000) * (0.5 + 0.5 * s), 1 + rng.randint(0, 1))])


def load_seed():
    for p in SEED_JSON_CANDIDATES:
        if os.path.exists(p):
            with open(p, encoding="utf-8") as f:
                return json.load(f)
    raise SystemExit("seed guigang-2021.expected.json not found")


def gen_city_series(city, seed):
    """{year: (t2, t3, t4, printed_changes)} for 2019-2024, T3-5 chained."""
    name, adcode, host, base, code = CITY[city]
    rng = random.Random(f"nianbao-demo/{adcode}")
    series = {}
    t2state = {}
    carried = None
    for year in YEARS:
        template = template_of(year)
        if city == PUBLISHED[0] and year == PUBLISHED[1]:
            t2, t3, t4 = seed["table2"], seed["table3"], seed["table4"]
            t3 = json.loads(json.dumps(t3))
            assert [t3["carried_over"][c] for c in APPL] == carried, (carried, "seed carried_over")
            t2state["reg_total"] = t2["regulations"]["in_force"]
            t2state["nd_total"] = t2["normative_documents"]["in_force"]
            series[year] = (json.loads(json.dumps(t2)), t3, json.loads(json.dumps(t4)))
            carried = [t3["carried_forward"][c] for c in APPL]
            continue
        apps = int(base * YEAR_TREND[year] * rng.uniform(0.85, 1.15))
        new = counts(rng, apps, APPL_WEIGHTS)
        if carried is None:
            carried = counts(rng, max(1, int(apps * rng.uniform(0.005, 0.025))), [95, 3, 0, 0, 1, 1])
        printed_carried = list(carried)
        if (city, year) == (BREAK_T35[0], BREAK_T35[2]):
            printed_carried[0] += BREAK_T35_DELTA
        forward = None
        if city == PUBLISHED[0] and year == PUBLISHED[1] - 1:
            forward = [seed["table3"]["carried_over"][c] for c in APPL]
            for i in range(6):  # keep new + carried >= forced forward
                new[i] = max(new[i], forward[i] - printed_carried[i])
        t3 = gen_t3(rng, template, new, printed_carried, forward)
        t4 = gen_t4(rng, apps)
        t2 = gen_t2(rng, template, base, year, t2state,
                    unit_yuan=(template == "2019" and (city, year) in UNIT_REPORTS))
        series[year] = (t2, t3, t4)
        carried = [t3["carried_forward"][c] for c in APPL]
    return series


# ---------------------------------------------------------------------------
# Printed-value features (orthogonal to the page form)
# ---------------------------------------------------------------------------

def pick(label, pool, k):
    r = random.Random(f"nianbao-demo/features/{label}")
    return set(r.sample(pool, k))


ALL_KEYS = [(c[0], y) for c in CITIES for y in YEARS]
_SAFE = [k for k in ALL_KEYS if k not in BLANK_REPORTS and k[0] != PUBLISHED[0]
         and k not in (BREAK_T31, BREAK_T41)]
UNIT_REPORTS = pick("unit", [k for k in _SAFE if k[1] in (2019, 2020, 2022, 2023)], 8)
FULLWIDTH_REPORTS = pick("fullwidth", _SAFE, 7)
THOUSANDS_REPORTS = pick("thousands", _SAFE, 10) | {PUBLISHED}
SIGNED_REPORTS = pick("signed", [k for k in ALL_KEYS if k[1] <= 2020], 16)


def features_of(key):
    f = []
    if key in BLANK_REPORTS:
        f.append("blank-cells")
    if key in SIGNED_REPORTS:
        f.append("signed-change")
    if key in UNIT_REPORTS:
        f.append("unit-in-cell")
    if key in FULLWIDTH_REPORTS:
        f.append("fullwidth-digits")
    if key in THOUSANDS_REPORTS:
        f.append("thousands-separators")
    return f


def apply_blanks(template, t2, t3, t4):
    """上海-style blanks: 总计 column blank for result rows except （七）; the five
    legal-person columns blank where 0 in the result rows (rows 一/二/（七）/四 stay
    printed so T3-1 and T3-5 remain checkable); 表二 行政强制 printed '-'."""
    result = [r for r in ROWS[2:24] if r not in ("other_handling",) + tuple(OTHER_ITEMS)]
    for r in result:
        t3[r]["total"] = None
        for c in APPL[1:]:
            if t3[r][c] == 0:
                t3[r][c] = None
    if template == "2019":
        t3["other_handling"]["total"] = None
        for c in APPL[1:]:
            if t3["other_handling"][c] == 0:
                t3["other_handling"][c] = None
    else:
        for r in OTHER_ITEMS:          # all three items blank in 总计 -> derived (六) null there
            t3[r]["total"] = None
        t3["other_handling"]["total"] = None
    t2["coercion"]["decisions"] = None
    overrides = {("t2", "coercion", "decisions"): "-"}
    if template == "2019":
        t2["fees"]["change"] = None
        overrides[("t2", "fees", "change")] = "—"
    return overrides


def printer_for(key, template, t2, t3, t4):
    feats = features_of(key)
    overrides, unit_checks = {}, {}
    if "blank-cells" in feats:
        overrides.update(apply_blanks(template, t2, t3, t4))
    if "signed-change" in feats and template == "2019":
        for item in ("licensing", "other_services", "penalty", "coercion", "fees"):
            v = t2[item]["change"]
            if v is not None and v > 0:
                overrides[("t2", item, "change")] = f"+{v}"
    if "unit-in-cell" in feats:
        if template == "2019":
            overrides[("t2", "procurement", "amount")] = f"{t2['procurement']['amount']}元"
        else:
            v = t2["fees"]["amount_10k_yuan"]
            overrides[("t2", "fees", "amount_10k_yuan")] = f"{int(round(v * 10000))}元"
            unit_checks[("t2", "fees", "amount_10k_yuan")] = v
    if "fullwidth-digits" in feats:
        for r in ("new_received", "granted", "unavailable_not_held"):
            overrides[("t3", r, "natural_person")] = fw(t3[r]["natural_person"])
    if "thousands-separators" in feats:
        items = ("licensing", "penalty", "other_services") if template == "2019" else ("licensing", "penalty")
        for item in items:
            v = t2[item]["decisions"]
            if v is not None and v >= 1000:
                overrides[("t2", item, "decisions")] = f"{v:,}"
        if t3["new_received"]["total"] >= 1000:
            overrides[("t3", "new_received", "total")] = f"{t3['new_received']['total']:,}"
    return mf.Printer(overrides=overrides, unit_checks=unit_checks), feats


# ---------------------------------------------------------------------------
# Prose (invented; never copied from a real report)
# ---------------------------------------------------------------------------

THEMES = {
    2019: "以新修订的《中华人民共和国政府信息公开条例》施行为契机，全面梳理依申请公开办理流程",
    2020: "围绕疫情防控和复工复产，及时准确发布权威信息",
    2021: "围绕“十四五”规划开局，做好重大决策预公开和政策解读",
    2022: "聚焦稳经济一揽子政策措施，加强惠企利民政策集中公开",
    2023: "围绕优化营商环境，推进涉企政策“免申即享”信息公开",
    2024: "深化基层政务公开标准化规范化建设，推动公开事项清单动态调整",
}
EXTRA = [
    "全年组织政务公开业务培训{n}期，覆盖各县（市、区）和市直部门工作人员。",
    "市政府常务会议审议的{n}项重大行政决策事项均在网站公开征求意见。",
    "政府网站发布政策解读材料{n}篇，其中图解、视频等多元化解读占比超过三成。",
    "开展政府开放日活动{n}场，邀请群众代表走进政务服务中心。",
]
PROBLEMS = [
    ["一是部分单位对公开内容的梳理不够细致；二是政策解读形式较为单一。",
     "下一步，将加强业务培训和日常检查，丰富图表、视频等解读形式，提升公开质量。"],
    ["一是基层政务公开专区建设进度不一；二是依申请公开答复文书规范性有待加强。",
     "下一步，将开展专项督导，统一答复文书模板，提升依申请公开办理质量。"],
    ["一是政务新媒体信息更新不够及时；二是公开目录动态调整机制仍需完善。",
     "下一步，将建立常态化巡查机制，按季度更新公开目录，推动公开内容标准化。"],
]


def narrative(rng, year, t3, t4):
    ov = mf.overview("我市", year, t3, t4)
    ov[0] = f"{year}年，我市{THEMES[year]}，坚持以公开为常态、不公开为例外，统筹做好主动公开、依申请公开和平台建设等各项工作。"
    ov.insert(2, rng.choice(EXTRA).format(n=rng.randint(2, 12)))
    return ov, rng.choice(PROBLEMS)


# ---------------------------------------------------------------------------
# Renderers per form (markup reused from make_fixtures)
# ---------------------------------------------------------------------------

TOPEN = '<table border="1" cellspacing="0" cellpadding="0" width="100%" style="border-collapse:collapse">'


def std_tables(g2, g3, g4, td_attrs=None):
    return {i: mf.render_html_table(g, td_attrs=td_attrs, table_open=TOPEN, tbody=True)
            for i, g in ((1, g2), (2, g3), (3, g4))}


def centred(c, a):
    return a + ' align="center" valign="middle"'


def split_tables(g2, g3, g4):
    """表三 split over two <table>s after （三）8, as in the split-table fixture."""
    def tag(c):
        return "th" if c.kind == "head" else "td"
    cut = 3 + 2 + 2 + 8
    first, second = g3[:cut], g3[cut:]
    assert first[5][0].key == "results"
    first[5][0].rs = cut - 5
    second[0].insert(0, mf.Cell("", 1, len(second) - 1, "label", "results_cont"))
    topen = '<table class="data-table" border="1" cellspacing="0" cellpadding="2" width="100%">'
    a = mf.render_html_table(first, tag=tag, end_tags=False, table_open=topen, blank_html="")
    b = mf.render_html_table(second, tag=tag, end_tags=False, table_open=topen, blank_html="")
    return {1: mf.render_html_table(g2, tag=tag, end_tags=False, table_open=topen),
            2: a + ['<p style="page-break-before:always">&nbsp;</p>'] + b,
            3: mf.render_html_table(g4, tag=tag, end_tags=False, table_open=topen)}


def word_tables(g2, g3, g4):
    """Compact Word 'save as web page' tables (MsoNormal paragraphs in every cell,
    unquoted attributes, split runs, misaligned-columns width row)."""
    def td_attrs(c, a):
        return a.replace('"', "") + " valign=center"

    def inner(c):
        if c.kind == "val":
            if not c.text:
                return "<p class=MsoNormal align=center><span lang=EN-US><o:p>&nbsp;</o:p></span></p>"
            num, unit = c.text, ""
            if num.endswith("元"):
                num, unit = num[:-1], "元"
            s = f"<p class=MsoNormal align=center><span lang=EN-US>{html.escape(num)}"
            if unit:
                s += f"</span><span style='font-family:仿宋_GB2312'>{unit}"
            return s + "<o:p></o:p></span></p>"
        t = html.escape(c.text, quote=False)
        if len(t) > 2 and t[0].isdigit() and t[1] == ".":
            runs = f"<span lang=EN-US>{t[:2]}</span><span style='font-family:仿宋_GB2312'>{t[2:]}<o:p></o:p></span>"
        else:
            runs = f"<span style='font-family:仿宋_GB2312'>{t}<o:p></o:p></span>"
        if c.kind == "head":
            runs = f"<b>{runs}</b>"
        return f"<p class=MsoNormal align=center>{runs}</p>"

    def one(g):
        w = mf.grid_width(g)
        lines = mf.render_html_table(
            g, td_attrs=td_attrs, inner=inner,
            table_open=("<table class=MsoNormalTable border=1 cellspacing=0 cellpadding=0 "
                        "style='border-collapse:collapse;border:none'>"),
            tr_open=lambda n: f"<tr style='mso-yfti-irow:{n}'>")
        mis = (["<![if !supportMisalignedColumns]>", "<tr height=0>"]
               + ["<td width=57 style='border:none'></td>" for _ in range(w)] + ["</tr>", "<![endif]>"])
        return lines[:-1] + mis + lines[-1:]
    return {1: one(g2), 2: one(g3), 3: one(g4)}


WORD_HEAD = """<meta name=ProgId content=Word.Document>
<meta name=Generator content="Microsoft Word 15">
<!--[if gte mso 9]><xml>
 <w:WordDocument>
  <w:View>Print</w:View>
 </w:WordDocument>
</xml><![endif]-->
<style>
<!--
 p.MsoNormal {margin:0cm;text-align:justify;font-size:10.5pt;font-family:"Times New Roman",serif;}
 table.MsoNormalTable td {border:solid windowtext 1.0pt;padding:0cm 5.4pt;}
-->
</style>
"""


def word_body(title, art):
    """Word 'save as web page' body, as pasted into the portal's article area."""
    return f"""<div class=WordSection1 style='layout-grid:15.6pt'>
<p class=MsoNormal align=center><b><span style='font-size:22.0pt;font-family:方正小标宋简体'>{title}<span lang=EN-US><o:p></o:p></span></span></b></p>
{art}
<p class=MsoNormal><span lang=EN-US><o:p>&nbsp;</o:p></span></p>
</div>"""


def nest(art):
    return f"""<table width="1000" border="0" cellspacing="0" cellpadding="0" align="center" class="layout">
<tr>
<td width="220" valign="top" class="sidebar">
<table width="100%" border="0" cellspacing="0" cellpadding="0"><tr><td class="side-title">信息公开年度报告</td></tr><tr><td><a href="../">市政府年度报告</a></td></tr><tr><td><a href="../">部门年度报告</a></td></tr></table>
</td>
<td width="780" valign="top">
<table width="100%" border="0" cellspacing="0" cellpadding="0"><tr><td class="content">
{art}
</td></tr></table>
</td>
</tr>
</table>"""


def publication(key):
    if key in ATTACHMENT_ONLY:
        return "attachment-only"
    return "page+attachment" if key in PAGE_AND_PDF else "page"


def check_publication_choices():
    """The hand-picked city years print their tables plainly (see ATTACHMENT_ONLY)."""
    chosen = list(ATTACHMENT_ONLY) + sorted(PAGE_AND_PDF) + sorted(FLAT_TEXT)
    assert len(set(chosen)) == len(chosen), "one publication form per report"
    for key in chosen:
        assert key in ALL_KEYS and not features_of(key), key
        assert key not in (BREAK_T31, BREAK_T41, PUBLISHED, DUPLICATE), key
        assert key[0] != BREAK_T35[0] or key[1] not in BREAK_T35[1:], key
    for key in PAGE_AND_PDF:   # the attachment box is filled in on these page forms only
        assert FORMS[([c[0] for c in CITIES].index(key[0]) + key[1] - YEARS[0]) % len(FORMS)] in (
            "gbk-meta", "utf8-meta", "split-table", "nested-layout"), key


def grid_json(g):
    """A grid as the manifest's layouts write it: rows of {t, cs, rs, h} (defaults left out)."""
    rows = []
    for row in g:
        cells = []
        for c in row:
            d = {"t": c.text}
            if c.cs != 1:
                d["cs"] = c.cs
            if c.rs != 1:
                d["rs"] = c.rs
            if c.kind == "head":
                d["h"] = True
            cells.append(d)
        rows.append(cells)
    return rows


def report_layout(title, intro_s, ov, grids, problems, others):
    """The whole report as a document (nianbao::portal::docs::Layout): the fixture portal
    renders it as the PDF or DOCX attachment, so the attachment prints the page's cells."""
    h = mf.HEADINGS
    blocks = [{"para": intro_s}, {"heading": h[0]}] + [{"para": s} for s in ov]
    for i, g in zip((1, 2, 3), grids):
        blocks += [{"heading": h[i]}, {"table": grid_json(g)}]
    blocks += [{"heading": h[4]}] + [{"para": s} for s in problems]
    blocks += [{"heading": h[5]}] + [{"para": s} for s in others]
    return {"title": title, "blocks": blocks}


def attachment(page_path, form, title, layout, stem):
    """A TRS-style attachment next to its page: /col/YYYYMM/tYYYYMMDD_ID.shtml ->
    /col/YYYYMM/P0YYYYMMDDID.ext (no randomness: derived from the page's path)."""
    folder, name = page_path.rsplit("/", 1)
    day, ident = name[1:].split(".")[0].split("_")
    ext = ATTACHMENT_EXT[form]
    return {"path": f"{folder}/P0{day}{ident}.{ext}", "file": f"attachments/{stem}.{ext}", "form": form,
            "name": f"{title}.{ext}", "layout": layout}


def table_grids(t2, t3, t4, template, pr, lab):
    """The three tables as grids of printed cells (every override printed once)."""
    grids = (mf.t2_grid(t2, template, pr, lab), mf.t3_grid(t3, pr, template, lab), mf.t4_grid(t4, pr, lab))
    pr.finish()
    return grids


def flat_tables(g2, g3, g4):
    """The seed's flattened layout (a line "|" opens a row, one "cell |" per line) as the
    paragraphs of a page: the tables of an article whose <table> markup was lost."""
    return {i: [mf.html_p(line) for line in mf.render_cell_lines(g)]
            for i, g in ((1, g2), (2, g3), (3, g4))}


def attach_links(attachments):
    return "".join(f'<p>附件：<a href="{a["path"]}">{html.escape(a["name"])}</a></p>' for a in attachments)


def render_page(form, variant, title, year, body, office, site, date, grids, template,
                ov, problems, attachments=()):
    g2, g3, g4 = grids
    it = mf.intro(title, year, site, office)
    others = mf.others_text(template, year)
    if form in ("pdf-attachment", "docx-attachment", "doc-attachment", "wps-attachment",
                "ofd-attachment", "xlsx-attachment",
                "scan-attachment"):
        art = "\n".join([mf.html_p(it), mf.html_p(f"{title}全文详见附件。"), attach_links(attachments)])
        page = mf.gx_portal_page(title, date, office, art, site)
        if FORM_ENCODING[form] == "gbk":
            return page.replace('<meta charset="utf-8">', "<meta charset=gb2312>", 1).encode("gbk")
        return page.encode("utf-8")
    if form == "word-export":
        tables = word_tables(g2, g3, g4)
    elif form == "split-table":
        tables = split_tables(g2, g3, g4)
    elif form == "flat-text":
        tables = flat_tables(g2, g3, g4)
    elif form in ("gbk-undeclared", "gbk-meta"):
        tables = std_tables(g2, g3, g4, td_attrs=centred)
    else:
        tables = std_tables(g2, g3, g4)
    if form == "word-export":
        def p(s):
            return (f"<p class=MsoNormal style='text-indent:32.0pt'><span style='font-size:16.0pt;"
                    f"font-family:仿宋_GB2312'>{html.escape(s, quote=False)}</span></p>")
        art = word_body(title, mf.article_html(title, it, ov, tables, problems, others, p=p))
        page = mf.gx_portal_page(title, date, office, art, site, extra_head=WORD_HEAD)
        page = page.replace('<meta charset="utf-8">', "<meta charset=gb2312>", 1)
        data = page.encode("gbk")
        assert b"charset=gb2312" in data
        return data
    if form in ("gbk-undeclared", "gbk-meta"):
        def p(s):
            return f'<p style="text-indent:2em">{html.escape(s, quote=False)}</p>'
        art = mf.article_html(title, it, ov, tables, problems, others, p=p)
    else:
        art = mf.article_html(title, it, ov, tables, problems, others)
    if form == "nested-layout":
        art = nest(art)
    if form == "gbk-undeclared":
        page = mf.gx_portal_page(title, date, office, art, site, charset_meta=False)
        data = page.encode("gbk")
        assert b"charset" not in data.lower()
        return data
    page = mf.gx_portal_page(title, date, office, art, site)
    if attachments:
        box = '<div class="article-attach">文件下载:</div>'
        assert box in page
        page = page.replace(box, box[:-len("</div>")] + attach_links(attachments) + "</div>", 1)
    if form == "gbk-meta":
        meta = ('<meta charset=gb2312>' if variant == 0 else
                '<meta http-equiv="Content-Type" content="text/html; charset=gb2312">')
        page = page.replace('<meta charset="utf-8">', meta, 1)
        return page.encode("gbk")
    return page.encode("utf-8")


# ---------------------------------------------------------------------------
# Paths, dates
# ---------------------------------------------------------------------------

_USED_IDS = set()


def trs_path(rng, column, pub):
    """TRS-style dated article path /<column>/YYYYMM/tYYYYMMDD_<id>.shtml (unique)."""
    while True:
        i = rng.randint(1000000, 9999999)
        if i not in _USED_IDS:
            _USED_IDS.add(i)
            break
    d = pub[:10].replace("-", "")
    return f"/{column}/{d[:6]}/t{d}_{i}.shtml"


def pub_date(rng, year):
    m = rng.randint(1, 3)
    d = rng.randint(1, 28 if m == 2 else 31)
    return f"{year + 1}-{m:02d}-{d:02d} {rng.randint(8, 17):02d}:{rng.choice([0, 10, 15, 30, 40, 45]):02d}"


# ---------------------------------------------------------------------------
# Build
# ---------------------------------------------------------------------------

# ---------------------------------------------------------------------------
# Departments and counties
# ---------------------------------------------------------------------------

LEVELS = {"city": "市政府本级", "duplicate": "市政府本级", "department": "市直部门",
          "county": "县区政府", "county-department": "县区部门", "not-a-report": "其他"}


def classification(kind, department=None, county=None):
    """What nianbao must make of a page's body (README "Whose report"), stated here rather than
    computed by nianbao's rules, so that a test can hold nianbao to it. The notice names no
    body: 其他."""
    return {"level": LEVELS.get(kind), "department": department, "county": county}


def county_body(city, county):
    """The body as a county's own report prints it before the year (see COUNTIES)."""
    if county.endswith("区"):
        return city + county
    if county.endswith("县"):
        return county + "人民政府"
    return county


def body_year(rng, year, apps, carried, t2state, t2_base, forward=None):
    """One year of a department's or county's tables (2021 template), T3-1/2/3 and T4-1 true;
    carried (6 values) is the previous year's 结转下年度 (T3-5); forward, when given, is forced
    (the next year's report already exists)."""
    new = counts(rng, apps, APPL_WEIGHTS)
    if forward is not None:
        for i in range(6):  # keep new + carried >= the forced forward
            new[i] = max(new[i], forward[i] - carried[i])
    t3 = gen_t3(rng, "2021", new, carried, forward)
    t4 = gen_t4(rng, apps * 3)
    t2 = gen_t2(rng, "2021", t2_base, year, t2state)
    # Departments and counties have no power to make 规章: zero in every year, so T2-a holds.
    t2["regulations"] = {"issued": 0, "repealed": 0, "in_force": 0}
    return t2, t3, t4


def body_chain(key, apps_per_year, t2_base, known):
    """{year: (t2, t3, t4)} over LEVEL_YEARS for one body, chained by T3-5 and T2-a. known:
    the years already published (the four department reports of 2023), whose figures the earlier
    year must lead to."""
    rng = random.Random(f"nianbao-demo/levels/{key}")
    years = [y for y in LEVEL_YEARS if y not in known]
    out = {}
    carried = counts(rng, rng.randint(0, 2), [95, 3, 0, 0, 1, 1])
    t2state = {}
    for year in years:
        apps = max(2, int(apps_per_year * YEAR_TREND[year] * rng.uniform(0.8, 1.2)))
        nxt = known.get(year + 1)
        forward = [nxt[1]["carried_over"][c] for c in APPL] if nxt else None
        t2, t3, t4 = body_year(rng, year, apps, carried, t2state, t2_base, forward)
        if nxt:   # T2-a: this year's 现行有效 is the next year's, less what it issued, plus what it repealed
            nd = nxt[0]["normative_documents"]
            t2["normative_documents"]["in_force"] = nd["in_force"] - nd["issued"] + nd["repealed"]
            assert t2["normative_documents"]["in_force"] >= 0, key
        out[year] = (t2, t3, t4)
        carried = [t3["carried_forward"][c] for c in APPL]
    return out


def level_bodies():
    """Every department and county body of the extension: (city, body, kind, department,
    county, report column, new applications a year, t2 base, 我-word of its prose)."""
    out = []
    for city, adcode, host, base, code in CITIES:
        for kind, dcode, share in DEPT_KINDS:
            body = city + DEPT_PUBLISHED_AS.get((city, kind), kind)
            out.append((city, body, "department", kind, None, f"zfxxgk/zfxxgkndbg/bmndbg/{dcode}",
                        base * share, 60, "我局"))
        for county, ccode, apps in COUNTIES[city]:
            out.append((city, county_body(city, county), "county", None, county,
                        f"zfxxgk/zfxxgkndbg/xqndbg/{ccode}", apps, max(40, apps),
                        "我" + county[-1]))
    for city, county, kind, dcode, apps in COUNTY_DEPARTMENTS:
        ccode = next(c for n, c, _ in COUNTIES[city] if n == county)
        out.append((city, city + county + kind, "county-department", kind, county,
                    f"zfxxgk/zfxxgkndbg/xqndbg/{ccode}/{dcode}", apps, 40, "我局"))
    return out


def level_reports(dept_figures):
    """The department and county reports of every city (pages, manifest entries), after the
    base demo: an existing (body, year) is kept as it is and only its other year is added."""
    pages, entries = [], []
    n = 0
    for city, body, kind, department, county, column, apps, t2_base, we in level_bodies():
        _, adcode, host, base, code = CITY[city]
        known = {y: f for (b, y), f in dept_figures.items() if b == body}
        chain = body_chain(f"{adcode}/{body}", apps, t2_base, known)
        for year, (t2, t3, t4) in sorted(chain.items()):
            form = LEVEL_FORMS[n % len(LEVEL_FORMS)]
            n += 1
            rng = random.Random(f"nianbao-demo/levels/page/{adcode}/{body}/{year}")
            blank = BLANK_TOTALS.get((body, year), [])
            for row in blank:   # printed blank; the six applicant cells stay printed
                t3[row]["total"] = None
            title = f"{body}{year}年政府信息公开工作年度报告"
            if kind == "county":
                office = county_body(city, county).removesuffix("人民政府") + "人民政府办公室"
                date = pub_date(rng, year)           # 县级人民政府: by 3月31日
            else:
                office = body
                date = f"{year + 1}-01-{rng.randint(10, 30):02d} {rng.randint(8, 17):02d}:30"   # 部门: by 1月31日
            site = f"{city}人民政府门户网站"
            ov, problems = narrative(rng, year, t3, t4)
            ov = [x.replace("我市", we) for x in ov]
            grids = table_grids(t2, t3, t4, "2021", mf.Printer(), mf.labeler())
            stem = f"{adcode}-{year}-{kind}-{column.rsplit('/', 1)[1]}"
            if kind == "county-department":
                stem = f"{adcode}-{year}-{kind}-{column.split('/')[-2]}-{column.rsplit('/', 1)[1]}"
            fname = f"pages/{stem}.html"
            path = trs_path(rng, column, date)
            data = render_page(form, n % 2, title, year, body, office, site, date, grids, "2021",
                               ov, problems)
            what = {"department": f"a city department ({department})",
                    "county": f"a county-level government ({county})",
                    "county-department": f"a department ({department}) of {county}"}[kind]
            notes = [f"Page form {form} ({FORM_ENCODING[form]}).",
                     f"The report of {what}, published in its own column of the {city} portal: "
                     f"not the city-government report, so not in the city comparison.",
                     "Synthetic demo report: all figures and prose invented."]
            if blank:
                notes.append("表三 总计 printed blank in row(s) " + ", ".join(blank) + " while their six "
                             "applicant cells are printed: the total is null as printed; T3-3 determines it "
                             "(the derived-total rule of issue 14 point 5).")
            pages.append((fname, data))
            entries.append({
                "city": city, "adcode": adcode, "year": year, "body": body, "kind": kind,
                "form": form, "encoding": FORM_ENCODING[form],
                "features": ["blank-total"] if blank else [], "host": host, "path": path,
                "file": fname, "data_origin": "synthetic-demo", "published_date": date[:10],
                "title": title,
                "expected": expected_obj("2021", year, body, t2, t3, t4, notes),
                "publication": "page", "attachments": [],
                **classification(kind, department, county), "demo_set": "levels"})
    assert {(b, y) for b, y in BLANK_TOTALS} <= {(e["body"], e["year"]) for e in entries}
    return pages, entries


def check_level_chains(entries):
    """T3-5 (every column) and T2-a (规章, 规范性文件) between the consecutive years of every
    department and county body, on the printed figures, where both cells are printed."""
    by = {}
    for e in entries:
        if e["kind"] in ("department", "county", "county-department") and e["expected"]["table3"]:
            by[(e["body"], e["year"])] = e["expected"]
    chains = 0
    for (body, year), cur in by.items():
        prev = by.get((body, year - 1))
        if prev is None:
            continue
        chains += 1
        for c in COLS:
            a, b = prev["table3"]["carried_forward"][c], cur["table3"]["carried_over"][c]
            assert a is None or b is None or a == b, ("T3-5", body, year, c, a, b)
        for item in ("regulations", "normative_documents"):
            p, t = prev["table2"][item], cur["table2"][item]
            assert p["in_force"] + t["issued"] - t["repealed"] == t["in_force"], ("T2-a", body, year, item)
    assert all((body, y) in by for _, body, *_ in level_bodies() for y in LEVEL_YEARS), "both years"
    assert chains == len(level_bodies()), chains


def expected_obj(template, year, body, t2, t3, t4, notes, known=()):
    return mf.expected(template, year, body, t2, t3, t4, notes=notes, known=known)


def build():
    check_publication_choices()
    seed = load_seed()
    pages = []       # (file, bytes)
    entries = []
    breaks = []
    series = {c[0]: gen_city_series(c[0], seed) for c in CITIES}

    # --- T3-5 self-check on the true figures, before any printed blanks ---
    for city, ser in series.items():
        for y in YEARS[1:]:
            prev = [ser[y - 1][1]["carried_forward"][c] for c in COLS]
            cur = [ser[y][1]["carried_over"][c] for c in COLS]
            if (city, y - 1, y) == BREAK_T35:
                assert prev != cur, "T3-5 break missing"
            else:
                assert prev == cur, ("T3-5", city, y, prev, cur)
    g = series["贵港市"]
    assert g[2021][1] == seed["table3"] and g[2021][2] == seed["table4"] and g[2021][0] == seed["table2"]

    for ci, (city, adcode, host, base, code) in enumerate(CITIES):
        rng = random.Random(f"nianbao-demo/pages/{adcode}")
        for yi, year in enumerate(YEARS):
            key = (city, year)
            template = template_of(year)
            t2, t3, t4 = (json.loads(json.dumps(x)) for x in series[city][year])
            known = []
            if key == BREAK_T31:
                tot = t3["new_received"]["total"]
                s = str(tot)
                swapped = int(s[:-2] + s[-1] + s[-2]) if s[-1] != s[-2] else tot + 9
                assert swapped != tot
                t3["new_received"]["total"] = swapped
                d = (f"一、本年新收 总计 printed {swapped}, the sum of its six applicant cells is {tot} "
                     f"(last two digits swapped). T3-1 breaks in the 总计 column only (applicant columns hold); "
                     f"T3-3 breaks in row new_received as a consequence.")
                known += [("T3-1", d), ("T3-3", "row new_received: consequence of the T3-1 break (总计 misprinted).")]
                breaks.append({"city": city, "year": year, "rule": "T3-1", "detail": d})
            if key == BREAK_T41:
                parts = [t4["review"][o] for o in ("upheld", "corrected", "other", "pending")]
                t4["review"]["total"] = sum(parts) + 1
                d = (f"表四 行政复议 总计 printed {sum(parts) + 1} but 结果维持+结果纠正+其他结果+尚未审结 = "
                     f"{'+'.join(map(str, parts))} = {sum(parts)}.")
                known.append(("T4-1", d))
                breaks.append({"city": city, "year": year, "rule": "T4-1", "detail": d})
            if (city, year) == (BREAK_T35[0], BREAK_T35[2]):
                prevf = series[city][year - 1][1]["carried_forward"]
                d = (f"二、上年结转 自然人 printed {t3['carried_over']['natural_person']} (总计 "
                     f"{t3['carried_over']['total']}) but the {year - 1} report's 四、结转下年度继续办理 is "
                     f"自然人 {prevf['natural_person']} (总计 {prevf['total']}); the {year} tables are internally "
                     f"consistent (T3-1/2/3 hold).")
                known.append(("T3-5", d))
                breaks.append({"city": city, "year": year, "rule": "T3-5",
                               "detail": f"pair {year - 1}->{year}: " + d})
            pr, feats = printer_for(key, template, t2, t3, t4)
            form = FORMS[(ci + yi) % len(FORMS)]
            if key in FLAT_TEXT:
                form = "flat-text"
            if key in ATTACHMENT_ONLY:
                form = ATTACHMENT_PAGE_FORM[ATTACHMENT_ONLY[key]]
            variant = ci % 2
            title = f"{city}{year}年政府信息公开工作年度报告"
            office = f"{city}人民政府办公室"
            site = f"{city}人民政府门户网站"
            date = pub_date(rng, year)
            ov, problems = narrative(rng, year, t3, t4)
            lab = mf.labeler({"normative_documents_2021": "规范性文件"} if key == PUBLISHED else None)
            grids = table_grids(t2, t3, t4, template, pr, lab)
            fname = f"pages/{adcode}-{year}-city.html"
            path = trs_path(rng, "zfxxgk/zfxxgkndbg/szfndbg", date)
            atts = []
            if key in ATTACHMENT_ONLY or key in PAGE_AND_PDF:
                layout = report_layout(title, mf.intro(title, year, site, office), ov, grids, problems,
                                       mf.others_text(template, year))
                atts.append(attachment(path, ATTACHMENT_ONLY.get(key, "pdf-ruled"), title, layout,
                                       f"{adcode}-{year}-city"))
            data = render_page(form, variant, title, year, city, office, site, date, grids,
                               template, ov, problems, atts)
            notes = [f"Page form {form} ({FORM_ENCODING[form]})"
                     + (f"; printed-value features: {', '.join(feats)}" if feats else "") + "."]
            if key in ATTACHMENT_ONLY:
                notes.append(f"Published as an attachment ({ATTACHMENT_ONLY[key]}, {atts[0]['path']}): the page "
                             f"says 详见附件 and prints no table; the expected tables are the attachment's.")
            if key in PAGE_AND_PDF:
                notes.append(f"The page prints the tables and links the same report as a PDF ({atts[0]['path']}); "
                             f"both print the same figures, so merging them finds no disagreement.")
            if key == PUBLISHED:
                notes.append("Figures of tables 二/三/四 are the published figures of 贵港市2021年政府信息公开工作年度报告 "
                             "(shared/corpus/seed/guigang-2021.expected.json); the page prose is invented. "
                             "规范性文件 printed as in the published report.")
            else:
                notes.append("Synthetic demo report: all figures and prose invented.")
            if "blank-cells" in feats:
                notes.append("Blank cells (null): 表三 总计 column of the result rows except （七）, legal-person "
                             "cells equal to 0 in the result rows, 表二 行政强制 '-' (and 2019 收费 本年增/减 '—').")
            exp = expected_obj(template, year, city, t2, t3, t4, notes, known)
            pages.append((fname, data))
            entries.append({
                "city": city, "adcode": adcode, "year": year, "body": city, "kind": "city",
                "form": form, "encoding": FORM_ENCODING[form], "features": feats,
                "host": host, "path": path, "file": fname,
                "data_origin": "published" if key == PUBLISHED else "synthetic-demo",
                "published_date": date[:10], "title": title, "expected": exp,
                "publication": publication(key), "attachments": atts, **classification("city"),
            })
            if key == DUPLICATE:
                dpath = trs_path(rng, "zwgk/zfxxgknb", date)
                dfile = f"pages/{adcode}-{year}-city-copy.html"
                pages.append((dfile, data))
                dup = dict(entries[-1], kind="duplicate", path=dpath, file=dfile,
                           duplicate_of=entries[-1]["file"])
                entries.append(dup)

    # --- department reports (2023, 2021 template; not for the city comparison) ---
    dept_figures = {}   # (body, year) -> (t2, t3, t4) as printed, for the level reports' chains
    for city, body, dcode, form in DEPARTMENTS:
        _, adcode, host, base, code = CITY[city]
        rng = random.Random(f"nianbao-demo/dept/{adcode}/{dcode}")
        year = 2023
        apps = rng.randint(12, 60)
        new = counts(rng, apps, APPL_WEIGHTS)
        carried = counts(rng, rng.randint(0, 2), [95, 3, 0, 0, 1, 1])
        t3 = gen_t3(rng, "2021", new, carried)
        t4 = gen_t4(rng, apps * 3)
        t2 = gen_t2(rng, "2021", 60, year, {})
        t2["regulations"] = {"issued": 0, "repealed": 0, "in_force": 0}
        pr = mf.Printer()
        title = f"{body}{year}年政府信息公开工作年度报告"
        date = f"{year + 1}-01-{rng.randint(10, 30):02d} {rng.randint(8, 17):02d}:30"   # 部门: by 1月31日
        ov, problems = narrative(rng, year, t3, t4)
        ov = [s.replace("我市", "我局") for s in ov]
        site = f"{city}人民政府门户网站"
        grids = table_grids(t2, t3, t4, "2021", pr, mf.labeler())
        dept_figures[(body, year)] = (t2, t3, t4)
        fname = f"pages/{adcode}-{year}-dept-{dcode}.html"
        path = trs_path(rng, f"zfxxgk/zfxxgkndbg/bmndbg/{dcode}", date)
        atts = []
        notes = [f"Page form {form} ({FORM_ENCODING[form]}).",
                 f"A department report ({body}) published on the {city} portal: a real report, but NOT the "
                 f"city-government report, so it must not be used for the city comparison.",
                 "Synthetic demo report: all figures and prose invented."]
        if form == "scan-attachment":
            layout = report_layout(title, mf.intro(title, year, site, body), ov, grids, problems,
                                   mf.others_text("2021", year))
            atts.append(attachment(path, "pdf-scan", title, layout, f"{adcode}-{year}-dept-{dcode}"))
            t2 = t3 = t4 = None
            notes.append(f"Published only as a scan ({atts[0]['path']}: image-only PDF, no text layer). "
                         "nianbao must name it unreadable (P-ATTACHMENT), never guess: its tables, and "
                         "with them its template, are null.")
        data = render_page(form, 0, title, year, body, body, site, date, grids, "2021", ov, problems, atts)
        exp = expected_obj(None if atts else "2021", year, body, t2, t3, t4, notes)
        pages.append((fname, data))
        entries.append({"city": city, "adcode": adcode, "year": year, "body": body, "kind": "department",
                        "form": form, "encoding": FORM_ENCODING[form], "features": [], "host": host,
                        "path": path, "file": fname, "data_origin": "synthetic-demo",
                        "published_date": date[:10], "title": title, "expected": exp,
                        "publication": "attachment-only" if atts else "page", "attachments": atts,
                        **classification("department", department=body[len(city):])})

    # --- a list-page item that is not a report ---
    _, adcode, host, base, code = CITY[NOT_A_REPORT_CITY]
    rng = random.Random("nianbao-demo/not-a-report")
    title = "关于做好2023年度政府信息公开工作年度报告编制发布工作的通知"
    rows = [("时间节点", "工作内容", "责任单位"),
            ("2024年1月20日前", "市直各部门完成本部门年度报告编制", "市直各部门"),
            ("2024年1月31日前", "市直各部门在门户网站发布年度报告", "市直各部门"),
            ("2024年3月15日前", "市人民政府办公室汇总编制全市年度报告", "市人民政府办公室"),
            ("2024年3月31日前", "在市人民政府门户网站发布全市年度报告", "市人民政府办公室")]
    tbl = ['<table border="1" cellspacing="0" cellpadding="4" width="100%">']
    for i, r in enumerate(rows):
        t = "th" if i == 0 else "td"
        tbl.append("<tr>" + "".join(f"<{t}>{c}</{t}>" for c in r) + "</tr>")
    tbl.append("</table>")
    paras = ["各县（区）人民政府，市直各有关单位：",
             "根据《中华人民共和国政府信息公开条例》第四十九条、第五十条规定，为做好2023年度政府信息公开工作"
             "年度报告编制和发布工作，现将有关事项通知如下。",
             "一、时间安排"]
    paras2 = ["二、有关要求",
              "各单位要严格按照国家统一格式编制年度报告，确保数据准确、前后年度衔接一致，不得遗漏法定内容。",
              "贺州市人民政府办公室", "2024年1月5日"]
    art = "\n".join([mf.html_p(p) for p in paras] + tbl + [mf.html_p(p) for p in paras2])
    date = "2024-01-05 10:20"
    page = mf.gx_portal_page(title, date, "贺州市人民政府办公室", art, "贺州市人民政府门户网站")
    page = page.replace("信息公开年度报告</a></div>", "通知公告</a></div>")
    fname = f"pages/{adcode}-notice.html"
    pages.append((fname, page.encode("utf-8")))
    entries.append({"city": NOT_A_REPORT_CITY, "adcode": adcode, "year": None, "body": None,
                    "kind": "not-a-report", "form": "utf8-meta", "encoding": "utf-8", "features": [],
                    "host": host, "path": trs_path(rng, "zfxxgk/tzgg", date), "file": fname,
                    "data_origin": "synthetic-demo", "published_date": date[:10], "title": title,
                    "expected": None, "publication": "page", "attachments": [],
                    **classification("not-a-report")})

    # --- departments and counties of every city (2022-2023), after every page above, so
    # that their paths (drawn from the shared pool of ids) cannot move an earlier page ---
    level_pages, level_entries = level_reports(dept_figures)
    pages += level_pages
    entries += level_entries
    for e in entries:
        e.setdefault("demo_set", "base")

    # --- final checks on what will be written ---
    check_t35_expected(entries)
    check_level_chains(entries)
    paths = [e["path"] for e in entries]
    assert len(set(paths)) == len(paths)
    body_years = [(e["body"], e["year"]) for e in entries if e["kind"] not in ("duplicate", "not-a-report")]
    assert len(set(body_years)) == len(body_years), "one report per body and year"
    return pages, entries, breaks


def check_t35_expected(entries):
    """T3-5 on the printed (expected) figures of the city reports, column by column."""
    by = {}
    for e in entries:
        if e["kind"] == "city":
            by[(e["city"], e["year"])] = e["expected"]["table3"]
    for (city, year), t3 in sorted(by.items()):
        if (city, year - 1) not in by:
            continue
        prev = by[(city, year - 1)]
        for c in COLS:
            a, b = prev["carried_forward"][c], t3["carried_over"][c]
            if a is None or b is None:
                continue
            if (city, year - 1, year) == BREAK_T35 and c in ("natural_person", "total"):
                assert a != b
            else:
                assert a == b, ("T3-5", city, year, c, a, b)


def main(argv):
    args = [a for a in argv[1:]]
    dump = None
    check = "--check" in args
    if check:
        args.remove("--check")
    if "--dump-expected" in args:
        i = args.index("--dump-expected")
        dump = args[i + 1]
        del args[i:i + 2]
    if len(args) != 1:
        print(__doc__)
        return 2
    out = args[0]
    pages, entries, breaks = build()
    os.makedirs(os.path.join(out, "pages"), exist_ok=True)
    for fname, data in pages:
        with open(os.path.join(out, fname), "wb") as f:
            f.write(data)
    manifest = {
        "note": "Synthetic demo corpus for nianbao. All figures and prose are invented, except the "
                "figures of 贵港市 2021 (published; data_origin 'published'). Deliberate rule breaks are "
                "listed in 'breaks'. Generated by tools/demo/make_demo_reports.py.",
        "entries": entries,
        "breaks": breaks,
    }
    with open(os.path.join(out, "manifest.json"), "w", encoding="utf-8") as f:
        f.write(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n")
    if dump:
        dump_expected(entries, dump)
    total = sum(len(d) for _, d in pages)
    print(f"wrote {len(pages)} pages ({total} bytes) and manifest.json to {out}")
    if check:
        return run_checker(entries)
    return 0


def dump_expected(entries, folder):
    os.makedirs(folder, exist_ok=True)
    for e in entries:
        if e["expected"] is not None and e["kind"] != "duplicate":
            stem = os.path.basename(e["file"]).rsplit(".", 1)[0]
            with open(os.path.join(folder, stem + ".expected.json"), "w", encoding="utf-8") as f:
                f.write(json.dumps(e["expected"], ensure_ascii=False, indent=1) + "\n")


def run_checker(entries):
    import subprocess
    import tempfile
    cands = [os.path.join(HERE, "..", "..", "..", "shared", "corpus", "check_expected.py"),
             "/work/shared/corpus/check_expected.py"]
    checker = next((c for c in cands if os.path.exists(c)), None)
    if checker is None:
        print("check_expected.py not found; --check skipped")
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        dump_expected(entries, tmp)
        return subprocess.run([sys.executable, checker, tmp]).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv))
