// Scheduled (EventBridge, every 15 minutes): evaluates every customer's alarms, so a silent meter
// or a spike whose day ended changes state without anybody asking.
import { sweepAlarms } from '../../core/alarms';
import { count, logger, publishFigures } from '../observability';
import { luzContext } from '../runtime';

export async function handler(_event: unknown, lambdaContext?: { awsRequestId?: string }): Promise<{ avaliados: number }> {
  logger.resetKeys();
  if (lambdaContext?.awsRequestId) logger.setCorrelationId(lambdaContext.awsRequestId);
  const avaliados = await sweepAlarms(luzContext());
  count('customersEvaluated', avaliados);
  logger.info('alarm sweep', { avaliados });
  publishFigures();
  return { avaliados };
}
