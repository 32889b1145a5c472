import type { ItemStage, RunStateStore } from '../../shared/ports';
import { isTerminal } from '../../shared/runState/itemStages';
import { tallyItems } from '../../shared/runState';
import { formatBytes, formatCount } from './formatFigures';

/**
 * Live progress of a run on stderr, read from run state (the same figures `dif runs show`
 * prints): a redrawn bar on a terminal, a line every few seconds otherwise (CI logs).
 */
export class RunProgress {
  private timer?: NodeJS.Timeout;
  private lastLine = '';
  private lastPrinted = 0;

  constructor(
    private readonly runState: RunStateStore,
    private readonly runId: string,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {}

  start(intervalMs = 250): void {
    this.timer = setInterval(() => void this.render(), intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.render(true);
    if (this.stream.isTTY) this.stream.write('\n');
  }

  private async render(final = false): Promise<void> {
    const totals = tallyItems(await this.runState.listItems(this.runId));
    if (totals.items === 0) return;
    const done = Object.entries(totals.byStage)
      .filter(([stage]) => isTerminal(stage as ItemStage))
      .reduce((sum, [, count]) => sum + (count ?? 0), 0);
    const width = 24;
    const filled = Math.round((done / totals.items) * width);
    const bar = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
    const line =
      `${bar} items ${done}/${totals.items}` +
      `${totals.byStage.failed ? ` (${totals.byStage.failed} failed)` : ''}` +
      ` · pages ${formatCount(totals.pages)} · records ${formatCount(totals.recordsOut)}` +
      ` · rows ${formatCount(totals.rowsLoaded)} · ${formatBytes(totals.rawBytes)}`;
    if (this.stream.isTTY) {
      this.stream.write(`\r${line.padEnd(this.lastLine.length)}`);
    } else if (final || (line !== this.lastLine && Date.now() - this.lastPrinted > 2000)) {
      this.stream.write(`${line}\n`);
      this.lastPrinted = Date.now();
    }
    this.lastLine = line;
  }
}
