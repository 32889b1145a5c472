import type { Command } from 'commander';
import type { Queue, QueueName, RunStateStore } from '../../shared/ports';
import { messageEnvelope } from '../../shared/messages/messageEnvelope';
import type { QueueStage } from '../../shared/runtime/consumeMessage';
import {
  QUEUE_STAGES,
  asQueueStage,
  commandOutput,
  describeDeadLetter,
  drainQueues,
  formatDuration,
  profileOperatorPorts,
  stageHandlers,
  stagesFrom,
  toJson,
  type DeadLetterView,
  type DrainResult,
  type OperatorCommandOptions,
  type OperatorLocation,
} from '../operations';
import { renderTable } from '../progress/summaryTable';
import { resolveConfigDir, resolveDataDir } from '../paths';
import { UserError } from '../UserError';

interface DlqOptions {
  stage?: string;
  dataDir?: string;
  config?: string;
  json?: boolean;
}

interface ReplayOptions extends DlqOptions {
  message: string[];
  drain?: boolean;
  maxReceiveCount: string;
  timeout: string;
}

const ERROR_WIDTH = 90;

/**
 * Adds `dif dlq list` and `dif dlq replay`. A replay moves dead letters back to their queue
 * (`Queue.redrive`: a re-enqueue locally, a message move task on SQS); the next `dif run`'s
 * workers deliver them, or `--drain` delivers them at once with the stage consumers. The loader's
 * ledger makes the delivery exactly-once, however often a message is replayed.
 *
 * @example
 * registerDlqCommands(program);
 * // dif dlq list --stage load
 * // dif dlq replay --stage load --message 5f0c… --drain
 */
export function registerDlqCommands(program: Command, options: OperatorCommandOptions = {}): Command {
  const ports = options.ports ?? profileOperatorPorts;
  const now = options.now ?? (() => new Date());
  const dlq = program
    .command('dlq')
    .description('Inspect and replay the dead-letter queues of the transform and load stages');

  dlq
    .command('list')
    .description('List dead letters: message id, run, item, error, receive count, age')
    .option('--stage <stage>', `only this stage's DLQ: ${QUEUE_STAGES.join(' | ')} (default: all)`)
    .option('--data-dir <dir>', 'data directory (default: $DIF_HOME or .dif)')
    .option('--json', 'print JSON')
    .action(async function (this: Command, opts: DlqOptions) {
      const out = commandOutput(this);
      const stages = opts.stage === undefined ? [...QUEUE_STAGES] : [stageOf(opts.stage)];
      const queues = await ports.openQueues(locationOf(opts));
      try {
        const letters: (DeadLetterView & { stage: QueueStage })[] = [];
        for (const stage of stages) {
          for (const letter of await queues[stage].listDeadLetters())
            letters.push({ stage, ...describeDeadLetter(letter, now()) });
        }
        if (opts.json) return out(toJson(letters));
        if (letters.length === 0)
          return out(`no dead letters in the ${stages.join(' and ')} DLQ${stages.length > 1 ? 's' : ''}`);
        out(renderLetters(letters));
        out(
          `\n${letters.length} dead letter(s). Fix the cause, then: dif dlq replay --stage <stage> [--message <id>] [--drain]`,
        );
      } finally {
        await queues.close();
      }
    });

  dlq
    .command('replay')
    .description(
      'Move dead letters back to their queue (all, or --message ids); --drain delivers them now. Exits 1 if a message is not in the DLQ or fails again',
    )
    .requiredOption('--stage <stage>', `the stage whose DLQ to replay: ${QUEUE_STAGES.join(' | ')}`)
    .option('--message <id>', 'replay only this message (repeatable)', collect, [] as string[])
    .option('--drain', 'run the stage consumers (and those of later stages) until their queues are empty')
    .option('--max-receive-count <n>', 'with --drain: deliveries before a message goes back to the DLQ', '5')
    .option('--timeout <seconds>', 'with --drain: stop waiting after this long', '300')
    .option('--config <dir>', 'with --drain: folder holding sources/ and clients/ (default: the project folder)')
    .option('--data-dir <dir>', 'data directory (default: $DIF_HOME or .dif)')
    .option('--json', 'print JSON')
    .action(async function (this: Command, opts: ReplayOptions) {
      const out = commandOutput(this);
      const stage = stageOf(opts.stage!);
      const maxReceiveCount = wholeNumber(opts.maxReceiveCount, '--max-receive-count');
      const timeoutMs = wholeNumber(opts.timeout, '--timeout') * 1000;
      const location = locationOf(opts);
      // Draining needs the whole service context; opened first so the queues are the ones it drains.
      const context = opts.drain ? await ports.openStageContext(location, { maxReceiveCount }) : undefined;
      const queues = context ? undefined : await ports.openQueues(location);
      const queueOf = (name: QueueName): Queue => (context ? context.ctx.ports.queues[name] : queues![name]);
      try {
        // Which items the replay concerns, to tell afterwards how many were superseded.
        const replayed = context ? await replayedItems(queueOf(stage), opts.message) : [];
        const moved = await redrive(queueOf(stage), stage, opts.message);
        let drain: DrainResult | undefined;
        let superseded = 0;
        if (context) {
          const stages = await Promise.all(
            stagesFrom(stage).map(async (name) => ({
              stage: name,
              queue: queueOf(name),
              handler: await stageHandlers[name](),
            })),
          );
          drain = await drainQueues(context.ctx, stages, { maxReceiveCount, timeoutMs });
          superseded = await countSuperseded(context.ctx.ports.runState, replayed);
        }
        if (opts.json) out(toJson({ stage, moved, ...(drain ? { drain, superseded } : {}) }));
        else out(describeReplay(stage, moved, drain, superseded));
        const failedAgain = drain
          ? Object.values(drain.stages).reduce((sum, figures) => sum + figures.newlyDead, 0)
          : 0;
        if (drain && !drain.drained)
          throw new UserError(
            `the queues were not empty after ${opts.timeout} s; messages still waiting: ${describeLeft(drain)}. Run the replay with --drain again, or \`dif run\``,
          );
        if (failedAgain > 0)
          throw new UserError(
            `${failedAgain} message(s) failed again and are back in a DLQ; see why with \`dif dlq list\``,
          );
      } finally {
        await context?.close();
        await queues?.close();
      }
    });

  return dlq;
}

