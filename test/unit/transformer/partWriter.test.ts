import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { DirectoryObjectStore } from '../../../shared/adapters/local/DirectoryObjectStore';
import { PartWriter } from '../../../services/transformer';

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

async function readPart(store: DirectoryObjectStore, key: string): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of await store.get(key)) chunks.push(chunk as Buffer);
  return gunzipSync(Buffer.concat(chunks)).toString('utf8');
}

describe('PartWriter', () => {
  it('gathers small writes into larger zlib writes without losing, reordering or splitting rows', async () => {
    dir = mkdtempSync(join(tmpdir(), 'dif-parts-'));
    const store = new DirectoryObjectStore(dir);
    // ~1.2 MB in writes of ~6 KB, parts of 512 KiB: several parts, several coalesced writes each.
    const parts = new PartWriter(store, (n) => `clean/p-${n}.csv.gz`, 'id,text\n', {
      partBytes: 512 * 1024,
      gzipLevel: 1,
    });
    const written: string[] = [];
    for (let batch = 0; batch < 200; batch++) {
      let text = '';
      // Batch 77 alone is larger than a zlib write: it goes out whole, after what was gathered.
      const size = batch === 77 ? 4000 : 50;
      for (let i = 0; i < size; i++) text += `${batch * 50 + i},row é ${'x'.repeat(100)}\n`;
      written.push(text);
      await parts.write(text, size);
    }
    const summary = await parts.close();
    expect(summary.rows).toBe(199 * 50 + 4000);
    expect(summary.parts.length).toBeGreaterThan(1);
    const contents = await Promise.all(summary.parts.map((part) => readPart(store, part.key)));
    for (const content of contents) expect(content.startsWith('id,text\n')).toBe(true);
    expect(contents.map((content) => content.slice('id,text\n'.length)).join('')).toBe(written.join(''));
    expect(summary.parts.map((part) => part.rows)).toEqual(contents.map((content) => content.split('\n').length - 2));
    expect(summary.contentHash).toBe(createHash('sha256').update(contents.join('')).digest('hex'));
  });
});
