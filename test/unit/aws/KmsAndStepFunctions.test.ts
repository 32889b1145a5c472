import { DecryptCommand, GenerateDataKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import {
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { executionName, KmsKeyring, StepFunctionsWorkflow } from '../../../shared/adapters/aws';
import { KeyringDecryptError, StaleTaskTokenError } from '../../../shared/ports';

const kms = mockClient(KMSClient);
const sfn = mockClient(SFNClient);
afterEach(() => {
  kms.reset();
  sfn.reset();
});

function awsError(name: string, message = name): Error {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode: 400 } });
}

describe('KmsKeyring (SDK mock)', () => {
  const keyring = () => new KmsKeyring({ client: new KMSClient({ region: 'eu-west-1' }), keyId: 'alias/dif-dev' });
  const context = { client: 'acme', source: 'ads' };

  it('generates AES-256 data keys bound to the encryption context', async () => {
    kms.on(GenerateDataKeyCommand).resolves({
      Plaintext: new Uint8Array(32).fill(7),
      CiphertextBlob: new Uint8Array([1, 2, 3]),
      KeyId: 'arn:aws:kms:eu-west-1:123:key/k1',
    });
    const key = await keyring().generateDataKey(context);
    expect(key.plaintext).toEqual(Buffer.alloc(32, 7));
    expect(key.encrypted).toEqual(Buffer.from([1, 2, 3]));
    expect(key.keyId).toBe('arn:aws:kms:eu-west-1:123:key/k1');
    expect(kms.commandCalls(GenerateDataKeyCommand)[0]!.args[0].input).toEqual({
      KeyId: 'alias/dif-dev',
      KeySpec: 'AES_256',
      EncryptionContext: context,
    });
    expect(keyring().currentKeyId()).toBe('alias/dif-dev');
  });

  it('decrypts with the same context', async () => {
    kms.on(DecryptCommand).resolves({ Plaintext: new Uint8Array([9, 9]) });
    expect(await keyring().decryptDataKey(Buffer.from([1, 2, 3]), context)).toEqual(Buffer.from([9, 9]));
    const input = kms.commandCalls(DecryptCommand)[0]!.args[0].input;
    expect(input.EncryptionContext).toEqual(context);
    expect(Buffer.from(input.CiphertextBlob!)).toEqual(Buffer.from([1, 2, 3]));
  });

  it('maps a wrong context or key to KeyringDecryptError, and passes outages through', async () => {
    kms
      .on(DecryptCommand)
      .rejectsOnce(awsError('InvalidCiphertextException'))
      .rejectsOnce(awsError('KMSInternalException', 'kms down'));
    await expect(keyring().decryptDataKey(Buffer.from([1]), context)).rejects.toBeInstanceOf(KeyringDecryptError);
    await expect(keyring().decryptDataKey(Buffer.from([1]), context)).rejects.toThrow('kms down');
  });
});

describe('StepFunctionsWorkflow (SDK mock)', () => {
  const workflow = () =>
    new StepFunctionsWorkflow({
      client: new SFNClient({ region: 'eu-west-1' }),
      stateMachineArn: 'arn:aws:states:eu-west-1:123:stateMachine:dif-dev-ingest',
    });

  it('sends success with JSON output, failure truncated to the API limits, heartbeats', async () => {
    sfn
      .on(SendTaskSuccessCommand)
      .resolves({})
      .on(SendTaskFailureCommand)
      .resolves({})
      .on(SendTaskHeartbeatCommand)
      .resolves({});
    await workflow().sendTaskSuccess('tok', { rowsLoaded: 3 });
    await workflow().sendTaskFailure('tok', 'E'.repeat(300), 'c'.repeat(40_000));
    await workflow().sendTaskHeartbeat('tok');
    expect(sfn.commandCalls(SendTaskSuccessCommand)[0]!.args[0].input).toEqual({
      taskToken: 'tok',
      output: '{"rowsLoaded":3}',
    });
    const failure = sfn.commandCalls(SendTaskFailureCommand)[0]!.args[0].input;
    expect(failure.error).toHaveLength(256);
    expect(failure.cause).toHaveLength(32_768);
    expect(sfn.commandCalls(SendTaskHeartbeatCommand)[0]!.args[0].input).toEqual({ taskToken: 'tok' });
  });

  it.each(['TaskTimedOut', 'InvalidToken', 'TaskDoesNotExist'])('turns %s into StaleTaskTokenError', async (name) => {
    sfn.on(SendTaskSuccessCommand).rejects(awsError(name));
    await expect(workflow().sendTaskSuccess('tok', {})).rejects.toBeInstanceOf(StaleTaskTokenError);
  });

  it('passes throttling through so the message is retried', async () => {
    sfn.on(SendTaskFailureCommand).rejects(awsError('ThrottlingException', 'slow down'));
    await expect(workflow().sendTaskFailure('tok', 'E', 'c')).rejects.toThrow('slow down');
  });

  it('starts executions with a console-safe name', async () => {
    sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:exec', startDate: new Date() });
    expect(await workflow().startExecution({ client: 'acme' }, 'acme 2026-03-01T06:00Z')).toEqual({
      executionArn: 'arn:exec',
    });
    expect(sfn.commandCalls(StartExecutionCommand)[0]!.args[0].input).toEqual({
      stateMachineArn: 'arn:aws:states:eu-west-1:123:stateMachine:dif-dev-ingest',
      input: '{"client":"acme"}',
      name: 'acme-2026-03-01T06-00Z',
    });
    expect(executionName('x'.repeat(100))).toHaveLength(80);
  });
});
