// Readings: the rules a reading must pass, and storing it (HTTP and UDP take this same path).
import { refreshAlarm } from './alarms';
import type { Context } from './context';
import { maskCpf } from './cpf';
import { errorField, logger } from './log';
import { InvalidInput } from './errors';
import type { ReadingInput } from './fields';
import type { Reading, StoreOutcome } from './model';

const EARLIEST_MS = Date.UTC(2000, 0, 1);
const FUTURE_TOLERANCE_MS = 5 * 60 * 1000;

/** Applies the rules that depend on config and the clock; throws InvalidInput naming the field. */
export function checkReading(context: Context, input: ReadingInput): Reading {
  const { maxReadingKwh } = context.settings;
  if (input.valor > maxReadingKwh) {
    throw new InvalidInput(`valor: must not exceed ${maxReadingKwh} kWh per reading`, 'valor');
  }
  if (input.timestamp < EARLIEST_MS) throw new InvalidInput('timestamp: must not be before 2000-01-01', 'timestamp');
  if (input.timestamp > context.now() + FUTURE_TOLERANCE_MS) {
    throw new InvalidInput('timestamp: must not be more than 5 minutes in the future', 'timestamp');
  }
  return { customerId: input.id, meterId: input.id_medidor, valor: input.valor, timestampMs: input.timestamp };
}

/** Stores a batch of checked readings; one outcome per reading, in order. */
export function recordReadings(context: Context, readings: Reading[]): Promise<StoreOutcome[]> {
  return context.repository.storeReadings(readings, {
    timeZone: context.settings.timeZone,
    excessOverKwh: context.settings.alarmLimitKwh,
    nowMs: context.now(),
  });
}

/** The stored reading with this identity (customer, meter, ms), if any: what a late resend is compared with. */
export function storedReading(context: Context, identity: Pick<Reading, 'customerId' | 'meterId' | 'timestampMs'>): Promise<Reading | undefined> {
  return context.repository.findReading(identity.customerId, identity.meterId, identity.timestampMs);
}

export interface RecordedReading {
  id: string;
  id_medidor: number;
  valor: number;
  timestamp: number;
  duplicate: boolean;
}

/** postConsumo: checks and stores one reading; a repeat of a stored reading is reported, not counted. */
export async function recordReading(context: Context, input: ReadingInput): Promise<RecordedReading> {
  const reading = checkReading(context, input);
  const [outcome] = await recordReadings(context, [reading]);
  if (outcome.status === 'rejected') throw outcome.error;
  if (outcome.status === 'stored') {
    // Alarms fire as readings arrive. The reading is already stored, so a failure here must not
    // fail the request: the next evaluation (getAlarme, the sweep) catches up.
    await refreshAlarm(context, reading.customerId).catch((error: unknown) => {
      logger.error('alarm evaluation failed', { cpf: maskCpf(reading.customerId), error: errorField(error) });
    });
  }
  return {
    id: reading.customerId,
    id_medidor: reading.meterId,
    valor: reading.valor,
    timestamp: reading.timestampMs / 1000,
    duplicate: outcome.status === 'duplicate',
  };
}
