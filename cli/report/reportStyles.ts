/** The report's whole stylesheet, inlined: the page loads nothing from anywhere. */
export const REPORT_STYLES = `
:root { color-scheme: light; --ink: #0f172a; --muted: #64748b; --line: #e2e8f0; --band: #f8fafc; }
* { box-sizing: border-box; }
body { margin: 0; padding: 24px 32px 48px; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: #fff; }
h1 { font-size: 20px; margin: 0 0 4px; }
h2 { font-size: 16px; margin: 28px 0 8px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
.meta { color: var(--muted); margin: 0 0 16px; }
.meta code { color: var(--ink); }
.status { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px; font-weight: 600; vertical-align: middle; margin-left: 8px; }
.status-succeeded { background: #dcfce7; color: #166534; }
.status-failed { background: #fee2e2; color: #991b1b; }
.status-running { background: #dbeafe; color: #1e40af; }
.status-abandoned { background: #fef3c7; color: #92400e; }
.tiles { display: flex; flex-wrap: wrap; gap: 10px; }
.tile { border: 1px solid var(--line); border-radius: 8px; padding: 8px 14px; min-width: 110px; }
.tile b { display: block; font-size: 18px; }
.tile span { color: var(--muted); font-size: 12px; }
.tile.bad b { color: #b91c1c; }
.legend { display: flex; flex-wrap: wrap; gap: 14px; margin: 6px 0 10px; color: var(--muted); font-size: 12px; }
.legend i { display: inline-block; width: 12px; height: 12px; border-radius: 2px; margin-right: 5px; vertical-align: -2px; }
.timeline-wrap { overflow-x: auto; border: 1px solid var(--line); border-radius: 8px; padding: 4px 0; }
svg.timeline { display: block; font: 12px system-ui, sans-serif; }
svg.timeline .row-band { fill: transparent; }
svg.timeline .bar:nth-of-type(even) .row-band { fill: var(--band); }
svg.timeline .label { fill: var(--ink); }
svg.timeline .label.failed { fill: #b91c1c; }
svg.timeline .tick { stroke: var(--line); }
svg.timeline .tick-label { fill: var(--muted); font-size: 11px; }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
th, td { text-align: left; padding: 5px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { color: var(--muted); font-weight: 600; font-size: 12px; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.failed td:first-child { border-left: 3px solid #dc2626; }
.error-code { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12px; color: #991b1b; }
.cause { white-space: pre-wrap; word-break: break-word; margin: 4px 0 0; font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12px; background: #fef2f2; border-radius: 4px; padding: 6px 8px; }
.recovered { color: #166534; font-weight: 600; }
.was-recovered .cause { background: #f1f5f9; }
.error { margin-bottom: 12px; }
.none { color: var(--muted); }
footer { margin-top: 32px; color: var(--muted); font-size: 12px; }
`;
