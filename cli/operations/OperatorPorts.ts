import type { Queue, QueueName, RunStateStore } from '../../shared/ports';
import type { ServiceContext } from '../../shared/runtime/ServiceContext';

/** Something the command opened and must close when it ends. */
export interface Closable {
  close(): Promise<void>;
}

/** Where a command finds its data: the local data directory, or (on AWS) the deployed stack. */
export interface OperatorLocation {
  dataDir: string;
  /** Folder holding sources/ and clients/. */
  configDir: string;
}

/**
 * The ports the operating commands (`dif runs`, `status`, `dlq`, `report`) open, each only what
 * it needs. The local profile opens the data directory (`localOperatorPorts`); an AWS profile
 * implements the same openers with the DynamoDB and SQS adapters, and the commands do not change.
 */
export interface OperatorPorts {
  /** Where the runs live, for messages: the data directory, or the DynamoDB table. */
  where(location: OperatorLocation): string;
  openRunState(location: OperatorLocation): Promise<RunStateStore & Closable>;
  openQueues(location: OperatorLocation): Promise<Record<QueueName, Queue> & Closable>;
  /**
   * The runs a live process is executing right now, when the profile can tell (locally: the data
   * directory's lock); `dif runs` shows any other `running` run as `abandoned`. Undefined: unknown.
   */
  liveRunIds?(location: OperatorLocation): Promise<ReadonlySet<string> | undefined>;
  /** A full service context, for `dif dlq replay --drain`, which runs stage handlers. */
  openStageContext(
    location: OperatorLocation,
    options: { maxReceiveCount: number },
  ): Promise<{ ctx: ServiceContext } & Closable>;
}

/** What the operating commands are registered with; tests inject a clock and ports. */
export interface OperatorCommandOptions {
  /** Default: the profile `DIF_PROFILE` names when the command runs (local: the data directory). */
  ports?: OperatorPorts;
  /** Clock for ages and durations. */
  now?: () => Date;
}
