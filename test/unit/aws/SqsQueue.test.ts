import {
  ChangeMessageVisibilityBatchCommand,
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import {
  DEAD_ERROR_ATTRIBUTE,
  DEAD_RECEIVE_COUNT_ATTRIBUTE,
  MESSAGE_ID_ATTRIBUTE,
  SqsQueue,
} from '../../../shared/adapters/aws';

const QUEUE = 'https://sqs.eu-west-1.amazonaws.com/123/dif-dev-transform';
const DLQ = 'https://sqs.eu-west-1.amazonaws.com/123/dif-dev-transform-dlq';
const sqs = mockClient(SQSClient);

function queue(): SqsQueue {
  return new SqsQueue({
    client: new SQSClient({ region: 'eu-west-1' }),
    name: 'transform',
    queueUrl: QUEUE,
    deadLetterQueueUrl: DLQ,
  });
}

function message(id: string, receipt: string, receiveCount = 1) {
  return {
    MessageId: `sqs-${id}`,
    ReceiptHandle: receipt,
    Body: `{"id":"${id}"}`,
    Attributes: { ApproximateReceiveCount: String(receiveCount), SentTimestamp: '1767225600000' },
    MessageAttributes: { [MESSAGE_ID_ATTRIBUTE]: { DataType: 'String', StringValue: id } } as Record<
      string,
      { DataType: string; StringValue: string }
    >,
  };
}

afterEach(() => sqs.reset());

describe('SqsQueue (SDK mock)', () => {
  it('sends with a DIF id attribute and returns that id', async () => {
    sqs.on(SendMessageCommand).resolves({ MessageId: 'sqs-1' });
    const id = await queue().send('{"a":1}', { delaySeconds: 5 });
    const input = sqs.commandCalls(SendMessageCommand)[0]!.args[0].input;
    expect(input).toMatchObject({ QueueUrl: QUEUE, MessageBody: '{"a":1}', DelaySeconds: 5 });
    expect(input.MessageAttributes?.[MESSAGE_ID_ATTRIBUTE]?.StringValue).toBe(id);
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('dead-letters a message by sending it to the DLQ with its id and cause, then deleting it', async () => {
    sqs.on(SendMessageCommand).resolves({ MessageId: 'dlq-1' });
    sqs.on(DeleteMessageCommand).resolves({});
    await queue().deadLetter(
      { id: 'm1', body: '{"id":"m1"}', receiptHandle: 'rh1', receiveCount: 2 },
      'Load.BadData: bad row 3',
    );
    const sent = sqs.commandCalls(SendMessageCommand)[0]!.args[0].input;
    expect(sent).toMatchObject({ QueueUrl: DLQ, MessageBody: '{"id":"m1"}' });
    expect(sent.MessageAttributes?.[MESSAGE_ID_ATTRIBUTE]?.StringValue).toBe('m1');
    expect(sent.MessageAttributes?.[DEAD_ERROR_ATTRIBUTE]?.StringValue).toBe('Load.BadData: bad row 3');
    expect(sqs.commandCalls(DeleteMessageCommand)[0]!.args[0].input).toEqual({ QueueUrl: QUEUE, ReceiptHandle: 'rh1' });
    // Sent first: a failure to send leaves the message in the queue, never lost.
    expect(sqs.calls().map((call) => call.args[0].constructor.name)).toEqual([
      'SendMessageCommand',
      'DeleteMessageCommand',
    ]);
  });

  it('receives with the receive count and maps messages', async () => {
    sqs.on(ReceiveMessageCommand).resolves({ Messages: [message('m1', 'rh1', 3)] });
    const received = await queue().receive({ maxMessages: 25, visibilityTimeoutSeconds: 60, waitSeconds: 2 });
    expect(received).toEqual([
      { id: 'm1', body: '{"id":"m1"}', receiptHandle: 'rh1', receiveCount: 3, sentAt: new Date(1767225600000) },
    ]);
    const input = sqs.commandCalls(ReceiveMessageCommand)[0]!.args[0].input;
    expect(input).toMatchObject({
      QueueUrl: QUEUE,
      MaxNumberOfMessages: 10,
      VisibilityTimeout: 60,
      WaitTimeSeconds: 2,
    });
    expect(input.MessageSystemAttributeNames).toContain('ApproximateReceiveCount');
  });

  it('acks with DeleteMessage and releases with ChangeMessageVisibility', async () => {
    sqs.on(DeleteMessageCommand).resolves({}).on(ChangeMessageVisibilityCommand).resolves({});
    await queue().ack('rh1');
    await queue().release('rh2', { delaySeconds: 30, error: 'boom' });
    await queue().release('rh3');
    expect(sqs.commandCalls(DeleteMessageCommand)[0]!.args[0].input).toEqual({ QueueUrl: QUEUE, ReceiptHandle: 'rh1' });
    expect(sqs.commandCalls(ChangeMessageVisibilityCommand).map((call) => call.args[0].input)).toEqual([
      { QueueUrl: QUEUE, ReceiptHandle: 'rh2', VisibilityTimeout: 30 },
      { QueueUrl: QUEUE, ReceiptHandle: 'rh3', VisibilityTimeout: 0 },
    ]);
  });

  it('reports depth of the queue and its DLQ, counting delayed messages as in flight', async () => {
    sqs
      .on(GetQueueAttributesCommand, { QueueUrl: QUEUE })
      .resolves({
        Attributes: {
          ApproximateNumberOfMessages: '4',
          ApproximateNumberOfMessagesNotVisible: '1',
          ApproximateNumberOfMessagesDelayed: '1',
        },
      })
      .on(GetQueueAttributesCommand, { QueueUrl: DLQ })
      .resolves({ Attributes: { ApproximateNumberOfMessages: '7', ApproximateNumberOfMessagesNotVisible: '0' } });
    expect(await queue().depth()).toEqual({ visible: 4, inFlight: 2, dead: 7 });
  });

  it('lists dead letters once each with the receive count they died at, and makes them visible again', async () => {
    const recorded = message('d3', 'x4', 9);
    recorded.MessageAttributes[DEAD_RECEIVE_COUNT_ATTRIBUTE] = { DataType: 'Number', StringValue: '3' };
    recorded.MessageAttributes[DEAD_ERROR_ATTRIBUTE] = { DataType: 'String', StringValue: 'HTTP 400: bad field' };
    sqs
      .on(GetQueueAttributesCommand, { QueueUrl: QUEUE, AttributeNames: ['RedrivePolicy'] })
      .resolves({
        Attributes: { RedrivePolicy: '{"deadLetterTargetArn":"arn:aws:sqs:eu-west-1:123:dlq","maxReceiveCount":5}' },
      })
      // Earlier listings raised SQS's count past the 5 receives the messages died after.
      .on(ReceiveMessageCommand, { QueueUrl: DLQ })
      .resolvesOnce({ Messages: [message('d1', 'x1', 7), message('d2', 'x2', 6)] })
      .resolvesOnce({ Messages: [message('d1', 'x3', 8), recorded] })
      .resolves({ Messages: [] })
      .on(ChangeMessageVisibilityBatchCommand)
      .resolves({ Successful: [] });
    const letters = await queue().listDeadLetters();
    expect(letters.map((letter) => [letter.id, letter.receiveCount, letter.lastError])).toEqual([
      ['d1', 5, undefined],
      ['d2', 5, undefined],
      ['d3', 3, 'HTTP 400: bad field'],
    ]);
    const unhidden = sqs
      .commandCalls(ChangeMessageVisibilityBatchCommand)
      .flatMap((call) => call.args[0].input.Entries ?? []);
    expect(unhidden.map((entry) => [entry.ReceiptHandle, entry.VisibilityTimeout])).toEqual([
      ['x1', 0],
      ['x2', 0],
      ['x3', 0],
      ['x4', 0],
    ]);
  });

  it('redrives everything with StartMessageMoveTask between the ARNs', async () => {
    sqs
      .on(GetQueueAttributesCommand, { QueueUrl: QUEUE, AttributeNames: ['QueueArn'] })
      .resolves({ Attributes: { QueueArn: 'arn:aws:sqs:eu-west-1:123:dif-dev-transform' } })
      .on(GetQueueAttributesCommand, { QueueUrl: DLQ, AttributeNames: ['QueueArn'] })
      .resolves({ Attributes: { QueueArn: 'arn:aws:sqs:eu-west-1:123:dif-dev-transform-dlq' } })
      .on(GetQueueAttributesCommand, {
        QueueUrl: DLQ,
        AttributeNames: [
          'ApproximateNumberOfMessages',
          'ApproximateNumberOfMessagesNotVisible',
          'ApproximateNumberOfMessagesDelayed',
        ],
      })
      .resolves({ Attributes: { ApproximateNumberOfMessages: '3' } })
      .on(GetQueueAttributesCommand, {
        QueueUrl: QUEUE,
        AttributeNames: [
          'ApproximateNumberOfMessages',
          'ApproximateNumberOfMessagesNotVisible',
          'ApproximateNumberOfMessagesDelayed',
        ],
      })
      .resolves({ Attributes: {} })
      .on(StartMessageMoveTaskCommand)
      .resolves({ TaskHandle: 'h' });
    expect(await queue().redrive()).toBe(3);
    expect(sqs.commandCalls(StartMessageMoveTaskCommand)[0]!.args[0].input).toEqual({
      SourceArn: 'arn:aws:sqs:eu-west-1:123:dif-dev-transform-dlq',
      DestinationArn: 'arn:aws:sqs:eu-west-1:123:dif-dev-transform',
    });
  });

  it('redrives chosen ids by re-sending them with their id and deleting them from the DLQ', async () => {
    sqs
      .on(ReceiveMessageCommand, { QueueUrl: DLQ })
      .resolvesOnce({ Messages: [message('d1', 'x1'), message('d2', 'x2')] })
      .resolves({ Messages: [] })
      .on(SendMessageCommand)
      .resolves({ MessageId: 'new' })
      .on(DeleteMessageCommand)
      .resolves({})
      .on(ChangeMessageVisibilityBatchCommand)
      .resolves({});
    expect(await queue().redrive(['d2', 'absent'])).toBe(1);
    const sent = sqs.commandCalls(SendMessageCommand)[0]!.args[0].input;
    expect(sent).toMatchObject({ QueueUrl: QUEUE, MessageBody: '{"id":"d2"}' });
    expect(sent.MessageAttributes?.[MESSAGE_ID_ATTRIBUTE]?.StringValue).toBe('d2');
    expect(sqs.commandCalls(DeleteMessageCommand)[0]!.args[0].input).toEqual({ QueueUrl: DLQ, ReceiptHandle: 'x2' });
    expect(
      sqs
        .commandCalls(ChangeMessageVisibilityBatchCommand)[0]!
        .args[0].input.Entries?.map((entry) => entry.ReceiptHandle),
    ).toEqual(['x1']);
  });

  it('surfaces SQS errors', async () => {
    sqs.on(SendMessageCommand).rejects(Object.assign(new Error('queue does not exist'), { name: 'QueueDoesNotExist' }));
    await expect(queue().send('x')).rejects.toThrow(/does not exist/);
  });
});
