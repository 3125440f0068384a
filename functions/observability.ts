// What the functions tell operators: Powertools' Logger (core/log.ts) with the invocation's context and a
// correlation id, and figures as CloudWatch metrics in Embedded Metric Format (Powertools Metrics).
//
// Correlation id: the caller's `x-correlation-id` header when it sends one, else API Gateway's request id,
// so a request can be followed from the meter or the web app through every line it caused.
// The keys set here live on the process's logger for one invocation (reset after it): a Lambda
// sandbox runs one invocation at a time. serverless offline's in-process mode may run two requests
// of one route at once, and their lines may then show each other's keys — locally only.
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context as LambdaContext } from 'aws-lambda';
import { logger } from '../core/log';

export { logger };

export const metrics = new Metrics({ namespace: 'Luz', serviceName: 'luz' });

/** Adds one figure of this invocation (published when it ends, only if it has any). */
export const count = (name: string, value = 1) => metrics.addMetric(name, MetricUnit.Count, value);

/** Writes this invocation's EMF document, if a figure was added; nothing at all otherwise. */
export function publishFigures(dimensions: Record<string, string> = {}): void {
  if (metrics.hasStoredMetrics()) {
    metrics.addDimensions(dimensions);
    metrics.publishStoredMetrics();
  }
  metrics.clearDimensions();
}

export function correlationIdOf(event: APIGatewayProxyEvent): string | undefined {
  return event.headers?.['x-correlation-id'] ?? event.requestContext?.requestId ?? undefined;
}

/**
 * The chain's first middleware: the invocation's keys on the logger (function, request, correlation id),
 * then, whatever the outcome, one `answered` line (status, ms) and the figures (`serverErrors` on a 5xx).
 */
export function observe(): middy.MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult, Error, LambdaContext, { startedAt?: number }> {
  type Request = middy.Request<APIGatewayProxyEvent, APIGatewayProxyResult, Error, LambdaContext, { startedAt?: number }>;
  const done = (request: Request) => {
    const status = request.response?.statusCode ?? 500;
    const route = request.event.resource?.replace(/^\//, '') || process.env.AWS_LAMBDA_FUNCTION_NAME || 'unknown';
    if (status >= 500) count('serverErrors');
    logger.info('answered', { route, method: request.event.httpMethod, status, ms: Math.round((performance.now() - (request.internal.startedAt ?? 0)) * 10) / 10 });
    publishFigures({ route });
    logger.resetKeys();
  };
  return {
    before: (request: Request) => {
      request.internal.startedAt = performance.now();
      logger.resetKeys();
      logger.addContext(request.context);
      const correlationId = correlationIdOf(request.event);
      if (correlationId) logger.setCorrelationId(correlationId);
    },
    after: done,
    onError: done,
  };
}
