import { userInfo } from 'node:os';
import type { SFNClient } from '@aws-sdk/client-sfn';
import type { Command } from 'commander';
import { UserError } from '../UserError';
import { commandOutput } from '../operations/commandOutput';

interface StartOptions {
  client?: string;
  source?: string;
  stream?: string;
  from?: string;
  to?: string;
  json?: boolean;
}

export interface StartCommandOptions {
  /** Injected in tests; by default a client for AWS_REGION with the standard credential chain. */
  sfn?: SFNClient;
  env?: NodeJS.ProcessEnv;
}

/** The console page of an execution, where a person watches it. */
export function executionConsoleUrl(executionArn: string): string {
  const region = executionArn.split(':')[3] ?? 'us-east-1';
  return `https://${region}.console.aws.amazon.com/states/home?region=${region}#/v2/executions/details/${executionArn}`;
}

/**
 * `dif start`: starts an ingest execution of the deployed state machine (the same thing the
 * console's "Start execution" button and the schedules do) and prints where to watch it.
 */
export function registerStartCommand(program: Command, options: StartCommandOptions = {}): void {
  program
    .command('start')
    .description(
      'Start an ingest execution on AWS (needs DIF_STATE_MACHINE_ARN and AWS credentials); `dif run` runs locally',
    )
    .option('--client <client>', 'only this client (one execution per client keeps executions small)')
    .option('--source <source>', 'only this source')
    .option('--stream <stream>', 'only this stream')
    .option('--from <date>', 'with --to: a backfill, planning exactly the date slices of --from..--to (YYYY-MM-DD)')
    .option('--to <date>', 'last date of the backfill window (inclusive)')
    .option('--json', 'print the execution as JSON')
    .action(async (start: StartOptions, command: Command) => {
      const env = options.env ?? process.env;
      const stateMachineArn = env.DIF_STATE_MACHINE_ARN;
      if (!stateMachineArn) {
        throw new UserError(
          'DIF_STATE_MACHINE_ARN is not set: export the ingest state machine ARN of the stage (Outputs of the CloudFormation stack, or `serverless info --verbose`), or use `dif run` to run locally',
        );
      }
      // The AWS SDK loads only when an execution is started, not for every `dif` command.
      const [{ SFNClient }, { StepFunctionsWorkflow }, { newRunId }] = await Promise.all([
        import('@aws-sdk/client-sfn'),
        import('../../shared/adapters/aws/StepFunctionsWorkflow'),
        import('../../services/runs/handlers/plan'),
      ]);
      const region = stateMachineArn.split(':')[3];
      const workflow = new StepFunctionsWorkflow({ client: options.sfn ?? new SFNClient({ region }), stateMachineArn });
      const runId = newRunId(new Date());
      const filters = Object.fromEntries(
        Object.entries({ client: start.client, source: start.source, stream: start.stream }).filter(
          ([, value]) => value,
        ),
      );
      if ((start.from === undefined) !== (start.to === undefined))
        throw new UserError('a backfill needs both --from and --to (YYYY-MM-DD)');
      const backfill = start.from && start.to ? { backfill: { from: start.from, to: start.to } } : {};
      const input = {
        runId,
        ...filters,
        ...backfill,
        trigger: { by: 'dif start', user: userInfo().username, ...filters, ...backfill },
      };
      const name = [start.client ?? 'all', runId].join('-');
      const { executionArn } = await workflow.startExecution(input, name).catch((error: unknown) => {
        throw new UserError(
          `could not start the execution: ${error instanceof Error ? error.message : String(error)} (check the AWS credentials and that they may call states:StartExecution on ${stateMachineArn})`,
        );
      });
      const out = commandOutput(command);
      if (start.json)
        out(JSON.stringify({ runId, executionArn, consoleUrl: executionConsoleUrl(executionArn), input }));
      else out(`started run ${runId}\nexecution ${executionArn}\nwatch it: ${executionConsoleUrl(executionArn)}`);
    });
}
