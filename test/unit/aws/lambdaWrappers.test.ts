import { describe, expect, it } from 'vitest';
import { deliveryOf, stepFunctionsError } from '../../../shared/adapters/aws/lambda';
import { PermanentError } from '../../../shared/runtime/errors';

describe('stepFunctionsError', () => {
  it('names permanent errors by their code, prefixing bare codes with the state', () => {
    expect((stepFunctionsError('Extract', new PermanentError('Extract.HttpError', 'HTTP 401')) as Error).name).toBe('Extract.HttpError');
    expect((stepFunctionsError('Plan', new PermanentError('UnknownClient', 'no client')) as Error).name).toBe('Plan.UnknownClient');
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
