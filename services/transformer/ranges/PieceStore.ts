import type { Readable } from 'node:stream';
import { Readable as ReadableStream } from 'node:stream';
import type { ObjectBody, ObjectStore, StoredObject } from '../../../shared/ports/ObjectStore';
import type { RawPiece } from './planPieces';

/**
 * The object store as the record loop of one piece sees it: reading the piece's raw object gives
 * only the piece's bytes (after the CSV header it carries); everything else is the real store.
 */
export class PieceStore implements ObjectStore {
  /** Line ends in the piece's range read so far (the carried header not counted). */
  lines = 0;

  constructor(
    private readonly store: ObjectStore,
    private readonly piece: RawPiece,
  ) {}

  async get(key: string): Promise<Readable> {
    if (key !== this.piece.key || this.piece.whole) return this.store.get(key);
    const range = await this.store.getRange(key, this.piece.start, this.piece.end);
    const header = this.piece.header;
    return ReadableStream.from(this.counted(header === undefined ? undefined : Buffer.from(header, 'latin1'), range));
  }

  /** The range after its header, counting line ends on the way (quarantine reasons name lines of the whole object). */
  private async *counted(head: Buffer | undefined, rest: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
    if (head) yield head;
    for await (const chunk of rest) {
      for (let at = chunk.indexOf(0x0a); at >= 0; at = chunk.indexOf(0x0a, at + 1)) this.lines++;
      yield chunk;
    }
  }

  put(key: string, body: ObjectBody, options?: { contentType?: string }): Promise<StoredObject> {
    return this.store.put(key, body, options);
  }

  getRange(key: string, start: number, end: number): Promise<Readable> {
    return this.store.getRange(key, start, end);
  }

  head(key: string): Promise<StoredObject | undefined> {
    return this.store.head(key);
  }

  list(prefix: string): Promise<StoredObject[]> {
    return this.store.list(prefix);
  }

  delete(key: string): Promise<void> {
    return this.store.delete(key);
  }

  uri(key: string): string {
    return this.store.uri(key);
  }

  keyFromUri(uri: string): string {
    return this.store.keyFromUri(uri);
  }
}
