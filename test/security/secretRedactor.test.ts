/**
 * Issue 14 §6: an API that echoes a token back in an encoding the redactor did not know put the
 * token into run state, the run log and the terminal. Every common encoding of every registered
 * secret is now redacted, wherever it sits in a text.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteRunStateStore } from '../../shared/adapters/local/SqliteRunStateStore';
import { redactRunStateWrites } from '../../shared/runState/redactRunStateWrites';
import { clearRegisteredSecrets, redact, registerSecrets, REDACTED } from '../../shared/log/secretRedactor';
import { SECRET_ENCODINGS, type SecretEncoding } from './support/secretForms';

/** Every character class that encodings treat differently: / + = & < > " ' ~ and letters of both cases. */
const TOKEN = 'Zx9/aB+cD=eF&gH<iJ>"kL\'mN~oP_qR-sT.u';
const ENCODINGS = Object.keys(SECRET_ENCODINGS) as SecretEncoding[];

afterEach(() => clearRegisteredSecrets());

describe('secret redactor', () => {
  it.each(ENCODINGS)('redacts the %s form of a secret inside an error body', (encoding) => {
    registerSecrets([TOKEN]);
    const form = SECRET_ENCODINGS[encoding](TOKEN);
    const text = `HTTP 401 {"error":{"message":"bad token ${form}; try again","code":190}}`;
    expect(redact(text)).toBe(`HTTP 401 {"error":{"message":"bad token ${REDACTED}; try again","code":190}}`);
  });

  it('redacts a secret base64-encoded inside a longer value, at any byte offset', () => {
    registerSecrets(['pa55w0rd-Secret-Value']);
    for (const prefix of ['', 'u:', 'us:', 'use:', 'user:'])
      expect(redact(`Basic ${Buffer.from(`${prefix}pa55w0rd-Secret-Value`).toString('base64')}`)).toMatch(
        new RegExp(`^Basic [A-Za-z0-9+/]{0,8}${REDACTED.replace(/[[\]]/g, '\\$&')}[A-Za-z0-9+/=]{0,4}$`),
      );
  });

  it('leaves ordinary text alone, including text that shares a prefix with the secret', () => {
    registerSecrets([TOKEN]);
    const text = 'Zx9/aB+cD is only a prefix; 5a78392f is hex of nothing; &amp; &lt; %2F stay as they are';
    expect(redact(text)).toBe(text);
  });

  it('builds its pattern once per registration, not per line: redacting stays cheap', () => {
    registerSecrets(Array.from({ length: 20 }, (_, i) => `secret-${i}-${'x'.repeat(i)}/${TOKEN}`));
    const line = JSON.stringify({ message: 'transformed item', level: 'INFO', data: 'y'.repeat(1500) });
    expect(redact(line)).toBe(line);
    expect(redact(`${line}${SECRET_ENCODINGS.hex(`secret-3-xxx/${TOKEN}`)}`)).toBe(`${line}${REDACTED}`);
  });
});

describe('run state written through redactRunStateWrites', () => {
  it('keeps no secret in an item error or a run summary, whichever stage forgot to redact', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dif-redact-state-'));
    const store = redactRunStateWrites(SqliteRunStateStore.open(join(dir, 'state.db')));
    try {
      registerSecrets([TOKEN]);
      const hex = SECRET_ENCODINGS.hex(TOKEN);
      await store.createRun({ runId: 'r1', status: 'running', startedAt: '2026-01-01T00:00:00Z' });
      await store.updateItem('r1', 'i1', {
        client: 'c',
        source: 's',
        stream: 't',
        partition: 'all',
        stage: 'failed',
        error: `HTTP 401 token ${hex}`,
      });
      await store.updateRun('r1', { status: 'failed', summary: { failed: [{ error: `cause ${hex}` }] } });
      expect((await store.getItem('r1', 'i1'))?.error).toBe(`HTTP 401 token ${REDACTED}`);
      expect((await store.getRun('r1'))?.summary).toEqual({ failed: [{ error: `cause ${REDACTED}` }] });
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
