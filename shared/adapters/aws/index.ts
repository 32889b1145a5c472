export * from './S3ObjectStore';
export * from './SqsQueue';
export * from './DynamoRunStateStore';
export * from './DynamoSecretRecordStore';
export * from './KmsKeyring';
export * from './StepFunctionsWorkflow';
export * from './runStateTable';
export * from './errors';
