// What every domain function receives: the repository, the rules' settings and a clock.
import type { AlarmSettings } from './alarms';
import type { Tariff } from './tariff';
import type { Repository } from './model';

export interface Settings {
  timeZone: string;
  /** Alarm limit, kWh, for the month total and for a single reading. */
  alarmLimitKwh: number;
  /** Largest kWh a single reading may carry. */
  maxReadingKwh: number;
  tariff: Tariff;
  /** Alarm rules and their numbers; anything absent takes DEFAULT_ALARM_SETTINGS. */
  alarms?: Partial<AlarmSettings>;
  /** How long a customer token stays valid, ms (default: DEFAULT_TOKEN_TTL_MS). */
  tokenTtlMs?: number;
}

export interface Context {
  repository: Repository;
  settings: Settings;
  /** Unix ms; tests freeze it. */
  now: () => number;
}