/** Redrives the given ids (checking each is a dead letter) or every dead letter of the stage. */
async function redrive(queue: Queue, stage: QueueStage, ids: string[]): Promise<number> {
  if (ids.length === 0) return queue.redrive();
  const dead = new Set((await queue.listDeadLetters()).map((letter) => letter.id));
  const missing = ids.filter((id) => !dead.has(id));
  if (missing.length > 0) {
    throw new UserError(
      `message(s) ${missing.join(', ')} not in the ${stage} dead-letter queue (already replayed, or another stage's?); list them with \`dif dlq list --stage ${stage}\``,
    );
  }
  return queue.redrive(ids);
}

/** The run/item of each dead letter a replay moves (all, or the given ids). */
async function replayedItems(queue: Queue, ids: string[]): Promise<{ runId: string; itemId: string }[]> {
  const wanted = new Set(ids);
  return (await queue.listDeadLetters())
    .filter((letter) => wanted.size === 0 || wanted.has(letter.id))
    .map((letter) => messageEnvelope(letter.body))
    .flatMap(({ runId, itemId }) => (runId && itemId ? [{ runId, itemId }] : []));
}

/** How many of the replayed items the loader skipped because newer data of their partition was already loaded. */
async function countSuperseded(runState: RunStateStore, items: { runId: string; itemId: string }[]): Promise<number> {
  let count = 0;
  for (const { runId, itemId } of items) {
    if ((await runState.getItem(runId, itemId))?.stage === 'superseded') count += 1;
  }
  return count;
}

function describeReplay(stage: QueueStage, moved: number, drain: DrainResult | undefined, superseded = 0): string {
  const lines = [`moved ${moved} message(s) from the ${stage} dead-letter queue back to the ${stage} queue`];
  if (!drain) {
    lines.push(
      `they are delivered by the next \`dif run\` (on AWS: by the deployed functions), or locally now with \`dif dlq replay --stage ${stage} --drain\``,
    );
    return lines.join('\n');
  }
  lines.push(
    `drained ${Object.keys(drain.stages).join(' → ')} in ${formatDuration(drain.durationMs)}: ${drain.drained ? 'queues empty' : 'NOT empty'}`,
  );
  for (const [name, figures] of Object.entries(drain.stages)) {
    if (figures.newlyDead > 0 || figures.left > 0)
      lines.push(`  ${name}: ${figures.newlyDead} back in the DLQ, ${figures.left} still waiting`);
  }
  if (superseded > 0)
    lines.push(
      `  ${superseded} superseded: a newer extraction of the same partition was already loaded, so the old batch was skipped (see \`dif runs show\`)`,
    );
  return lines.join('\n');
}

function describeLeft(drain: DrainResult): string {
  return Object.entries(drain.stages)
    .map(([name, figures]) => `${name} ${figures.left}`)
    .join(', ');
}

function renderLetters(letters: (DeadLetterView & { stage: QueueStage })[]): string {
  return renderTable(
    ['STAGE', 'MESSAGE', 'RUN', 'ITEM', 'RECEIVES', 'AGE', 'ERROR'],
    letters.map((letter) => [
      letter.stage,
      letter.messageId,
      letter.runId ?? '-',
      letter.label ?? letter.itemId ?? '-',
      letter.receiveCount,
      formatDuration(letter.ageMs),
      oneLine(letter.error ?? '-'),
    ]),
  );
}

function stageOf(value: string): QueueStage {
  const stage = asQueueStage(value);
  if (!stage) throw new UserError(`--stage must be one of ${QUEUE_STAGES.join(', ')}, got "${value}"`);
  return stage;
}

function locationOf(opts: DlqOptions): OperatorLocation {
  return { dataDir: resolveDataDir(opts.dataDir), configDir: resolveConfigDir(opts.config) };
}

function wholeNumber(value: string, option: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1)
    throw new UserError(`${option} must be a whole number of at least 1, got "${value}"`);
  return number;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > ERROR_WIDTH ? `${flat.slice(0, ERROR_WIDTH - 1)}…` : flat;
}
