import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { csvRecordChunks } from '../../../services/loader/warehouse/postgres/csvRecordChunks';

async function chunksOf(text: string, target: number, pieceSize: number): Promise<string[]> {
  const pieces: Buffer[] = [];
  for (let i = 0; i < text.length; i += pieceSize) pieces.push(Buffer.from(text.slice(i, i + pieceSize)));
  const out: string[] = [];
  for await (const chunk of csvRecordChunks(Readable.from(pieces), target)) out.push(chunk.toString());
  return out;
}

describe('csvRecordChunks', () => {
  const csv = 'id,name\n1,"a\nb"\n2,"say ""hi"",\nthere"\n3,\\N\n4,plain\n';

  it('cuts only on record boundaries, never inside quoted newlines', async () => {
    for (const pieceSize of [1, 3, 7, 100]) {
      const chunks = await chunksOf(csv, 10, pieceSize);
      expect(chunks.join('')).toBe(csv);
      // Pieces smaller than the target are gathered and re-cut; a bigger piece is cut once.
      expect(chunks.length).toBeGreaterThan(pieceSize < 10 ? 2 : 0);
      for (const chunk of chunks) {
        expect(chunk.endsWith('\n')).toBe(true);
        // Every chunk holds whole records: an even number of quotes.
        expect((chunk.match(/"/g) ?? []).length % 2).toBe(0);
      }
    }
  });

  it('keeps a stream without a final newline whole in its last chunk', async () => {
    expect(await chunksOf('a\nb\nc', 1, 1)).toEqual(['a\n', 'b\n', 'c']);
  });

  it('yields one chunk when the target exceeds the input', async () => {
    expect(await chunksOf(csv, 1 << 20, 5)).toEqual([csv]);
  });
});
