import type { Redis } from 'ioredis';

/**
 * Wakes waiting workers when any worker releases a permit, over Redis pub/sub, so a waiter for a
 * concurrency slot need not poll. Messages can be lost (reconnects), so every sleep also has a
 * deadline; a generation counter per channel catches releases that happen while a script call
 * is in flight.
 */
export class ReleaseNotifier {
  private readonly generations = new Map<string, number>();
  private readonly sleepers = new Map<string, Set<() => void>>();
  private readonly subscriptions = new Map<string, Promise<void>>();

  constructor(private readonly subscriber: Redis) {
    subscriber.on('message', (channel: string) => this.notify(channel));
  }

  /** Subscribes once per channel; a failed subscription is retried on the next call. */
  async subscribe(channel: string): Promise<void> {
    let pending = this.subscriptions.get(channel);
    if (!pending) {
      pending = this.subscriber.subscribe(channel).then(() => undefined);
      this.subscriptions.set(channel, pending);
      pending.catch(() => this.subscriptions.delete(channel));
    }
    await pending;
  }

  generation(channel: string): number {
    return this.generations.get(channel) ?? 0;
  }

  /** Wakes every sleeper on `channel`, as a release message would. */
  notify(channel: string): void {
    this.generations.set(channel, this.generation(channel) + 1);
    const sleepers = this.sleepers.get(channel);
    if (!sleepers) return;
    this.sleepers.delete(channel);
    for (const wake of sleepers) wake();
  }

  /** Resolves after `ms`, on the next release on `channel`, or when `nudge` is called. */
  async sleep(channel: string, ms: number): Promise<void> {
    await new Promise<void>((resolve) => {
      let set = this.sleepers.get(channel);
      if (!set) {
        set = new Set();
        this.sleepers.set(channel, set);
      }
      const wake = (): void => {
        clearTimeout(timer);
        this.sleepers.get(channel)?.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      set.add(wake);
    });
  }

  async close(): Promise<void> {
    for (const channel of [...this.sleepers.keys()]) this.notify(channel);
  }
}
