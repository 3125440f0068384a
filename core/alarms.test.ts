// Each alarm rule with hand-computed numbers, and the fired/cleared history (in memory, clock frozen).
import { AlarmNotFound, acknowledgeAlarms, evaluateAlarm, getAlarm, listCustomersInAlarm, sweepAlarms, type AlarmInput } from './alarms';
import { DEFAULT_ALARM_SETTINGS, type Context } from './context';
import { withCheckDigits } from './cpf';
import { registerCustomer, registerMeter } from './customers';
import { Decimal } from './decimal';
import { recordReadings } from './readings';
import { MemoryRepository } from './store/memoryRepository';
import { loadTariff } from './tariff';

const BAHIA = 'America/Bahia';
const d = (value: number | string) => new Decimal(value);
// 2025-07-10 12:00 in Bahia: 9.5 days of July's 31 have passed.
const NOW = Date.parse('2025-07-10T15:00:00Z');

function input(change: Partial<AlarmInput> = {}): AlarmInput {
  return {
    nowMs: NOW,
    timeZone: BAHIA,
    limitKwh: 1000,
    month: '2025-07',
    monthTotal: d(0),
    largeReadings: [],
    today: { day: '2025-07-10', kwh: d(0) },
    previousDays: Array(7).fill(d(0)),
    meters: [],
    ...change,
  };
}

describe('total_mensal and leitura_individual (the original rules)', () => {
  it('month total above the limit: 1000.5 > 1000', () => {
    expect(evaluateAlarm(input({ monthTotal: d('1000.5') }))).toEqual([
      {
        regra: 'total_mensal',
        mensagem: 'consumption this month (1000.5 kWh) is above the limit of 1000 kWh',
        limite: 1000,
        valor: 1000.5,
        mes: '2025-07',
      },
    ]);
  });

  it('exactly at the limit is not above it', () => {
    expect(evaluateAlarm(input({ monthTotal: d(1000), today: { day: '2025-07-10', kwh: d(0) } }))).toEqual([
      // 1000 kWh in 9.5 days projects past the limit: only the early warning holds.
      expect.objectContaining({ regra: 'projecao_mensal' }),
    ]);
  });

  it('a single reading above the limit, with its meter and time', () => {
    const reading = { meterId: 2, valor: 1500, timestampMs: Date.parse('2025-07-03T12:00:00Z') };
    expect(evaluateAlarm(input({ monthTotal: d(1500), largeReadings: [reading] }))[1]).toEqual({
      regra: 'leitura_individual',
      mensagem: 'meter 2 reported 1500 kWh in one reading at 2025-07-03T09:00:00-03:00, above the limit of 1000 kWh',
      limite: 1000,
      valor: 1500,
      mes: '2025-07',
      id_medidor: 2,
      timestamp: Date.parse('2025-07-03T12:00:00Z') / 1000,
    });
  });
});

describe('pico_diario: a day above k × the median of the previous 7 days', () => {
  // previous days 4, 5, 6, 5, 7, 3, 5 → sorted 3 4 5 5 5 6 7 → median 5; k = 2 → threshold 10
  const week = [4, 5, 6, 5, 7, 3, 5].map(d);

  it('10.5 kWh today > 2 × 5 fires, with the numbers', () => {
    expect(evaluateAlarm(input({ previousDays: week, today: { day: '2025-07-10', kwh: d('10.5') } }))).toEqual([
      {
        regra: 'pico_diario',
        mensagem: 'consumption today (10.5 kWh) is above 2 × the median of the previous 7 days (5 kWh)',
        limite: 10,
        valor: 10.5,
        dia: '2025-07-10',
        mediana: 5,
        fator: 2,
      },
    ]);
  });

  it('exactly 2 × the median does not fire', () => {
    expect(evaluateAlarm(input({ previousDays: week, today: { day: '2025-07-10', kwh: d(10) } }))).toEqual([]);
  });

  it('the factor is configurable: k = 3 → threshold 15', () => {
    const settings = { ...DEFAULT_ALARM_SETTINGS, spikeFactor: 3 };
    expect(evaluateAlarm(input({ previousDays: week, today: { day: '2025-07-10', kwh: d(14) } }), settings)).toEqual([]);
    expect(evaluateAlarm(input({ previousDays: week, today: { day: '2025-07-10', kwh: d(16) } }), settings)[0]).toMatchObject({
      limite: 15,
      valor: 16,
    });
  });

  it('days without readings count as 0; a median of 0 (no history) never fires', () => {
    const sparse = [0, 0, 0, 0, 8, 9, 10].map(d); // median 0
    expect(evaluateAlarm(input({ previousDays: sparse, today: { day: '2025-07-10', kwh: d(50) } }))).toEqual([]);
  });
});

