import { PermanentError } from '../runtime/errors';

/**
 * A stream configuration that cannot be executed, caught at run time (a parent stream that does
 * not exist, a partition list that renders empty). Raised by planning and by extraction alike, so
 * it carries the one name the state machine knows for it.
 */
export class StreamConfigError extends PermanentError {
  constructor(where: string, detail: string) {
    super('Extract.ConfigError', `${where}: ${detail}`);
    this.name = 'StreamConfigError';
  }
}
