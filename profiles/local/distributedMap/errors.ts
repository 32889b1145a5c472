/**
 * Failures of a local Map Run, named like Step Functions names them so the Map state's Retry and
 * Catch match them alike (aws-local-stepfunctions matches ErrorEquals against the error's name).
 */
export class MapRunError extends Error {
  constructor(
    name: 'States.ItemReaderFailed' | 'States.ResultWriterFailed' | 'States.ExceedToleratedFailureThreshold',
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = name;
  }
}