describe('projecao_mensal: month-to-date extrapolated to the month end', () => {
  it('400 kWh in 9.5 of 31 days → 400 × 31 / 9.5 = 1305.26 kWh > 1000', () => {
    expect(evaluateAlarm(input({ monthTotal: d(400) }))).toEqual([
      {
        regra: 'projecao_mensal',
        mensagem: 'at this pace the month ends at 1305.26 kWh (400 kWh in 9.5 of 31 days), above the limit of 1000 kWh',
        limite: 1000,
        valor: 1305.26,
        mes: '2025-07',
        kwhAteAgora: 400,
        diasDecorridos: 9.5,
        diasNoMes: 31,
      },
    ]);
  });

  it('300 kWh in 9.5 days → 978.95 kWh stays under the limit', () => {
    expect(evaluateAlarm(input({ monthTotal: d(300) }))).toEqual([]);
  });

  it('not before projectionMinDays: 100 kWh in the first 12 hours would project 6200 kWh', () => {
    const early = Date.parse('2025-07-01T15:00:00Z'); // 12:00 local on day 1
    expect(evaluateAlarm(input({ nowMs: early, monthTotal: d(100) }))).toEqual([]);
    const settings = { ...DEFAULT_ALARM_SETTINGS, projectionMinDays: 0.5 };
    expect(evaluateAlarm(input({ nowMs: early, monthTotal: d(100) }), settings)[0]).toMatchObject({ valor: 6200, diasDecorridos: 0.5 });
  });

  it('month boundary in America/Bahia: at 02:00Z on Aug 1 it is still July 31 local (30.96 days elapsed)', () => {
    const lastHour = Date.parse('2025-08-01T02:00:00Z'); // 23:00 on July 31 local; 30 days 23 hours elapsed
    // 990 × 31 / (30 + 23/24) = 991.39… > 1000? no: 990 × 744 / 743 = 991.33 → under the limit
    expect(evaluateAlarm(input({ nowMs: lastHour, monthTotal: d(990) }))).toEqual([]);
    // 999 × 744 / 743 = 1000.34 > 1000
    expect(evaluateAlarm(input({ nowMs: lastHour, monthTotal: d(999) }))[0]).toMatchObject({ regra: 'projecao_mensal', valor: 1000.34 });
  });
});

describe('medidor_silencioso: no reading for more than 3 expected intervals', () => {
  const meter = (lastIso: string | undefined, createdIso = '2025-07-01T00:00:00Z') => ({
    meterId: 1,
    createdAt: createdIso,
    ...(lastIso ? { lastReadingMs: Date.parse(lastIso) } : {}),
  });

  it('last reading 181 minutes ago, interval 60 → silent (limit 180 minutes)', () => {
    expect(evaluateAlarm(input({ meters: [meter('2025-07-10T11:59:00Z')] }))).toEqual([
      {
        regra: 'medidor_silencioso',
        mensagem:
          'meter 1 has sent no reading since 2025-07-10T08:59:00-03:00 (181 minutes; expected every 60); it may be broken or disconnected',
        limite: 180,
        valor: 181,
        id_medidor: 1,
        ultimaLeitura: '2025-07-10T08:59:00-03:00',
        minutosSemLeitura: 181,
      },
    ]);
  });

  it('exactly 180 minutes is not yet silent', () => {
    expect(evaluateAlarm(input({ meters: [meter('2025-07-10T12:00:00Z')] }))).toEqual([]);
  });

  it('a meter that never reported is judged from its registration', () => {
    const reasons = evaluateAlarm(input({ meters: [meter(undefined, '2025-07-10T10:00:00Z')] }));
    expect(reasons).toEqual([expect.objectContaining({ regra: 'medidor_silencioso', valor: 300, ultimaLeitura: null })]);
  });

  it('interval and count are configurable: every 15 minutes × 4 → 60 minutes', () => {
    const settings = { ...DEFAULT_ALARM_SETTINGS, meterIntervalMinutes: 15, silentIntervals: 4 };
    expect(evaluateAlarm(input({ meters: [meter('2025-07-10T14:01:00Z')] }), settings)).toEqual([]);
    expect(evaluateAlarm(input({ meters: [meter('2025-07-10T13:59:00Z')] }), settings)[0]).toMatchObject({ limite: 60, valor: 61 });
  });
});

it('a rule can be switched off', () => {
  const settings = { ...DEFAULT_ALARM_SETTINGS, rules: DEFAULT_ALARM_SETTINGS.rules.filter((rule) => rule !== 'total_mensal') };
  expect(evaluateAlarm(input({ monthTotal: d(2000) }), settings)).toEqual([]);
});

