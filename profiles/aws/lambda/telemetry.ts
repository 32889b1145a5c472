import { Metrics } from '@aws-lambda-powertools/metrics';

/** Namespace of every DIF metric; serverless.yml's alarms read from it. */
export const METRICS_NAMESPACE = 'DIF';

/**
 * The Powertools metrics of this function, written as CloudWatch embedded-metric-format log lines
 * (no PutMetricData permission needed). `service` is the one default dimension.
 */
export const metrics = new Metrics({
  namespace: METRICS_NAMESPACE,
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'dif',
});
