// Builds the domain context from validated config: one DynamoDB client, the repository, the tariff.
// Used by the HTTP handlers (functions/runtime.ts), the UDP gateway and the tools.
import type { Config } from './config';
import type { Context } from './context';
import { createDocumentClient } from './store/client';
import { DynamoRepository } from './store/dynamoRepository';
import { loadTariff } from './tariff';

export function settingsFrom(config: Config): Context['settings'] {
  return {
    timeZone: config.LUZ_TZ,
    alarmLimitKwh: config.LUZ_ALARM_LIMIT_KWH,
    maxReadingKwh: config.LUZ_MAX_READING_KWH,
    tariff: loadTariff(config.TARIFF_FILE),
    alarms: {
      rules: config.LUZ_ALARM_RULES,
      spikeFactor: config.LUZ_ALARM_SPIKE_FACTOR,
      projectionMinDays: config.LUZ_ALARM_PROJECTION_MIN_DAYS,
      meterIntervalMinutes: config.LUZ_METER_INTERVAL_MINUTES,
      silentIntervals: config.LUZ_ALARM_SILENT_INTERVALS,
    },
    tokenTtlMs: config.LUZ_TOKEN_TTL_DAYS * 86_400_000,
  };
}

/** `endpoint` undefined means the regional AWS endpoint (in the cloud). */
export function createContext(config: Config, endpoint: string | undefined = config.DYNAMODB_ENDPOINT): Context {
  const client = createDocumentClient({ endpoint, region: config.AWS_REGION });
  return {
    repository: new DynamoRepository(client, config.LUZ_TABLE_PREFIX, { timeZone: config.LUZ_TZ, writeGrouping: config.LUZ_WRITE_GROUPING }),
    settings: settingsFrom(config),
    now: () => Date.now(),
  };
}
