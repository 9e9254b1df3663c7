// Inline stylesheet of the HTML report. Status is always shown as colour + icon +
// word, so the grid reads without colour vision and in print.

export const REPORT_STYLE = `
:root {
  --fg: #1f2328; --muted: #59636e; --line: #d1d9e0; --bg: #ffffff; --panel: #f6f8fa;
  --pass-bg: #dafbe1; --pass-fg: #116329; --pass-bd: #4ac26b;
  --fail-bg: #ffebe9; --fail-fg: #a40e26; --fail-bd: #ff8182;
  --xpass-bg: #fbefff; --xpass-fg: #8a2bb9; --xpass-bd: #d8b9ff;
  --infra-bg: #fff8c5; --infra-fg: #7d4e00; --infra-bd: #d4a72c;
  --xfail-bg: #ddf4ff; --xfail-fg: #0550ae; --xfail-bd: #80ccff;
  --skip-bg: #f6f8fa; --skip-fg: #59636e; --skip-bd: #d1d9e0;
  --flaky-bg: #fff1e5; --flaky-fg: #953800; --flaky-bd: #fb8f44;
  --boot: #5b8def; --loader: #e8912d; --other: #c4cbd4;
}
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 -apple-system, BlinkMacSystemFont, "Segoe UI", "Noto Sans", Helvetica, Arial, sans-serif; color: var(--fg); background: var(--bg); }
main { max-width: 1200px; margin: 0 auto; padding: 24px 28px 64px; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 17px; margin: 36px 0 12px; padding-bottom: 6px; border-bottom: 1px solid var(--line); }
code, pre, .mono { font-family: ui-monospace, SFMono-Regular, "SF Mono", Menlo, Consolas, "Liberation Mono", monospace; font-size: 12.5px; }
.meta { color: var(--muted); margin: 0 0 16px; }
.meta span + span::before { content: " · "; }
.verdict { display: flex; align-items: center; gap: 10px; padding: 12px 16px; border-radius: 8px; border: 1px solid; font-size: 16px; font-weight: 600; margin: 16px 0; }
.verdict.ok { background: var(--pass-bg); color: var(--pass-fg); border-color: var(--pass-bd); }
.verdict.bad { background: var(--fail-bg); color: var(--fail-fg); border-color: var(--fail-bd); }
.verdict.infra { background: var(--infra-bg); color: var(--infra-fg); border-color: var(--infra-bd); }
.verdict.unknown { background: var(--skip-bg); color: var(--skip-fg); border-color: var(--skip-bd); }
.counts { display: flex; flex-wrap: wrap; gap: 8px; margin: 8px 0 0; padding: 0; list-style: none; }
.count { display: flex; flex-direction: column; align-items: flex-start; min-width: 118px; padding: 8px 12px; border-radius: 8px; border: 1px solid var(--line); background: var(--panel); font: inherit; color: inherit; text-align: left; cursor: pointer; }
.count .n { font-size: 22px; font-weight: 650; line-height: 1.1; }
.count .l { font-size: 12.5px; }
.count.zero { opacity: .55; }
.count[aria-pressed="true"] { outline: 2px solid var(--fg); outline-offset: 1px; }
.count.total { cursor: default; background: var(--bg); }
.filters { display: none; flex-wrap: wrap; align-items: center; gap: 10px 16px; margin: 16px 0 0; padding: 10px 12px; background: var(--panel); border: 1px solid var(--line); border-radius: 8px; }
.js .filters { display: flex; }
.filters label { display: flex; align-items: center; gap: 6px; color: var(--muted); }
.filters select, .filters button { font: inherit; padding: 3px 6px; border: 1px solid var(--line); border-radius: 6px; background: var(--bg); color: var(--fg); }
.filters button { cursor: pointer; }
#pm-shown { margin-left: auto; color: var(--muted); }
table.grid { border-collapse: separate; border-spacing: 4px; margin: 0 -4px; }
.grid th { font-weight: 600; text-align: left; padding: 4px 8px; white-space: nowrap; }
.grid thead th { text-align: center; color: var(--muted); font-size: 12.5px; text-transform: uppercase; letter-spacing: .04em; }
.grid th.row { font-weight: 500; }
.grid th.row .k { font-weight: 600; }
.grid th.row .c { color: var(--muted); }
.grid th.row .v { font-size: 11.5px; padding: 0 5px; border-radius: 4px; background: var(--panel); border: 1px solid var(--line); color: var(--muted); }
.grid th.row .libc { color: var(--muted); font-size: 12px; margin-left: 6px; }
.grid tr.group th { padding-top: 10px; }
.grid td { padding: 0; min-width: 132px; }
.grid td a { display: block; padding: 6px 10px; border-radius: 6px; border: 1px solid; text-decoration: none; line-height: 1.25; }
.grid td a .w { font-weight: 650; }
.grid td a .t { display: block; font-size: 12px; opacity: .85; }
.grid td.empty { color: var(--muted); text-align: center; }
.grid td.dim a { opacity: .18; }
.grid td.target a, details.cell.target > summary { box-shadow: 0 0 0 2px var(--fg); }
.st-pass { background: var(--pass-bg); color: var(--pass-fg); border-color: var(--pass-bd) !important; }
.st-fail { background: var(--fail-bg); color: var(--fail-fg); border-color: var(--fail-bd) !important; }
.st-xpass { background: var(--xpass-bg); color: var(--xpass-fg); border-color: var(--xpass-bd) !important; }
.st-infra { background: var(--infra-bg); color: var(--infra-fg); border-color: var(--infra-bd) !important; }
.st-xfail { background: var(--xfail-bg); color: var(--xfail-fg); border-color: var(--xfail-bd) !important; }
.st-skip { background: var(--skip-bg); color: var(--skip-fg); border-color: var(--skip-bd) !important; }
.st-flaky { background: var(--flaky-bg); color: var(--flaky-fg); border-color: var(--flaky-bd) !important; }
.legend { color: var(--muted); font-size: 12.5px; margin: 8px 0 0; }
.legend span { margin-right: 14px; white-space: nowrap; }
.chart { width: 100%; max-width: 980px; height: auto; }
.chart text { font: 12px -apple-system, BlinkMacSystemFont, "Segoe UI", "Noto Sans", Helvetica, Arial, sans-serif; fill: var(--fg); }
.chart .arch { font-weight: 650; }
.chart .muted, .chart .axis { fill: var(--muted); }
.chart .in { fill: #fff; font-size: 11px; }
details.cell { border: 1px solid var(--line); border-radius: 8px; margin: 8px 0; scroll-margin-top: 12px; }
details.cell > summary { display: flex; align-items: baseline; gap: 10px; padding: 8px 12px; cursor: pointer; list-style: none; border-radius: 8px; }
details.cell > summary::-webkit-details-marker { display: none; }
details.test { border-left: 3px solid var(--line); margin: 6px 0 6px 4px; padding-left: 10px; }
details.test > summary { cursor: pointer; display: flex; gap: 10px; align-items: baseline; }
.tests-count { color: var(--muted); font-variant-numeric: tabular-nums; white-space: nowrap; }
table.cases { border-collapse: collapse; margin: 6px 0; }
table.cases td, table.cases th { border-bottom: 1px solid var(--line); padding: 2px 8px; text-align: left; vertical-align: top; }
table.cases pre { margin: 2px 0; }
table.kernels { border-collapse: collapse; margin: 6px 0 14px; }
table.kernels td, table.kernels th { border-bottom: 1px solid var(--line); padding: 2px 8px; text-align: left; vertical-align: top; }
table.kernels ul { margin: 0; padding-left: 1.2em; }
table.complexity { border-collapse: collapse; margin: 6px 0 14px; }
table.complexity td, table.complexity th { border-bottom: 1px solid var(--line); padding: 2px 8px; text-align: left; }
table.complexity td.insns { min-width: 110px; font-variant-numeric: tabular-nums; }
table.complexity td.none, table.complexity .muted { color: var(--muted); }
table.complexity .bar { display: block; height: 6px; background: var(--fg); opacity: .45; border-radius: 2px; }
details.cell > summary::before { content: "▸"; color: var(--muted); }
details.cell[open] > summary::before { content: "▾"; }
details.cell[open] > summary { border-bottom: 1px solid var(--line); border-radius: 8px 8px 0 0; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 999px; border: 1px solid; font-size: 12.5px; font-weight: 650; white-space: nowrap; }
summary .id { font-weight: 600; }
summary .why { color: var(--muted); overflow: hidden; text-overflow: ellipsis; white-space: nowrap; flex: 1; min-width: 0; }
summary .time { color: var(--muted); white-space: nowrap; }
.body { padding: 12px 16px 16px; }
.facts { display: grid; grid-template-columns: repeat(auto-fill, minmax(260px, 1fr)); gap: 2px 24px; margin: 0 0 12px; }
.facts div { display: flex; gap: 8px; min-width: 0; }
.facts dt { color: var(--muted); min-width: 110px; }
.facts dd { margin: 0; overflow-wrap: anywhere; }
.reason { margin: 0 0 12px; padding: 8px 12px; border-radius: 6px; border-left: 4px solid; }
h3 { font-size: 13px; margin: 14px 0 6px; color: var(--muted); text-transform: uppercase; letter-spacing: .04em; }
pre { margin: 0; padding: 10px 12px; background: var(--panel); border: 1px solid var(--line); border-radius: 6px; overflow: auto; max-height: 420px; white-space: pre-wrap; overflow-wrap: anywhere; }
pre.empty { color: var(--muted); font-style: italic; }
a { color: #0969da; }
footer { margin-top: 40px; color: var(--muted); font-size: 12px; }
@media print { .filters { display: none !important; } details.cell { break-inside: avoid; } }
`;
