/**
 * The local runtime handles several queue messages at once in one process. Each log line must
 * carry the run and item of the message it was written for, not those of whichever message
 * started last (the keys were process-wide: a loader line showed another item's id and stage).
 */
import { PassThrough } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { logger, redirectLogs, withLogKeys } from '../../../shared/log';
import { consumeMessage } from '../../../shared/runtime/consumeMessage';
import type { ServiceContext } from '../../../shared/runtime/ServiceContext';

function captureLogs(): { lines: () => Record<string, unknown>[]; restore: () => void } {
  const stream = new PassThrough();
  const chunks: string[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk.toString()));
  redirectLogs(stream);
  return {
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>),
    restore: () => redirectLogs(process.stdout),
  };
}

let restore: (() => void) | undefined;
afterEach(() => restore?.());

describe('log keys of concurrent messages', () => {
  it('each line of a message carries its own runId, itemId and stage while others run at once', async () => {
    const capture = captureLogs();
    restore = capture.restore;
    const handle = (ms: number) => async () => {
      logger.info('started');
      await sleep(ms);
      logger.info('finished');
    };
    const ctx = {} as ServiceContext; // the handlers here use no port
    const delivery = (itemId: string) => ({
      id: itemId,
      body: JSON.stringify({ runId: 'r1', itemId }),
      receiveCount: 1,
    });
    await Promise.all([
      consumeMessage(ctx, 'transform', delivery('slow'), handle(60), { maxReceiveCount: 5 }),
      sleep(10).then(() => consumeMessage(ctx, 'load', delivery('fast'), handle(10), { maxReceiveCount: 5 })),
    ]);
    const lines = capture.lines().filter((line) => line.message === 'started' || line.message === 'finished');
    expect(lines).toHaveLength(4);
    for (const line of lines) expect(line.stage).toBe(line.itemId === 'slow' ? 'transform' : 'load');
    expect(lines.filter((line) => line.itemId === 'slow').map((line) => line.message)).toEqual(['started', 'finished']);
    logger.info('after');
    expect(capture.lines().at(-1)).not.toHaveProperty('itemId');
  });

  it('withLogKeys nests: inner keys add to outer ones and end with their scope', async () => {
    const capture = captureLogs();
    restore = capture.restore;
    await withLogKeys({ runId: 'r2' }, async () => {
      await withLogKeys({ itemId: 'i2' }, async () => logger.info('inner'));
      logger.info('outer');
    });
    const [inner, outer] = capture.lines().filter((line) => line.message === 'inner' || line.message === 'outer');
    expect(inner).toMatchObject({ runId: 'r2', itemId: 'i2' });
    expect(outer).toMatchObject({ runId: 'r2' });
    expect(outer).not.toHaveProperty('itemId');
  });
});
