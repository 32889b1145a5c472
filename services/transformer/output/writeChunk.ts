import { once } from 'node:events';
import type { Writable } from 'node:stream';

/**
 * Writes a chunk honouring backpressure. `consumer` is the promise of whoever reads the stream
 * (an object-store upload): if it fails while we wait for `drain`, that failure surfaces here
 * instead of a wait that never ends.
 */
export async function writeChunk(stream: Writable, chunk: Buffer | string, consumer: Promise<unknown>): Promise<void> {
  if (stream.write(chunk)) return;
  await Promise.race([once(stream, 'drain'), consumer]);
}
