// What every domain function receives: the repository, the rules' settings and a clock.
import type { Tariff } from './tariff';
import type { Repository } from './repository';

// Alarm rules (core/alarms.ts evaluates them): which exist, and the numbers each one uses.
export const ALARM_RULES = ['total_mensal', 'leitura_individual', 'pico_diario', 'projecao_mensal', 'medidor_silencioso'] as const;
export type AlarmRule = (typeof ALARM_RULES)[number];

export interface AlarmSettings {
  /** Rules in use (all by default). */
  rules: readonly AlarmRule[];
  /** Spike: a day above `spikeFactor` × the median of the previous 7 days. */
  spikeFactor: number;
  /** Projection: not before this many days of the month have passed (earlier, one reading extrapolates wildly). */
  projectionMinDays: number;
  /** Silent meter: how often a meter is expected to report, and how many missed intervals raise the alarm. */
  meterIntervalMinutes: number;
  silentIntervals: number;
}

export const DEFAULT_ALARM_SETTINGS: AlarmSettings = {
  rules: ALARM_RULES,
  spikeFactor: 2,
  projectionMinDays: 1,
  meterIntervalMinutes: 60,
  silentIntervals: 3,
};

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