describe('alarm events: fired and cleared (in memory)', () => {
  const CPF = withCheckDigits('529982247');
  let now = Date.parse('2025-07-10T15:00:00Z');
  const context: Context = {
    repository: new MemoryRepository(),
    settings: {
      timeZone: BAHIA,
      alarmLimitKwh: 1000,
      maxReadingKwh: 100_000,
      tariff: loadTariff('tariffs/flat-1.07.json'),
      alarms: { rules: ['pico_diario', 'medidor_silencioso'] },
    },
    now: () => now,
  };
  const at = (iso: string) => Date.parse(iso);

  beforeAll(async () => {
    await registerCustomer(context, { id: CPF, name: 'Ana' });
    await registerMeter(context, { id: CPF });
    // 5 kWh on each of the 7 days before July 10 (local noon), then 12 kWh on July 10 by 11:00 local.
    const week = [3, 4, 5, 6, 7, 8, 9].map((day) => ({ customerId: CPF, meterId: 1, valor: 5, timestampMs: at(`2025-07-0${day}T15:00:00Z`) }));
    await recordReadings(context, [...week, { customerId: CPF, meterId: 1, valor: 12, timestampMs: at('2025-07-10T14:00:00Z') }]);
  });

  it('the spike fires on evaluation and is an open event', async () => {
    const alarm = await getAlarm(context, CPF);
    expect(alarm).toMatchObject({ alarme: 'Excesso!', motivos: [{ regra: 'pico_diario', valor: 12, limite: 10 }] });
    expect(alarm.eventos).toEqual([
      {
        regra: 'pico_diario',
        disparadoEm: '2025-07-10T12:00:00-03:00',
        encerradoEm: null,
        reconhecidoEm: null,
        reconhecidoPor: null,
        mensagem: 'consumption today (12 kWh) is above 2 × the median of the previous 7 days (5 kWh)',
      },
    ]);
    expect(await listCustomersInAlarm(context, { limit: 10 })).toEqual({
      clientes: [
        {
          id: CPF,
          alarmes: [
            {
              regra: 'pico_diario',
              desde: '2025-07-10T12:00:00-03:00',
              mensagem: 'consumption today (12 kWh) is above 2 × the median of the previous 7 days (5 kWh)',
            },
          ],
        },
      ],
      cursor: null,
    });
  });

  it('asking again while it holds opens no second event', async () => {
    now = Date.parse('2025-07-10T16:00:00Z');
    expect((await getAlarm(context, CPF)).eventos).toHaveLength(1);
  });

  it('the customer acknowledges the active event: when and by whom is kept; a later staff acknowledgement changes nothing', async () => {
    now = Date.parse('2025-07-10T16:30:00Z');
    const first = await acknowledgeAlarms(context, CPF, 'cliente');
    expect(first).toEqual({
      id: CPF,
      reconhecidos: [expect.objectContaining({ regra: 'pico_diario', encerradoEm: null, reconhecidoEm: '2025-07-10T13:30:00-03:00', reconhecidoPor: 'cliente' })],
    });
    now = Date.parse('2025-07-10T17:00:00Z');
    expect(await acknowledgeAlarms(context, CPF, 'staff')).toEqual(first);
    expect((await getAlarm(context, CPF)).eventos).toEqual(first.reconhecidos);
  });

  it('at local midnight the day ends, the spike clears; the meter, quiet since 11:00, goes silent after 14:00', async () => {
    now = Date.parse('2025-07-11T03:30:00Z'); // 00:30 on July 11 local; last reading 11:00 on July 10 → 810 minutes
    const alarm = await getAlarm(context, CPF);
    expect(alarm.motivos).toEqual([expect.objectContaining({ regra: 'medidor_silencioso', valor: 810 })]);
    expect(alarm.eventos.map(({ regra, disparadoEm, encerradoEm }) => [regra, disparadoEm, encerradoEm])).toEqual([
      ['medidor_silencioso', '2025-07-11T00:30:00-03:00', null],
      ['pico_diario', '2025-07-10T12:00:00-03:00', '2025-07-11T00:30:00-03:00'],
    ]);
  });

  it('a new reading clears the silent meter (found by the sweep); nobody is in alarm any more', async () => {
    now = Date.parse('2025-07-11T04:00:00Z');
    await recordReadings(context, [{ customerId: CPF, meterId: 1, valor: 0.5, timestampMs: at('2025-07-11T03:55:00Z') }]);
    expect(await sweepAlarms(context)).toBe(1);
    expect(await listCustomersInAlarm(context, { limit: 10 })).toEqual({ clientes: [], cursor: null });
    const alarm = await getAlarm(context, CPF);
    expect(alarm).toMatchObject({ alarme: 'Ok!', motivos: [] });
    expect(alarm.eventos[0]).toMatchObject({ regra: 'medidor_silencioso', id_medidor: 1, encerradoEm: '2025-07-11T01:00:00-03:00' });
  });

  it('a customer who never had an alarm has nothing to acknowledge', async () => {
    const other = withCheckDigits('111444777');
    await registerCustomer(context, { id: other, name: 'Bia' });
    await expect(acknowledgeAlarms(context, other, 'staff')).rejects.toBeInstanceOf(AlarmNotFound);
  });
});
