import type { ItemRecord, ItemStage, RunRecord } from '../../shared/ports';
import { formatDuration } from '../operations/formatDuration';
import { itemLabel } from '../../shared/runState';
import { escapeHtml } from './escapeHtml';
import { STAGE_ORDER, STAGE_STYLES, isTerminal } from './stageStyle';

const LABEL_WIDTH = 300;
const CHART_WIDTH = 660;
const ROW_HEIGHT = 24;
const BAR_HEIGHT = 14;
const AXIS_HEIGHT = 26;
const TICKS = 6;
/** Longest label drawn in full (about what fits the label column); the tooltip always has all of it. */
const LABEL_CHARS = 40;

interface StageSpan {
  stage: ItemStage;
  start: number;
  end: number;
}

/**
 * A Gantt-style SVG of a run: one bar (`<g class="bar">`) per item, split into one segment per
 * stage from `item.stageTimes`, on a shared time axis from the run's start. Items still running
 * extend to `now`; the end of a loaded or failed item is marked.
 *
 * @example
 * const svg = renderTimeline(run, items, new Date());
 */
export function renderTimeline(run: RunRecord, items: ItemRecord[], now: Date): string {
  const spans = new Map(
    items.map((item) => [item, stageSpans(item, run.finishedAt ? Date.parse(run.finishedAt) : now.getTime())]),
  );
  const times = [...spans.values()].flat().flatMap((span) => [span.start, span.end]);
  const t0 = Math.min(Date.parse(run.startedAt), ...times);
  const t1 = Math.max(t0 + 1, run.finishedAt ? Date.parse(run.finishedAt) : now.getTime(), ...times);
  const x = (time: number) => LABEL_WIDTH + ((time - t0) / (t1 - t0)) * CHART_WIDTH;
  const ordered = [...items].sort(
    (a, b) =>
      (spans.get(a)![0]?.start ?? Infinity) - (spans.get(b)![0]?.start ?? Infinity) ||
      itemLabel(a).localeCompare(itemLabel(b)),
  );
  const height = AXIS_HEIGHT + ordered.length * ROW_HEIGHT + 8;
  const rows = ordered.map((item, index) => renderBar(item, spans.get(item)!, AXIS_HEIGHT + index * ROW_HEIGHT, x, t0));
  return [
    `<svg class="timeline" xmlns="http://www.w3.org/2000/svg" width="${LABEL_WIDTH + CHART_WIDTH + 20}" height="${height}" viewBox="0 0 ${LABEL_WIDTH + CHART_WIDTH + 20} ${height}" role="img" aria-label="Timeline of ${ordered.length} items">`,
    renderAxis(t0, t1, x, height),
    ...rows,
    '</svg>',
  ].join('\n');
}

/** Consecutive spans between the recorded stage transitions, ordered by time. */
function stageSpans(item: ItemRecord, runEnd: number): StageSpan[] {
  const points = Object.entries(item.stageTimes)
    .map(([stage, time]) => ({ stage: stage as ItemStage, time: Date.parse(time ?? '') }))
    .filter((point) => Number.isFinite(point.time))
    .sort((a, b) => a.time - b.time || STAGE_ORDER.indexOf(a.stage) - STAGE_ORDER.indexOf(b.stage));
  return points.map((point, index) => {
    const next = points[index + 1];
    const end = next ? next.time : isTerminal(point.stage) ? point.time : Math.max(point.time, runEnd);
    return { stage: point.stage, start: point.time, end };
  });
}

function renderBar(item: ItemRecord, spans: StageSpan[], top: number, x: (time: number) => number, t0: number): string {
  const label = itemLabel(item);
  const shown = shorten(label);
  const y = top + (ROW_HEIGHT - BAR_HEIGHT) / 2;
  const segments = spans
    .filter((span) => !isTerminal(span.stage))
    .map((span) => {
      const left = x(span.start);
      const width = Math.max(1.5, x(span.end) - left);
      const tip = `${label} — ${STAGE_STYLES[span.stage].meaning} ${formatDuration(span.end - span.start)} (from +${formatDuration(span.start - t0)})`;
      return `<rect class="segment stage-${span.stage}" x="${left.toFixed(1)}" y="${y}" width="${width.toFixed(1)}" height="${BAR_HEIGHT}" fill="${STAGE_STYLES[span.stage].colour}"><title>${escapeHtml(tip)}</title></rect>`;
    });
  const last = spans.at(-1);
  const end = last && isTerminal(last.stage) ? renderEndMarker(last, x(last.start), y) : '';
  const empty =
    spans.length === 0
      ? `<rect class="segment no-times" x="${LABEL_WIDTH}" y="${y}" width="${CHART_WIDTH}" height="${BAR_HEIGHT}" fill="none" stroke="#94a3b8" stroke-dasharray="4 3"><title>no stage times recorded</title></rect>`
      : '';
  return [
    `<g class="bar" data-item-id="${escapeHtml(item.itemId)}" data-stage="${escapeHtml(item.stage)}">`,
    `<title>${escapeHtml(`${label}: ${item.stage}${item.error ? ` — ${item.error}` : ''}`)}</title>`,
    `<rect class="row-band" x="0" y="${top}" width="${LABEL_WIDTH + CHART_WIDTH + 20}" height="${ROW_HEIGHT}" />`,
    `<text class="label${item.stage === 'failed' ? ' failed' : ''}" x="${LABEL_WIDTH - 8}" y="${top + ROW_HEIGHT / 2 + 4}" text-anchor="end">${escapeHtml(shown)}</text>`,
    ...segments,
    empty,
    end,
    '</g>',
  ].join('');
}

/** Cuts the middle of a long label: its start names the client, its end the partition. */
function shorten(label: string): string {
  if (label.length <= LABEL_CHARS) return label;
  const head = Math.floor((LABEL_CHARS - 1) * 0.4);
  return `${label.slice(0, head)}…${label.slice(label.length - (LABEL_CHARS - 1 - head))}`;
}

function renderEndMarker(span: StageSpan, left: number, y: number): string {
  const mid = y + BAR_HEIGHT / 2;
  if (span.stage === 'failed') {
    const r = BAR_HEIGHT / 2 - 1;
    return `<path class="end end-failed" d="M${(left - r).toFixed(1)} ${mid - r}L${(left + r).toFixed(1)} ${mid + r}M${(left - r).toFixed(1)} ${mid + r}L${(left + r).toFixed(1)} ${mid - r}" stroke="${STAGE_STYLES.failed.colour}" stroke-width="3" />`;
  }
  return `<circle class="end end-loaded" cx="${left.toFixed(1)}" cy="${mid}" r="${BAR_HEIGHT / 2 - 2}" fill="${STAGE_STYLES.loaded.colour}" />`;
}

function renderAxis(t0: number, t1: number, x: (time: number) => number, height: number): string {
  const ticks = Array.from({ length: TICKS }, (_, index) => t0 + ((t1 - t0) * index) / (TICKS - 1));
  return ticks
    .map((time) => {
      const left = x(time).toFixed(1);
      return `<line class="tick" x1="${left}" y1="${AXIS_HEIGHT - 6}" x2="${left}" y2="${height}" /><text class="tick-label" x="${left}" y="${AXIS_HEIGHT - 10}" text-anchor="middle">+${escapeHtml(formatDuration(time - t0))}</text>`;
    })
    .join('\n');
}
