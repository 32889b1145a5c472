import { describe, expect, it } from 'vitest';
import { deliveryOf, stepFunctionsError } from '../../../profiles/aws/lambda';
import { PermanentError } from '../../../shared/runtime/errors';
import { CredentialNotFoundError } from '../../../services/credentials';
import type { ServiceContext } from '../../../shared/runtime/ServiceContext';
import { itemIdsOf, recordStageMetrics } from '../../../profiles/aws/lambda/stageMetrics';
import { metrics } from '../../../profiles/aws/lambda/telemetry';

describe('stepFunctionsError', () => {
  it('names permanent errors by their code, prefixing bare codes with the state', () => {
    expect((stepFunctionsError('Extract', new PermanentError('Extract.HttpError', 'HTTP 401')) as Error).name).toBe(
      'Extract.HttpError',
    );
    expect((stepFunctionsError('Plan', new PermanentError('UnknownClient', 'no client')) as Error).name).toBe(
      'Plan.UnknownClient',
    );
  });

  it('keeps a dotted code of a retryable error, and calls anything else transient', () => {
    const exhausted = Object.assign(new Error('gave up'), { code: 'Extract.RetriesExhausted' });
    expect((stepFunctionsError('Extract', exhausted) as Error).name).toBe('Extract.RetriesExhausted');
    expect((stepFunctionsError('Extract', new Error('socket hang up')) as Error).name).toBe('Extract.Transient');
    const named = Object.assign(new Error('x'), { name: 'Extract.Custom' });
    expect((stepFunctionsError('Extract', named) as Error).name).toBe('Extract.Custom');
    expect(stepFunctionsError('Extract', 'a string')).toBe('a string');
  });
});

describe('credential errors', () => {
  it('are permanent, so the state machine fails the item at once instead of retrying', () => {
    const missing = stepFunctionsError('Extract', new CredentialNotFoundError('acme', 'graph_ads')) as Error;
    expect(missing.name).toBe('Credentials.NotFound');
    expect(missing.message).toContain('dif credentials put --client acme --source graph_ads');
  });
});

describe('deliveryOf', () => {
  it('uses the DIF id attribute and the receive count of an SQS record', () => {
    const record = {
      messageId: 'sqs-1',
      receiptHandle: 'rh',
      body: '{}',
      attributes: { ApproximateReceiveCount: '3', SentTimestamp: '0' },
      messageAttributes: { 'dif-id': { stringValue: 'dif-1', dataType: 'String' } },
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn',
    };
    expect(deliveryOf(record)).toEqual({ id: 'dif-1', body: '{}', receiveCount: 3 });
    expect(deliveryOf({ ...record, messageAttributes: {} }).id).toBe('sqs-1');
  });
});

describe('recordStageMetrics', () => {
  it('emits the stage latency and the item figures the stage wrote to run state', async () => {
    const item = { runId: 'r1', itemId: 'i1', recordsIn: 10, recordsOut: 9, recordsRejected: 1 };
    const ctx = { ports: { runState: { getItem: async () => item } } } as unknown as ServiceContext;
    metrics.clearMetrics();
    await recordStageMetrics(ctx, 'transform', itemIdsOf({ runId: 'r1', itemId: 'i1', kind: 'raw-ready' }), 42);
    const emitted = metrics.serializeMetrics() as unknown as Record<string, unknown>;
    metrics.clearMetrics();
    expect(emitted).toMatchObject({ transformDurationMs: 42, RecordsIn: 10, RecordsOut: 9, RecordsRejected: 1 });
  });

  it('finds the item of a state input ({ item }) as well as of a queue message', () => {
    expect(itemIdsOf({ item: { runId: 'r', itemId: 'i' }, taskToken: 't' })).toEqual({ runId: 'r', itemId: 'i' });
    expect(itemIdsOf('not an object')).toEqual({});
  });
});
