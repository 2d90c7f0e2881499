// The report's stylesheet and its only script. The script reads nothing from the data but the
// DOM: it sorts tables when a header is clicked and highlights one configuration in every plot
// while its leaderboard row or legend entry is hovered.
#include "report/html_internal.h"

namespace rankme::report::html {

const char* const kStyle = R"CSS(
:root{--fg:#1f2328;--muted:#59636e;--line:#d1d9e0;--bg:#ffffff;--soft:#f6f8fa;--accent:#0072B2}
*{box-sizing:border-box}
body{margin:0;color:var(--fg);background:var(--bg);font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,"Noto Sans",sans-serif}
main{max-width:1280px;margin:0 auto;padding:24px 28px 48px}
h1{font-size:24px;margin:0 0 4px;font-weight:650}
h2{font-size:18px;margin:36px 0 8px;padding-bottom:6px;border-bottom:1px solid var(--line);font-weight:620}
h3{font-size:15px;margin:16px 0 6px;font-weight:600}
p{margin:6px 0}
.sub,.hint{color:var(--muted)}
.hint{font-size:13px}
nav{display:flex;flex-wrap:wrap;gap:4px 16px;margin:12px 0 0;font-size:13px}
nav a{color:var(--accent);text-decoration:none}
nav a:hover{text-decoration:underline}
.pick{margin:16px 0 4px;padding:14px 18px;border:1px solid #b6d4ea;border-left:5px solid var(--accent);background:#f1f7fc;border-radius:6px}
.pick .what{font-size:17px;font-weight:600}
.pick .why{color:var(--muted);margin-top:2px}
.pick.warn{border-color:#f0c9a8;border-left-color:#D55E00;background:#fdf6f0}
code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace;font-size:12.5px}
.tablewrap{overflow-x:auto;border:1px solid var(--line);border-radius:6px}
.tablewrap.tall{max-height:min(620px,75vh);overflow-y:auto}
table{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums}
th,td{padding:6px 10px;text-align:left;border-bottom:1px solid var(--line);vertical-align:top}
tbody tr:last-child td{border-bottom:none}
th{background:var(--soft);font-weight:600;white-space:nowrap;position:sticky;top:0}
table.sortable th{cursor:pointer;user-select:none}
table.sortable th:hover{background:#eaeef2}
table.sortable th::after{content:" \2195";color:#9aa4ae;font-weight:400}
table.sortable th[aria-sort=ascending]::after{content:" \2191";color:var(--fg)}
table.sortable th[aria-sort=descending]::after{content:" \2193";color:var(--fg)}
td.num,th.num{text-align:right}
td.score{font-weight:600;white-space:nowrap}
td.seeds{color:var(--muted);font-size:12.5px}
tbody tr:hover,tbody tr.on{background:#fff8e1}
tr.best td{background:#f1f7fc}
.flag{display:inline-block;padding:0 7px;margin:1px 3px 1px 0;border-radius:10px;font-size:12px;background:#fdebd8;color:#8a3a00;border:1px solid #f3c9a0}
.flag.failed,.flag.diverged{background:#fbe3e4;color:#8c1d24;border-color:#f1b5b9}
.flag.incomplete,.flag.mixed{background:#eef1f4;color:#3d4650;border-color:#d1d9e0}
.swatch{display:inline-block;width:12px;height:12px;border-radius:3px;margin-right:6px;vertical-align:-1px}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(460px,1fr));gap:16px}
.grid.wide{grid-template-columns:repeat(auto-fill,minmax(460px,1fr))}
figure{margin:0;border:1px solid var(--line);border-radius:6px;padding:8px 8px 4px;background:#fff;min-width:0}
figcaption{font-size:12.5px;color:var(--muted);padding:2px 6px 4px}
svg.plot{display:block;width:100%;height:auto;font-size:11px;fill:#3d4650}
svg.plot text{font-family:inherit}
svg.plot .ptitle{font-size:13px;font-weight:600;fill:var(--fg)}
svg.plot .alabel{font-size:12px;fill:#3d4650}
svg.plot .note{font-size:12px;fill:var(--fg)}
svg.plot .nodata{font-size:13px;fill:#9aa4ae}
svg.plot .grid{stroke:#e8ecf0;stroke-width:1;fill:none}
svg.plot .frame{stroke:#8c959f;stroke-width:1;fill:none}
svg.plot g.series{transition:opacity .12s}
body.focus svg.plot g.series{opacity:.1}
body.focus svg.plot g.series.on{opacity:1}
.legend{list-style:none;margin:8px 2px 0;padding:0;display:flex;flex-wrap:wrap;gap:2px 14px;font-size:12.5px}
.legend li{cursor:default;overflow-wrap:anywhere}
.legend li.others{color:var(--muted)}
dl.settings{display:grid;grid-template-columns:max-content 1fr;gap:4px 18px;margin:8px 0}
dl.settings dt{color:var(--muted)}
dl.settings dd{margin:0;word-break:break-all}
ul.notes{margin:6px 0;padding-left:20px;color:var(--muted)}
.stat{display:inline-block;margin-right:22px}
.stat b{font-size:16px}
details.runs{margin-top:10px}
details.runs summary{cursor:pointer;color:var(--accent);margin-bottom:6px}
td.run,#problems td{overflow-wrap:anywhere}
footer{margin-top:40px;color:var(--muted);font-size:12px}
@media (max-width:700px){main{padding:16px 12px}.grid,.grid.wide{grid-template-columns:1fr}}
)CSS";

const char* const kScript = R"JS(
(function () {
  'use strict';
  function cellKey(cell, numeric) {
    var v = cell.hasAttribute('data-v') ? cell.getAttribute('data-v') : cell.textContent.trim();
    if (!numeric) return v.toLowerCase();
    var f = parseFloat(v);
    return isNaN(f) ? null : f;
  }
  function sortBy(table, th, col) {
    var numeric = th.getAttribute('data-type') === 'num';
    var dir = th.getAttribute('aria-sort') === 'ascending' ? -1 : 1;
    var heads = table.tHead.rows[0].cells;
    for (var i = 0; i < heads.length; i++) heads[i].removeAttribute('aria-sort');
    th.setAttribute('aria-sort', dir === 1 ? 'ascending' : 'descending');
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows).map(function (row, index) {
      return {row: row, key: cellKey(row.cells[col], numeric), index: index};
    });
    rows.sort(function (a, b) {
      if (a.key === null || b.key === null) {
        return a.key === b.key ? a.index - b.index : (a.key === null ? 1 : -1);
      }
      if (a.key < b.key) return -dir;
      if (a.key > b.key) return dir;
      return a.index - b.index;
    });
    rows.forEach(function (r) { body.appendChild(r.row); });
  }
  Array.prototype.forEach.call(document.querySelectorAll('table.sortable'), function (table) {
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, col) {
      th.tabIndex = 0;
      th.addEventListener('click', function () { sortBy(table, th, col); });
      th.addEventListener('keydown', function (e) {
        if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); sortBy(table, th, col); }
      });
    });
  });
  var marked = [];
  function focus(id) {
    marked.forEach(function (el) { el.classList.remove('on'); });
    marked = [];
    document.body.classList.toggle('focus', id !== null);
    if (id === null) return;
    Array.prototype.forEach.call(document.querySelectorAll('[data-config]'), function (el) {
      if (el.getAttribute('data-config') === id) { el.classList.add('on'); marked.push(el); }
    });
  }
  Array.prototype.forEach.call(
    document.querySelectorAll('tr[data-config], .legend li[data-config]'), function (el) {
      el.addEventListener('mouseenter', function () { focus(el.getAttribute('data-config')); });
      el.addEventListener('mouseleave', function () { focus(null); });
    });
})();
)JS";

const char* const kScriptSha256 = "n3zdnx65Sio16jwQjcI9w59jv4vlHaPP8nk8L5H/m1E=";

}  // namespace rankme::report::html
