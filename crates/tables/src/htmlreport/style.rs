//! The report's style sheet (inline in every page; the charts' own rules are in
//! [`super::chart::CHART_STYLE`], shared with the standalone SVG files).

/// The pages' CSS.
pub(super) const STYLE: &str = r#"
:root{--ink:#1d2733;--muted:#5b6673;--line:#d8dee6;--blue:#1f5fa8;--pub:#b45309;--bg:#f6f8fb}
*{box-sizing:border-box}
body{margin:0;color:var(--ink);background:#fff;font:14px/1.55 "Noto Sans CJK SC","Source Han Sans SC","PingFang SC","Microsoft YaHei","WenQuanYi Micro Hei",sans-serif}
header.top{background:#16324f;color:#fff;padding:22px 32px 18px}
header.top h1{margin:0;font-size:26px;letter-spacing:.02em}
header.top .sub{margin:6px 0 0;color:#c9d7e6}
.banner{margin:0;padding:12px 32px;border-bottom:1px solid var(--line)}
.banner.synthetic{background:#fff3d6;border-left:8px solid #d97706;color:#5c3a00}
.banner.ok{background:#e8f5ec}
nav{padding:8px 32px;background:var(--bg);border-bottom:1px solid var(--line);font-size:13px}
nav a{color:var(--blue);text-decoration:none;margin-right:4px}
nav .cities{color:var(--muted)}
main{padding:8px 32px 40px;max-width:1280px}
h2{font-size:20px;margin:28px 0 8px;padding-bottom:4px;border-bottom:2px solid var(--blue)}
h2 small{color:var(--muted);font-weight:normal;font-size:14px}
h3{font-size:16px;margin:20px 0 8px}
h4{font-size:14px;margin:12px 0 6px}
.lead{color:var(--muted);margin:4px 0 12px}
.kpis{display:flex;gap:12px;flex-wrap:wrap}
.kpi{flex:1 1 150px;background:var(--bg);border:1px solid var(--line);border-radius:6px;padding:10px 14px}
.kpi .v{display:block;font-size:24px;font-weight:bold;color:var(--blue)}
.kpi .l{color:var(--muted);font-size:13px}
.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(400px,1fr));gap:14px;margin-top:14px}
svg.chart{display:block;width:100%;height:auto}
.fig .save{font-size:12px;margin-left:8px}
nav .here{font-weight:bold;color:var(--ink)}
.crumbs{color:var(--muted);font-size:13px;margin:10px 0 0}
table.pages td,table.pages th{padding:4px 10px}
.years a{margin-right:10px}
figure{margin:0;break-inside:avoid}
.fig{border:1px solid var(--line);border-radius:6px;padding:8px 10px}
figcaption{font-weight:bold;margin-bottom:4px}

details summary{cursor:pointer;color:var(--blue);font-size:12px;margin-top:4px}
table{border-collapse:collapse;font-size:12px}
th,td{border:1px solid var(--line);padding:3px 6px;vertical-align:top}
thead th{background:var(--bg)}
caption{text-align:left;font-weight:bold;padding:4px 0}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td small{color:var(--muted)}
.scroll{overflow-x:auto}
table.comparison th[scope=row]{white-space:nowrap;text-align:left}
tr.published{background:#fff1e0}
tr.published th{color:var(--pub)}
.badge{display:inline-block;white-space:nowrap;font-size:11px;font-weight:normal;padding:0 6px;border-radius:9px;border:1px solid;vertical-align:middle}
.badge.published{color:#fff;background:var(--pub);border-color:var(--pub)}
.badge.synthetic{color:#8a5a00;border-color:#e0a43a;background:#fff7e6}
.badge.gov{color:var(--blue)}
.badge.dept{color:var(--muted)}
.badge.cmp{color:#166534;border-color:#86c29b}
.sev{display:inline-block;padding:0 6px;border-radius:3px;font-size:12px}
.sev.error,td.heat.error{background:#d64545;color:#fff}
.sev.warning,td.heat.warning{background:#f2b134;color:#3d2a00}
.sev.info,td.heat.info{background:#d6e6f7;color:#1d2733}
.sev.ok,td.heat.ok{background:#dcefe2;color:#1d4d2b}
table.heat td{text-align:center;min-width:72px;font-size:12px}
table.heat td a{color:inherit;text-decoration:none;display:block}
td.heat.none{color:var(--muted);background:#f1f3f5}
td.cov{text-align:center;font-size:12px;min-width:64px}
td.cov.ok{background:#dcefe2;color:#1d4d2b}
td.cov.missing{background:#fde2e1;color:#7a1c1c}
td.cov.none{color:var(--muted)}
section.city{margin-top:36px}
article.report{border-left:4px solid var(--line);padding:2px 0 8px 14px;margin:18px 0}
article.report.published{border-left-color:var(--pub)}
dl.source{display:grid;grid-template-columns:max-content 1fr;gap:0 12px;font-size:12px;margin:4px 0 10px}
dl.source dt{color:var(--muted)}
dl.source dd{margin:0;word-break:break-all}
table.cells{margin:6px 0 12px}
table.t3 tbody th,table.t2 tbody th,table.city-metrics th[scope=row]{font-weight:normal;text-align:left;max-width:420px}
table.city-metrics{margin:6px 0 4px}
table.t2 tr.head th{font-weight:bold;background:var(--bg);text-align:center}
table.t3 .grp{display:block;font-weight:bold}
table.t3 .note{color:var(--muted);font-size:11px}
td.blank{color:#b0b8c1}
td.ocr{text-decoration:underline dotted #7a8794}
td.ocr.corrected::after{content:"*"}
td.mark.error{background:#f8d4d4;outline:2px solid #d64545}
td.mark.warning{background:#fdecc8}
td.mark.info{background:#e4eef9}
.missing{color:var(--muted);font-style:italic}
table.findings-list{width:100%}
table.findings-list tr.error td:first-child{border-left:4px solid #d64545}
.findings .ok{color:#1d4d2b}
a{color:var(--blue)}
#method table{margin:8px 0}
@page{size:A4;margin:12mm}
@media print{
 body{font-size:10pt;-webkit-print-color-adjust:exact;print-color-adjust:exact}
 nav{display:none}
 header.top{padding:10px 12px}
 .banner,nav{padding-left:12px}
 main{padding:0;max-width:none}
 .charts{grid-template-columns:repeat(2,1fr)}
 .minis{grid-template-columns:repeat(4,1fr)}
 section.year,#trends,#heat,section.city{break-before:page}
 #overview+section.year{break-before:auto}
 details>summary{display:none}
 table{font-size:8pt}
 tr,figure,table.cells,table.city-metrics{break-inside:avoid}
 h2,h3,h4{break-after:avoid}
 .scroll{overflow:visible}
 a{color:inherit;text-decoration:none}
}
"#;
