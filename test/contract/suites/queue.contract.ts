import { describe, expect, it } from 'vitest';
import type { Queue, ReceivedMessage, ReceiveOptions } from '../../../shared/ports/Queue';
import { eventually, sleep } from './timing';
import { withFixture } from './withFixture';

export interface QueueFixtureOptions {
  /** Receives after which a message goes to the DLQ instead of being delivered again. */
  maxReceiveCount: number;
}

export interface QueueFixture {
  /** An empty queue with an empty DLQ. */
  queue: Queue;
  cleanup(): Promise<void>;
}

/** Receives until `count` messages arrived (an adapter may return fewer per call than asked). */
async function receiveMany(queue: Queue, count: number, options: ReceiveOptions = {}): Promise<ReceivedMessage[]> {
  const got: ReceivedMessage[] = [];
  const deadline = Date.now() + 3_000;
  while (got.length < count && Date.now() < deadline) {
    got.push(...(await queue.receive({ maxMessages: count - got.length, waitSeconds: 1, ...options })));
  }
  return got;
}

export interface QueueContractOptions {
  /** Behaviours the backing service (an emulator) lacks, each with the reason shown in the test name. */
  unsupported?: { redriveAll?: string };
}

/** Sends `bodies` to a queue with maxReceiveCount 1 and lets each die once; returns their ids. */
async function deadLetters(queue: Queue, bodies: string[]): Promise<string[]> {
  const ids = await Promise.all(bodies.map((body) => queue.send(body)));
  for (const message of await receiveMany(queue, bodies.length)) await queue.release(message.receiptHandle);
  expect(await queue.receive({ waitSeconds: 1 })).toEqual([]);
  const dead = await eventually(
    () => queue.listDeadLetters(),
    (letters) => letters.length === bodies.length,
  );
  expect(dead.map((letter) => letter.id).sort()).toEqual([...ids].sort());
  return ids;
}

/**
 * The {@link Queue} contract: delivery, acknowledgement, visibility timeout, release with delay,
 * dead-lettering after `maxReceiveCount` receives, and redrive. Tests that must let time pass use
 * one-second timeouts and run concurrently, each on its own queue from `factory`.
 */
