import { describe, expect, it } from 'vitest';
import { LockUnavailableError, type LockManager } from '../../../shared/ports/RateLimiter';
import { deferred } from './deferred';
import { sleep } from './timing';
import { freshKey, withFixture } from './withFixture';

export interface LockManagerFixture {
  /** A new worker sharing the fixture's lock backend (Redis, or this process's shared table). */
  open(): LockManager;
  /** Closes every manager `open` returned and frees the backend. */
  cleanup(): Promise<void>;
}

/**
 * The {@link LockManager} contract: mutual exclusion across workers, independent keys, giving up
 * after `waitMs` with {@link LockUnavailableError}, release on failure, extension while work runs,
 * and expiry after the TTL when a worker dies (`close()` with work still running).
 */
export function describeLockManagerContract(adapterName: string, factory: () => Promise<LockManagerFixture>): void {
  const lockTest = (test: (fixture: LockManagerFixture) => Promise<void>) => () => withFixture(factory, test);

  describe(`LockManager contract: ${adapterName}`, () => {
    it.concurrent(
      'lets one worker at a time into the critical section',
      lockTest(async ({ open }) => {
        const workers = [open(), open()];
        const key = freshKey('mutex');
        let inside = 0;
        let most = 0;
        const order: number[] = [];
        const results = await Promise.all(
          Array.from({ length: 6 }, (_, index) =>
            workers[index % 2]!.withLock(
              key,
              async () => {
                inside += 1;
                most = Math.max(most, inside);
                await sleep(20);
                order.push(index);
                inside -= 1;
                return index * 10;
              },
              { ttlMs: 5_000, waitMs: 5_000 },
            ),
          ),
        );
        expect(most).toBe(1);
        expect(results).toEqual([0, 10, 20, 30, 40, 50]);
        expect(order.sort()).toEqual([0, 1, 2, 3, 4, 5]);
      }),
    );

    it.concurrent(
      'runs work under different keys at the same time',
      lockTest(async ({ open }) => {
        const locks = open();
        let inside = 0;
        let most = 0;
        await Promise.all(
          ['a', 'b', 'c'].map((name) =>
            locks.withLock(
              freshKey(name),
              async () => {
                inside += 1;
                most = Math.max(most, inside);
                await sleep(100);
                inside -= 1;
              },
              { ttlMs: 5_000, waitMs: 1_000 },
            ),
          ),
        );
        expect(most).toBe(3);
      }),
    );

    it.concurrent(
      'gives up with LockUnavailableError after waitMs while another worker holds the lock',
      lockTest(async ({ open }) => {
        const [holder, other] = [open(), open()];
        const key = freshKey('busy');
        const { promise: entered, resolve: enter } = deferred();
        const { promise: finish, resolve: done } = deferred();
        const holding = holder!.withLock(
          key,
          async () => {
            enter();
            await finish;
            return 'held';
          },
          { ttlMs: 5_000, waitMs: 1_000 },
        );
        await entered;

        const started = performance.now();
        let ran = false;
        const error = await other!
          .withLock(
            key,
            async () => {
              ran = true;
            },
            { ttlMs: 5_000, waitMs: 150 },
          )
          .catch((caught: unknown) => caught);
        expect(error).toBeInstanceOf(LockUnavailableError);
        expect((error as LockUnavailableError).key).toBe(key);
        expect(ran).toBe(false);
        expect(performance.now() - started).toBeGreaterThanOrEqual(100);
        expect(performance.now() - started).toBeLessThan(2_000);

        done();
        expect(await holding).toBe('held');
        expect(await other!.withLock(key, async () => 'next', { ttlMs: 5_000, waitMs: 1_000 })).toBe('next');
      }),
    );

    it.concurrent(
      'releases the lock when the work throws, and passes the error on',
      lockTest(async ({ open }) => {
        const [first, second] = [open(), open()];
        const key = freshKey('throws');
        await expect(
          first!.withLock(
            key,
            async () => {
              throw new Error('refresh failed');
            },
            { ttlMs: 5_000 },
          ),
        ).rejects.toThrow('refresh failed');
        const started = performance.now();
        expect(await second!.withLock(key, async () => 'free', { ttlMs: 5_000, waitMs: 1_000 })).toBe('free');
        expect(performance.now() - started).toBeLessThan(500);
      }),
    );

    it.concurrent(
      'keeps the lock past its TTL while the work is still running',
      lockTest(async ({ open }) => {
        const [holder, other] = [open(), open()];
        const key = freshKey('extend');
        const { promise: entered, resolve: enter } = deferred();
        let aborted = false;
        const holding = holder!.withLock(
          key,
          async (signal) => {
            enter();
            await sleep(900);
            aborted = signal.aborted;
          },
          { ttlMs: 300, waitMs: 1_000 },
        );
        await entered;
        await sleep(500);
        await expect(other!.withLock(key, async () => 'stolen', { ttlMs: 300, waitMs: 100 })).rejects.toBeInstanceOf(
          LockUnavailableError,
        );
        await holding;
        expect(aborted).toBe(false);
      }),
    );

    it.concurrent(
      'lets another worker in once the TTL of a dead worker’s lock runs out',
      lockTest(async ({ open }) => {
        const [dying, survivor] = [open(), open()];
        const key = freshKey('expire');
        const { promise: entered, resolve: enter } = deferred();
        const { promise: never, resolve: finishLate } = deferred();
        let signal: AbortSignal | undefined;
        const orphan = dying!
          .withLock(
            key,
            async (workSignal) => {
              signal = workSignal;
              enter();
              // Ignores its signal, like a worker frozen mid-call.
              await never;
            },
            { ttlMs: 400, waitMs: 1_000 },
          )
          .catch(() => undefined);
        await entered;
        await dying!.close();
        const closedAt = performance.now();
        expect(signal?.aborted).toBe(true);

        expect(await survivor!.withLock(key, async () => 'taken over', { ttlMs: 5_000, waitMs: 3_000 })).toBe(
          'taken over',
        );
        const waited = performance.now() - closedAt;
        expect(waited).toBeGreaterThanOrEqual(150);
        expect(waited).toBeLessThan(2_500);
        finishLate();
        await orphan;
      }),
    );
  });
}
