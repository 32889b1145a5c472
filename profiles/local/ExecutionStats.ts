/** An event of aws-local-stepfunctions' event log, as far as the figures below read it. */
interface LoggedEvent {
  type: string;
  state?: { name: string; input?: unknown; output?: unknown };
}

/**
 * Figures a local execution is measured by (bench:scale, tests): the history events of the parent
 * execution, the child executions its Distributed Maps started, and the largest state input or
 * output anywhere (Step Functions refuses any above 256 KiB). Reading every event costs a
 * JSON.stringify per state, so a run collects them only when asked.
 *
 * @example
 * const stats = new ExecutionStats();
 * await runIngest(ctx, workflow, handlers, input, { stats });
 * stats.parentEvents; // the same for 10 or 10,000 items
 */
export class ExecutionStats {
  /** Events in the parent execution's history, as the local runtime logs them. */
  parentEvents = 0;
  childExecutions = 0;
  /** Events in every child execution's history together. */
  childEvents = 0;
  largestPayloadBytes = 0;
  /** `{execution}: {state} {input|output}` of the largest payload. */
  largestPayloadAt = '';

  /** Reads one execution's event log to its end (it ends when the execution does). */
  async watch(events: AsyncIterable<LoggedEvent>, scope: 'parent' | 'child'): Promise<void> {
    for await (const event of events) {
      if (scope === 'parent') this.parentEvents++;
      else this.childEvents++;
      if (event.type === 'StateEntered') this.measure(event.state?.input, scope, event.state?.name, 'input');
      else if (event.type === 'StateExited') this.measure(event.state?.output, scope, event.state?.name, 'output');
    }
  }

  private measure(payload: unknown, scope: string, state = '?', which: string): void {
    const bytes = payload === undefined ? 0 : Buffer.byteLength(JSON.stringify(payload));
    if (bytes <= this.largestPayloadBytes) return;
    this.largestPayloadBytes = bytes;
    this.largestPayloadAt = `${scope}: ${state} ${which}`;
  }

  toJSON(): Record<string, number | string> {
    return {
      parentEvents: this.parentEvents,
      childExecutions: this.childExecutions,
      childEvents: this.childEvents,
      largestPayloadBytes: this.largestPayloadBytes,
      largestPayloadAt: this.largestPayloadAt,
    };
  }
}
