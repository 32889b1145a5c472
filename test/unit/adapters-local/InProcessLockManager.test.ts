import { describe, expect, it } from 'vitest';
import { ClosedError, InProcessLockManager, LockLostError } from '../../../shared/adapters/local';

function busyWait(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // Blocks the event loop on purpose: a stalled worker cannot extend its lock.
  }
}

describe('InProcessLockManager (local-only behaviour)', () => {
  it('hands a contended key to waiters in arrival order', async () => {
    const locks = new InProcessLockManager();
    const order: number[] = [];
    await Promise.all(
      [1, 2, 3, 4].map((n) =>
        locks.withLock('k', async () => {
          order.push(n);
          await new Promise((resolve) => setTimeout(resolve, 5));
        }),
      ),
    );
    expect(order).toEqual([1, 2, 3, 4]);
  });

  it('aborts the work of a holder that stalled past its TTL and lost the lock', async () => {
    const locks = new InProcessLockManager();
    let lostReason: unknown;
    let secondRanWhileFirstHeld = false;
    let firstDone = false;
    const first = locks.withLock(
      'stall',
      async (signal) => {
        busyWait(150);
        await new Promise((resolve) => setTimeout(resolve, 100));
        lostReason = signal.reason;
        firstDone = true;
      },
      { ttlMs: 60 },
    );
    const second = locks.withLock(
      'stall',
      async () => {
        secondRanWhileFirstHeld = !firstDone;
      },
      { ttlMs: 1_000, waitMs: 2_000 },
    );
    await Promise.all([first, second]);
    expect(lostReason).toBeInstanceOf(LockLostError);
    expect(secondRanWhileFirstHeld).toBe(true);
  });

  it('refuses new work after close', async () => {
    const locks = new InProcessLockManager();
    await locks.close();
    await expect(locks.withLock('k', async () => 1)).rejects.toBeInstanceOf(ClosedError);
  });

  it('fails at once with waitMs 0 when the key is held', async () => {
    const locks = new InProcessLockManager();
    let release!: () => void;
    const holding = locks.withLock('busy', () => new Promise<void>((resolve) => (release = resolve)));
    await new Promise((resolve) => setTimeout(resolve, 5));
    await expect(locks.withLock('busy', async () => 1, { waitMs: 0 })).rejects.toThrow('could not take lock busy');
    release();
    await holding;
  });

  it('waits without limit when waitMs is Infinity', async () => {
    const locks = new InProcessLockManager();
    let release!: () => void;
    const holding = locks.withLock('patient', () => new Promise<void>((resolve) => (release = resolve)));
    const waiting = locks.withLock('patient', async () => 'finally', { waitMs: Infinity });
    await new Promise((resolve) => setTimeout(resolve, 50));
    release();
    await holding;
    expect(await waiting).toBe('finally');
  });
});
