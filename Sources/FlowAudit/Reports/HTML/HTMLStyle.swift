/// The HTML report's inline style sheet and script.
///
/// Colours are the Okabe–Ito palette, which readers with any common colour-vision deficiency tell apart,
/// and every state also has a glyph, a line style or a marker shape. The page follows the reader's light or
/// dark scheme, and prints in black on white without navigation. The script only sorts tables; the page
/// is complete without it.
enum HTMLStyle {
    static let css = """
        :root{color-scheme:light dark;--bg:#ffffff;--fg:#1b1b1b;--muted:#5c5c5c;--line:#d0d0d0;--panel:#f5f5f2;
        --grid:#e4e4e4;--allowed:#0072B2;--denied:#D55E00;--both:#E69F00;--none:#e8e8e8;--logs:#0072B2;
        --empty:#56B4E9;--skipped:#bdbdbd;--connections:#56B4E9;--out:#D55E00;--in:#009E73;--pass:#009E73;
        --fail:#D55E00;--error:#CC79A7;--high:#D55E00;--medium:#E69F00;--low:#56B4E9;--info:#8c8c8c;
        --workspace:#009E73;--glyph:#ffffff;--glyph-dark:#1b1b1b}
        @media (prefers-color-scheme:dark){:root{--bg:#16181b;--fg:#e8e8e6;--muted:#a8a8a4;--line:#3c4046;
        --panel:#202328;--grid:#2e3238;--allowed:#56B4E9;--none:#2c3036;--logs:#56B4E9;--empty:#0072B2;
        --skipped:#5a5f66;--connections:#0072B2;--info:#9a9a9a;--glyph:#16181b;--glyph-dark:#16181b}}
        *{box-sizing:border-box}
        body{margin:0;background:var(--bg);color:var(--fg);font:14px/1.45 system-ui,-apple-system,"Segoe UI",
        Roboto,"Noto Sans","Liberation Sans",Arial,sans-serif}
        main{max-width:1000px;margin:0 auto;padding:16px 20px 40px}
        h1{font-size:22px;margin:8px 0 4px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid var(--line);
        padding-bottom:4px}h3{font-size:15px;margin:16px 0 6px}
        nav{font-size:13px;margin:6px 0 10px}nav a{margin-right:12px}
        a{color:var(--allowed)}
        code,.mono{font-family:ui-monospace,"SFMono-Regular","DejaVu Sans Mono",Menlo,Consolas,monospace;
        font-size:12.5px;overflow-wrap:anywhere}
        .verdict{display:flex;gap:14px;align-items:center;padding:12px 16px;border-radius:6px;
        background:var(--panel);border-left:8px solid var(--fail)}
        .verdict.pass{border-left-color:var(--pass)}.verdict.error{border-left-color:var(--error)}
        .verdict .status{font-size:26px;font-weight:700;letter-spacing:.04em}
        .verdict .headline{font-size:16px;font-weight:600}
        .counts{display:flex;flex-wrap:wrap;gap:8px;margin:10px 0}
        .count{border:1px solid var(--line);border-radius:14px;padding:2px 10px 2px 8px;font-size:13px}
        .sev{display:inline-block;min-width:4.6em;font-weight:700;font-size:12px}
        .sev::before{display:inline-block;width:1.2em;text-align:center}
        .sev.high{color:var(--high)}.sev.high::before{content:"\\25B2"}
        .sev.medium{color:var(--medium)}.sev.medium::before{content:"\\25C6"}
        .sev.low{color:var(--low)}.sev.low::before{content:"\\25CF"}
        .sev.info{color:var(--info)}.sev.info::before{content:"\\25CB"}
        dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:2px 14px;margin:8px 0}
        dl.facts dt{color:var(--muted)}dl.facts dd{margin:0;overflow-wrap:anywhere}
        article.finding{border:1px solid var(--line);border-radius:6px;padding:10px 14px;margin:10px 0;
        break-inside:avoid}
        article.finding header{display:flex;gap:8px;align-items:baseline;flex-wrap:wrap}
        article.finding .kind{font-weight:700}
        article.finding p.message{margin:6px 0}
        table{border-collapse:collapse;width:100%;font-size:13px;margin:6px 0}
        th,td{text-align:left;padding:3px 8px;border-bottom:1px solid var(--line);vertical-align:top}
        th{background:var(--panel)}td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
        th[data-sortable]{cursor:pointer}
        .status-failed{color:var(--denied);font-weight:700}.status-failed::before{content:"\\2715  "}
        .status-passed{color:var(--pass)}.status-passed::before{content:"\\2713  "}
        .status-unobserved{color:var(--muted)}.status-unobserved::before{content:"\\00B7  "}
        .status-skipped{color:var(--muted)}.status-skipped::before{content:"\\2013  "}
        .note{color:var(--muted);font-size:13px}
        td[class^="status-"]{white-space:nowrap}
        table.information td:nth-child(2){min-width:16em}
        .chart-box{overflow-x:auto;margin:6px 0}
        svg.chart{font-size:11px;fill:var(--fg);max-width:none;display:block}
        svg.chart text{fill:var(--fg)}
        svg.chart .axis line{stroke:var(--muted);stroke-width:1}
        svg.chart .axis line.grid{stroke:var(--grid)}
        svg.chart .axis-title,svg.chart .column-title,svg.chart .group-title{font-weight:600;fill:var(--muted)}
        svg.chart .value.flagged{fill:var(--denied);font-weight:700}
        svg.chart text.glyph{fill:var(--glyph);font-size:11px;font-weight:700;text-anchor:middle}
        svg.chart text.badge-text{fill:var(--muted)}
        .bar-connections{fill:var(--connections)}
        .line-out{stroke:var(--out);stroke-width:2;fill:none}.line-out.marker{fill:var(--out);stroke:none}
        .line-in{stroke:var(--in);stroke-width:2;stroke-dasharray:5 3;fill:none}
        .line-in.marker{fill:var(--in);stroke:none}
        .line-none{stroke:var(--muted);stroke-width:1;stroke-dasharray:2 3}
        .bar-egress{fill:var(--allowed)}.bar-other-region{fill:var(--denied)}
        .bar-workspace{fill:url(#pattern-workspace);stroke:var(--workspace);stroke-width:1}
        .bar-hits{fill:var(--allowed)}.bar-deny-hits{fill:var(--muted)}
        .bar-zero{fill:none;stroke:var(--denied);stroke-width:2;stroke-dasharray:3 2}
        .c-allowed{fill:var(--allowed)}.c-denied{fill:var(--denied)}.c-both{fill:var(--both)}
        .c-none{fill:var(--none)}.c-logs{fill:var(--logs)}.c-empty{fill:var(--empty)}
        .c-damaged{fill:var(--both)}.c-gap{fill:var(--denied)}.c-skipped{fill:var(--skipped)}
        .c-quiet{fill:var(--none)}
        svg.chart .c-none+text.glyph,svg.chart .c-quiet+text.glyph{fill:var(--muted)}
        #pattern-workspace path{stroke:var(--workspace);stroke-width:2}
        #pattern-workspace rect{fill:var(--bg)}
        footer{margin-top:30px;color:var(--muted);font-size:12px}
        @media print{:root{--bg:#fff;--fg:#000;--panel:#f2f2f2;--line:#bbb;--grid:#ddd;--allowed:#0072B2;
        --none:#e8e8e8;--logs:#0072B2;--empty:#56B4E9;--connections:#56B4E9;--glyph:#fff}
        body{font-size:11pt;print-color-adjust:exact;-webkit-print-color-adjust:exact}nav{display:none}
        main{max-width:none;padding:0}h2{break-after:avoid}.chart-box{overflow:visible}
        svg.chart{max-width:100%;height:auto}article.finding,figure{break-inside:avoid}
        a{color:inherit;text-decoration:none}}
        figure{margin:8px 0}figcaption{font-size:13px;color:var(--muted);margin-bottom:4px}
        """

    /// Sorts a table by a header's column when it is clicked (numbers by their `data-sort` value).
    static let script = """
        document.querySelectorAll("th[data-sortable]").forEach(function(th){
          th.title="Sort";th.addEventListener("click",function(){
            var table=th.closest("table"),body=table.tBodies[0],index=Array.prototype.indexOf.call(th.parentNode.children,th);
            var up=th.getAttribute("data-order")!=="up";th.setAttribute("data-order",up?"up":"down");
            var rows=Array.prototype.slice.call(body.rows);
            rows.sort(function(a,b){
              var x=a.cells[index],y=b.cells[index];
              var p=x.getAttribute("data-sort"),q=y.getAttribute("data-sort");
              var c=(p!==null&&q!==null)?(parseFloat(p)-parseFloat(q)):x.textContent.localeCompare(y.textContent);
              return up?c:-c;});
            rows.forEach(function(row){body.appendChild(row);});
          });
        });
        """
}
