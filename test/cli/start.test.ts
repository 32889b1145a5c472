import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { registerStartCommand } from '../../cli/commands/start';
import { bareProgram, runCli } from './support/runCli';

const ARN = 'arn:aws:states:eu-west-1:123456789012:stateMachine:dif-dev-ingest';

describe('dif start', () => {
  const sfn = mockClient(SFNClient);
  afterEach(() => sfn.reset());

  it('starts an execution of the deployed state machine for one client and prints where to watch it', async () => {
    sfn.on(StartExecutionCommand).resolves({ executionArn: `${ARN.replace('stateMachine', 'execution')}:acme-run` });
    const program = bareProgram((p) =>
      registerStartCommand(p, { sfn: new SFNClient({ region: 'eu-west-1' }), env: { DIF_STATE_MACHINE_ARN: ARN } }),
    );
    const result = await runCli(program, ['start', '--client', 'acme']);
    expect(result.code).toBe(0);
    const call = sfn.commandCalls(StartExecutionCommand)[0]!.args[0].input;
    expect(call.stateMachineArn).toBe(ARN);
    expect(call.name).toMatch(/^acme-\d{8}T\d{6}Z-[0-9a-f]{6}$/);
    expect(JSON.parse(call.input ?? '{}')).toMatchObject({
      client: 'acme',
      trigger: { by: 'dif start', client: 'acme' },
    });
    expect(result.stdout).toContain(
      'https://eu-west-1.console.aws.amazon.com/states/home?region=eu-west-1#/v2/executions/details/arn:aws:states:eu-west-1',
    );
  });

  it('starts a backfill execution with --from/--to, and wants both', async () => {
    sfn.on(StartExecutionCommand).resolves({ executionArn: `${ARN.replace('stateMachine', 'execution')}:acme-run` });
    const program = bareProgram((p) =>
      registerStartCommand(p, { sfn: new SFNClient({ region: 'eu-west-1' }), env: { DIF_STATE_MACHINE_ARN: ARN } }),
    );
    const args = ['start', '--client', 'acme', '--source', 'graph_ads', '--from', '2026-01-01', '--to', '2026-01-07'];
    expect((await runCli(program, args)).code).toBe(0);
    const input = JSON.parse(sfn.commandCalls(StartExecutionCommand)[0]!.args[0].input.input ?? '{}');
    expect(input).toMatchObject({ backfill: { from: '2026-01-01', to: '2026-01-07' }, trigger: { by: 'dif start' } });
    const half = await runCli(program, ['start', '--client', 'acme', '--from', '2026-01-01']);
    expect(half).toMatchObject({ code: 1, stderr: expect.stringContaining('needs both --from and --to') });
  });

  it('says what to set when the state machine is unknown, and suggests dif run', async () => {
    const program = bareProgram((p) => registerStartCommand(p, { env: {} }));
    const result = await runCli(program, ['start']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('DIF_STATE_MACHINE_ARN is not set');
    expect(result.stderr).toContain('dif run');
  });

  it('turns an AWS refusal into a readable error', async () => {
    sfn.on(StartExecutionCommand).rejects(
      Object.assign(new Error('User is not authorized to perform: states:StartExecution'), {
        name: 'AccessDeniedException',
      }),
    );
    const program = bareProgram((p) =>
      registerStartCommand(p, { sfn: new SFNClient({ region: 'eu-west-1' }), env: { DIF_STATE_MACHINE_ARN: ARN } }),
    );
    const result = await runCli(program, ['start', '--client', 'acme']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('could not start the execution: User is not authorized');
  });
});