export function describeQueueContract(
  adapterName: string,
  factory: (options: QueueFixtureOptions) => Promise<QueueFixture>,
  options: QueueContractOptions = {},
): void {
  const queueTest = (options: QueueFixtureOptions, test: (queue: Queue) => Promise<void>) => () =>
    withFixture(
      () => factory(options),
      (fixture) => test(fixture.queue),
    );

  describe(`Queue contract: ${adapterName}`, () => {
    it.concurrent(
      'delivers a sent message once, then forgets it when acknowledged',
      queueTest({ maxReceiveCount: 5 }, async (queue) => {
        const before = Date.now();
        const id = await queue.send('{"hello":"world"}');
        const [message, ...rest] = await receiveMany(queue, 1, { visibilityTimeoutSeconds: 30 });
        expect(rest).toEqual([]);
        expect(message).toMatchObject({ id, body: '{"hello":"world"}', receiveCount: 1 });
        expect(message?.sentAt).toBeInstanceOf(Date);
        expect(Math.abs((message?.sentAt.getTime() ?? 0) - before)).toBeLessThan(5_000);

        expect(await queue.receive({ waitSeconds: 0 })).toEqual([]);
        expect(await queue.depth()).toMatchObject({ visible: 0, inFlight: 1, dead: 0 });

        await queue.ack(message!.receiptHandle);
        // Acknowledging twice is harmless.
        await queue.ack(message!.receiptHandle);
        expect(
          await eventually(
            () => queue.depth(),
            (depth) => depth.inFlight === 0,
          ),
        ).toEqual({ visible: 0, inFlight: 0, dead: 0 });
        expect(await queue.receive({ waitSeconds: 0 })).toEqual([]);
      }),
    );

    it.concurrent(
      'hands out several messages, each to one receiver',
      queueTest({ maxReceiveCount: 5 }, async (queue) => {
        const ids = await Promise.all(['a', 'b', 'c'].map((body) => queue.send(body)));
        expect(
          await eventually(
            () => queue.depth(),
            (depth) => depth.visible === 3,
          ),
        ).toMatchObject({ visible: 3, inFlight: 0 });
        const [first, second] = await Promise.all([receiveMany(queue, 2), receiveMany(queue, 1)]);
        const received = [...first, ...second];
        expect(received.map((message) => message.id).sort()).toEqual([...ids].sort());
        expect(received.map((message) => message.body).sort()).toEqual(['a', 'b', 'c']);
        expect(new Set(received.map((message) => message.receiptHandle)).size).toBe(3);
        await Promise.all(received.map((message) => queue.ack(message.receiptHandle)));
      }),
    );

    it.concurrent(
      'long-polls until a message arrives',
      queueTest({ maxReceiveCount: 5 }, async (queue) => {
        const started = Date.now();
        setTimeout(() => void queue.send('late'), 300);
        const messages = await queue.receive({ waitSeconds: 3 });
        expect(messages.map((message) => message.body)).toEqual(['late']);
        expect(Date.now() - started).toBeLessThan(2_900);
      }),
    );

    it.concurrent(
      'redelivers a message whose visibility timeout expired, counting the receive',
      queueTest({ maxReceiveCount: 5 }, async (queue) => {
        const id = await queue.send('slow job');
        const [first] = await receiveMany(queue, 1, { visibilityTimeoutSeconds: 1 });
        expect(first?.receiveCount).toBe(1);
        expect(await queue.receive({ waitSeconds: 0 })).toEqual([]);

        await sleep(1_100);
        const [again] = await receiveMany(queue, 1, { visibilityTimeoutSeconds: 30 });
        expect(again).toMatchObject({ id, body: 'slow job', receiveCount: 2 });
        expect(again?.receiptHandle).not.toBe(first?.receiptHandle);
        await queue.ack(again!.receiptHandle);
      }),
    );

    it.concurrent(
      'releases a message for immediate or delayed redelivery',
      queueTest({ maxReceiveCount: 5 }, async (queue) => {
        const now = await queue.send('retry now');
        const later = await queue.send('retry later');
        const received = await receiveMany(queue, 2, { visibilityTimeoutSeconds: 30 });
        const byId = new Map(received.map((message) => [message.id, message]));
        await queue.release(byId.get(now)!.receiptHandle, { error: 'HTTP 503 from the API' });
        await queue.release(byId.get(later)!.receiptHandle, { delaySeconds: 1, error: 'rate limited' });

        const [again] = await receiveMany(queue, 1);
        expect(again).toMatchObject({ id: now, receiveCount: 2 });
        expect(await queue.receive({ waitSeconds: 0 })).toEqual([]);
        expect((await queue.depth()).visible + (await queue.depth()).inFlight).toBe(2);

        await sleep(1_100);
        const [delayed] = await receiveMany(queue, 1);
        expect(delayed).toMatchObject({ id: later, body: 'retry later', receiveCount: 2 });
      }),
    );

    it.concurrent(
      'holds back a message sent with a delay',
      queueTest({ maxReceiveCount: 5 }, async (queue) => {
        const id = await queue.send('delayed', { delaySeconds: 1 });
        expect(await queue.receive({ waitSeconds: 0 })).toEqual([]);
        const depth = await queue.depth();
        expect(depth.visible + depth.inFlight).toBe(1);
        await sleep(1_100);
        const [message] = await receiveMany(queue, 1);
        expect(message).toMatchObject({ id, receiveCount: 1 });
      }),
    );

    it.concurrent(
      'moves a message to the dead-letter queue instead of receiving it more than maxReceiveCount times',
      queueTest({ maxReceiveCount: 2 }, async (queue) => {
        const id = await queue.send('poison');
        for (const expected of [1, 2]) {
          const [message] = await receiveMany(queue, 1);
          expect(message).toMatchObject({ id, receiveCount: expected });
          await queue.release(message!.receiptHandle, { error: `failure ${expected}` });
        }
        expect(await queue.receive({ waitSeconds: 1 })).toEqual([]);

        const dead = await eventually(
          () => queue.listDeadLetters(),
          (letters) => letters.length === 1,
        );
        expect(dead).toHaveLength(1);
        expect(dead[0]).toMatchObject({ id, body: 'poison', receiveCount: 2 });
        // Listing again shows the count the message died at, however often it has been listed.
        const again = await queue.listDeadLetters();
        expect(again.map((letter) => letter.receiveCount)).toEqual([2]);
        expect(dead[0]?.sentAt).toBeInstanceOf(Date);
        expect(dead[0]?.deadAt).toBeInstanceOf(Date);
        expect(
          await eventually(
            () => queue.depth(),
            (depth) => depth.dead === 1,
          ),
        ).toEqual({ visible: 0, inFlight: 0, dead: 1 });
      }),
    );

    it.concurrent(
      'dead-letters a delivered message at once with its cause, ready to redrive',
      queueTest({ maxReceiveCount: 5 }, async (queue) => {
        const id = await queue.send('permanently bad');
        const [message] = await receiveMany(queue, 1);
        await queue.deadLetter(message!, 'Load.BadData: row 3 is not a date');
        expect(await queue.receive({ waitSeconds: 1 })).toEqual([]);
        const dead = await eventually(
          () => queue.listDeadLetters(),
          (letters) => letters.length === 1,
        );
        expect(dead[0]).toMatchObject({ id, body: 'permanently bad', lastError: 'Load.BadData: row 3 is not a date' });
        expect(await queue.redrive([id])).toBe(1);
        const [again] = await receiveMany(queue, 1);
        expect(again).toMatchObject({ id, body: 'permanently bad' });
      }),
    );

    it.concurrent(
      'redrives chosen dead letters with their id, as fresh deliveries',
      queueTest({ maxReceiveCount: 1 }, async (queue) => {
        const ids = await deadLetters(queue, ['one', 'two', 'three']);
        expect(await queue.redrive([ids[0]!])).toBe(1);
        const [one] = await receiveMany(queue, 1);
        expect(one).toMatchObject({ id: ids[0], body: 'one', receiveCount: 1 });
        await queue.ack(one!.receiptHandle);
        const remaining = await eventually(
          () => queue.listDeadLetters(),
          (letters) => letters.length === 2,
        );
        expect(remaining.map((letter) => letter.id).sort()).toEqual([ids[1], ids[2]].sort());
      }),
    );

    (options.unsupported?.redriveAll ? it.skip : it.concurrent)(
      `redrives every dead letter as fresh deliveries${options.unsupported?.redriveAll ? ` (skipped: ${options.unsupported.redriveAll})` : ''}`,
      queueTest({ maxReceiveCount: 1 }, async (queue) => {
        const ids = await deadLetters(queue, ['one', 'two']);
        expect(await queue.redrive()).toBe(2);
        const back = await receiveMany(queue, 2);
        expect(back.map((message) => message.id).sort()).toEqual([...ids].sort());
        expect(back.every((message) => message.receiveCount === 1)).toBe(true);
        expect(
          await eventually(
            () => queue.listDeadLetters(),
            (letters) => letters.length === 0,
          ),
        ).toEqual([]);
        expect(await queue.redrive()).toBe(0);
      }),
    );
  });
}
