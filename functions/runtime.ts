// Process-wide set-up for the handlers: config validated once, one DynamoDB client, the domain context.
import { loadTariff } from '../core/billing';
import { loadConfig } from '../core/config';
import type { Context } from '../core/context';
import { createDocumentClient } from '../core/store/client';
import { DynamoRepository } from '../core/store/dynamoRepository';

let context: Context | undefined;

/** Built on first use (so a bad variable fails the first request loudly, with its name, in the log). */
export function luzContext(): Context {
  if (!context) {
    const config = loadConfig();
    // In AWS the endpoint is the regional default; locally it points at DynamoDB Local.
    const endpoint = process.env.AWS_LAMBDA_FUNCTION_NAME && !process.env.IS_OFFLINE ? undefined : config.DYNAMODB_ENDPOINT;
    context = {
      repository: new DynamoRepository(createDocumentClient({ endpoint, region: config.AWS_REGION }), config.LUZ_TABLE_PREFIX),
      settings: {
        timeZone: config.LUZ_TZ,
        alarmLimitKwh: config.LUZ_ALARM_LIMIT_KWH,
        maxReadingKwh: config.LUZ_MAX_READING_KWH,
        tariff: loadTariff(config.TARIFF_FILE),
      },
      now: () => Date.now(),
    };
  }
  return context;
}
