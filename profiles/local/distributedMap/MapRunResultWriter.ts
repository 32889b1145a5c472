import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import type { ObjectStore, StoredObject } from '../../../shared/ports/ObjectStore';

/** One child execution as Step Functions' ResultWriter lists it. */
export interface ChildExecutionResult {
  ExecutionArn: string;
  Name: string;
  Status: 'SUCCEEDED' | 'FAILED';
  Input: string;
  Output?: string;
  Error?: string;
  Cause?: string;
  StartDate: string;
  StopDate: string;
}

type Status = ChildExecutionResult['Status'];

/** One JSON array object being streamed to the store. */
interface OpenFile {
  key: string;
  body: PassThrough;
  stored: Promise<StoredObject>;
  entries: number;
}

/**
 * Writes a Map Run's results the way Step Functions' ResultWriter does:
 * `{prefix}/{mapRunId}/SUCCEEDED_0.json` and `FAILED_0.json` (JSON arrays of child executions)
 * and a `manifest.json` listing them. Entries are streamed as children finish, so a 100,000-item
 * run holds none of them in memory.
 *
 * @example
 * const writer = new MapRunResultWriter(store, 'runs/r1/map-results', mapRunId, 'lake', mapRunArn);
 * await writer.add(result);
 * const manifestKey = await writer.close();
 */
export class MapRunResultWriter {
  private readonly files = new Map<Status, OpenFile>();

  constructor(
    private readonly store: ObjectStore,
    private readonly prefix: string,
    private readonly mapRunId: string,
    private readonly bucket: string,
    private readonly mapRunArn: string,
  ) {}

  /** Where the manifest goes: the Map state's `ResultWriterDetails.Key`. */
  get manifestKey(): string {
    return `${this.base}/manifest.json`;
  }

  private get base(): string {
    return `${this.prefix.replace(/\/+$/, '')}/${this.mapRunId}`;
  }

  async add(result: ChildExecutionResult): Promise<void> {
    const file = this.fileFor(result.Status);
    const ok = file.body.write(`${file.entries === 0 ? '' : ','}${JSON.stringify(result)}`);
    file.entries++;
    if (!ok) await once(file.body, 'drain');
  }

  /** Ends every result file and writes the manifest; returns the manifest's key. */
  async close(): Promise<string> {
    const listed: Record<Status | 'PENDING', { Key: string; Size: number }[]> = {
      FAILED: [],
      PENDING: [],
      SUCCEEDED: [],
    };
    for (const [status, file] of this.files) {
      file.body.end(']');
      const stored = await file.stored;
      listed[status].push({ Key: stored.key, Size: stored.bytes });
    }
    const manifest = { DestinationBucket: this.bucket, MapRunArn: this.mapRunArn, ResultFiles: listed };
    await this.store.put(this.manifestKey, JSON.stringify(manifest), { contentType: 'application/json' });
    return this.manifestKey;
  }

  /** Stops writing after a failed Map Run; what was written is kept, as Step Functions does. */
  async abort(): Promise<void> {
    for (const file of this.files.values()) file.body.end(']');
    await Promise.allSettled([...this.files.values()].map((file) => file.stored));
  }

  private fileFor(status: Status): OpenFile {
    let file = this.files.get(status);
    if (!file) {
      const key = `${this.base}/${status}_0.json`;
      const body = new PassThrough();
      body.write('[');
      file = { key, body, stored: this.store.put(key, body, { contentType: 'application/json' }), entries: 0 };
      // Surfaced by close(); observed now so an early failure is not "unhandled".
      file.stored.catch(() => undefined);
      this.files.set(status, file);
    }
    return file;
  }
}
