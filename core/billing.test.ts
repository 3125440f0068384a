// Every tariff line with hand-computed values; the sample bills of docs/BILLING.md; closing months.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closeInvoice, getInvoice, lateKwh, listInvoices, priceInvoice, toCentavos } from './billing';
import type { Context } from './context';
import { withCheckDigits } from './cpf';
import { registerCustomer, registerMeter } from './customers';
import { Decimal } from './decimal';
import { recordReadings } from './readings';
import { MemoryRepository } from './store/memoryRepository';
import { loadTariff, ratesFor, TariffError, TariffNotInForce, type Tariff } from './tariff';
import { closedInvoice } from '../test/fixtures';

const B1 = loadTariff('tariffs/b1-example.json');
const FLAT = loadTariff('tariffs/flat-1.07.json');
const d = (value: string | number) => new Decimal(value);

describe('money rounding', () => {
  it.each([
    ['0.005', 0.01],
    ['0.004999', 0],
    ['2.675', 2.68], // a float would say 2.67 (2.675 is 2.67499… in binary)
    ['118.36875', 118.37],
    ['1.115', 1.12],
  ])('%s rounds half up to %p', (amount, centavos) => {
    expect(toCentavos(d(amount)).toNumber()).toBe(centavos);
  });
});

describe('flat tariff (the original R$ 1.07/kWh)', () => {
  it('one line, same numbers as the original system: 110.625 kWh × 1.07 = 118.36875 → R$ 118.37', () => {
    const priced = priceInvoice(ratesFor(FLAT, '2025-01', 'monofasico'), d('110.625'));
    expect(priced.itens).toEqual([
      { descricao: 'Energia consumida', quantidade: 110.625, unidade: 'kWh', precoUnitario: 1.07, valor: 118.37 },
    ]);
    expect(priced.valor.toNumber()).toBe(118.37);
  });

  it('no minimum, no taxes: 0 kWh is R$ 0.00', () => {
    const priced = priceInvoice(ratesFor(FLAT, '2025-01', 'trifasico'), d(0));
    expect(priced.valor.toNumber()).toBe(0);
    expect(priced.itens).toHaveLength(1);
  });

  it('is valid in any month (no validity ranges)', () => {
    expect(ratesFor(FLAT, '2001-01', 'monofasico').energy[0].perKwh.toString()).toBe('1.07');
  });
});

describe('B1 tariff lines', () => {
  it('sample bill 1 (docs/BILLING.md): 187.5 kWh, monofásico, August 2025 (vermelha patamar 2)', () => {
    // TE     187.5 × 0.30512 = 57.21
    // TUSD   187.5 × 0.47318 = 88.72125 → 88.72
    // bandeira vermelha 2: 187.5 × 7.877 / 100 = 14.769375 → 14.77
    // base = 57.21 + 88.72 + 14.77 = 160.70
    // por dentro: 160.70 / (1 − 0.205 − 0.011 − 0.0507) = 160.70 / 0.7333 = 219.14632… → 219.15
    // ICMS 219.15 × 0.205 = 44.92575 → 44.93; PIS × 0.011 = 2.41065 → 2.41; COFINS × 0.0507 = 11.110905 → 11.11
    // CIP band 101–200 kWh: 15.80
    // total = 57.21 + 88.72 + 14.77 + 44.93 + 2.41 + 11.11 + 15.80 = 234.95
    const priced = priceInvoice(ratesFor(B1, '2025-08', 'monofasico'), d('187.5'));
    expect(priced.itens).toEqual([
      { descricao: 'Energia TE', quantidade: 187.5, unidade: 'kWh', precoUnitario: 0.30512, valor: 57.21 },
      { descricao: 'Energia TUSD', quantidade: 187.5, unidade: 'kWh', precoUnitario: 0.47318, valor: 88.72 },
      {
        descricao: 'Adicional bandeira vermelha patamar 2 (R$ 7,877 por 100 kWh)',
        quantidade: 187.5,
        unidade: 'kWh',
        precoUnitario: 0.07877,
        valor: 14.77,
      },
      { descricao: 'ICMS (20,5%, por dentro)', quantidade: 219.15, unidade: 'R$', precoUnitario: 0.205, valor: 44.93 },
      { descricao: 'PIS (1,1%, por dentro)', quantidade: 219.15, unidade: 'R$', precoUnitario: 0.011, valor: 2.41 },
      { descricao: 'COFINS (5,07%, por dentro)', quantidade: 219.15, unidade: 'R$', precoUnitario: 0.0507, valor: 11.11 },
      { descricao: 'Contribuição de iluminação pública (CIP/COSIP)', quantidade: 1, unidade: 'mês', precoUnitario: 15.8, valor: 15.8 },
    ]);
    expect(priced.valor.toString()).toBe('234.95');
    // A kWh of August costs TE + TUSD + bandeira: 0.30512 + 0.47318 + 0.07877 = 0.85707 (late readings use it).
    expect(priced.perKwh.toString()).toBe('0.85707');
  });

  it('sample bill 2 (docs/BILLING.md): 22 kWh, trifásico, March 2025 (verde, the 2024 tariff still in force)', () => {
    // TE     22 × 0.29981 = 6.59582 → 6.60
    // TUSD   22 × 0.46502 = 10.23044 → 10.23
    // disponibilidade: trifásico bills at least 100 kWh: 78 × (0.29981 + 0.46502) = 78 × 0.76483 = 59.65674 → 59.66
    // bandeira verde: no line
    // base = 6.60 + 10.23 + 59.66 = 76.49; 76.49 / 0.7333 = 104.30929… → 104.31
    // ICMS 104.31 × 0.205 = 21.38355 → 21.38; PIS 1.14741 → 1.15; COFINS 5.288517 → 5.29
    // CIP band up to 30 kWh: 2.50; total = 76.49 + 21.38 + 1.15 + 5.29 + 2.50 = 106.81
    const priced = priceInvoice(ratesFor(B1, '2025-03', 'trifasico'), d(22));
    expect(priced.itens.map(({ descricao, valor }) => [descricao, valor])).toEqual([
      ['Energia TE', 6.6],
      ['Energia TUSD', 10.23],
      ['Custo de disponibilidade (trifásico: mínimo 100 kWh)', 59.66],
      ['ICMS (20,5%, por dentro)', 21.38],
      ['PIS (1,1%, por dentro)', 1.15],
      ['COFINS (5,07%, por dentro)', 5.29],
      ['Contribuição de iluminação pública (CIP/COSIP)', 2.5],
    ]);
    expect(priced.itens[2]).toMatchObject({ quantidade: 78, precoUnitario: 0.76483 });
    expect(priced.valor.toString()).toBe('106.81');
    expect(priced.billedKwh.toNumber()).toBe(100);
  });

  it('custo de disponibilidade by connection: 40 kWh is under bifásico (50) but not monofásico (30)', () => {
    const bi = priceInvoice(ratesFor(B1, '2025-03', 'bifasico'), d(40));
    // 10 kWh × 0.76483 = 7.6483 → 7.65
    expect(bi.itens[2]).toEqual({
      descricao: 'Custo de disponibilidade (bifásico: mínimo 50 kWh)',
      quantidade: 10,
      unidade: 'kWh',
      precoUnitario: 0.76483,
      valor: 7.65,
    });
    const mono = priceInvoice(ratesFor(B1, '2025-03', 'monofasico'), d(40));
    expect(mono.itens.map(({ descricao }) => descricao)).not.toContain('Custo de disponibilidade (monofásico: mínimo 30 kWh)');
  });

  it('the bandeira is charged on the billed kWh, minimum included (amarela, May 2025, 10 kWh trifásico)', () => {
    // billed 100 kWh × 1.885 / 100 = 1.885 → 1.89
    const priced = priceInvoice(ratesFor(B1, '2025-05', 'trifasico'), d(10));
    expect(priced.itens[3]).toEqual({
      descricao: 'Adicional bandeira amarela (R$ 1,885 por 100 kWh)',
      quantidade: 100,
      unidade: 'kWh',
      precoUnitario: 0.01885,
      valor: 1.89,
    });
  });

  it('vermelha patamar 1 (June 2025): 100 kWh × 4.463 / 100 = R$ 4.46 (4.463 → 4.46)', () => {
    const line = priceInvoice(ratesFor(B1, '2025-06', 'monofasico'), d(100)).itens[2];
    expect(line).toMatchObject({ descricao: 'Adicional bandeira vermelha patamar 1 (R$ 4,463 por 100 kWh)', valor: 4.46 });
  });

  it('CIP bands: at a band edge the lower band applies (30 → 2.50, 30.001 → 7.90, 200 → 15.80, 200.5 → 29.90)', () => {
    const cip = (kwh: string) => priceInvoice(ratesFor(B1, '2025-03', 'monofasico'), d(kwh)).itens.at(-1)!.valor;
    expect([cip('30'), cip('30.001'), cip('200'), cip('200.5')]).toEqual([2.5, 7.9, 15.8, 29.9]);
  });

  it('a tariff change mid-history: April 2025 bills with the 2024 TE, May 2025 with the new one', () => {
    expect(ratesFor(B1, '2025-04', 'monofasico').energy.map(({ perKwh }) => perKwh.toString())).toEqual(['0.29981', '0.46502']);
    expect(ratesFor(B1, '2025-05', 'monofasico').energy.map(({ perKwh }) => perKwh.toString())).toEqual(['0.30512', '0.47318']);
  });

  it('a month outside every validity range cannot be billed, naming what is missing', () => {
    expect(() => ratesFor(B1, '2024-04', 'monofasico')).toThrow(new TariffNotInForce('2024-04', 'TE'));
    expect(new TariffNotInForce('2024-04', 'TE').message).toBe('mes: the tariff has no TE in force for 2024-04');
  });

  it('a month missing from the bandeira list takes the default flag (verde in the example)', () => {
    expect(ratesFor(B1, '2026-11', 'monofasico').bandeira).toEqual({ cor: 'verde', per100Kwh: d(0) });
  });

  it('late kWh of a closed month are added at that month frozen price, as a taxed line', () => {
    // 2025-08 base 160.70 + adjustment 5 kWh × 0.85707 = 4.28535 → 4.29 → base 164.99
    // 164.99 / 0.7333 = 224.99659… → 225.00; ICMS 46.125 → 46.13; PIS 2.475 → 2.48; COFINS 11.4075 → 11.41
    const priced = priceInvoice(ratesFor(B1, '2025-08', 'monofasico'), d('187.5'), [
      { mes: '2025-07', kwh: d(5), perKwh: d('0.85707') },
    ]);
    expect(priced.itens[3]).toEqual({
      descricao: 'Ajuste: consumo de 2025-07 lido após o fechamento',
      quantidade: 5,
      unidade: 'kWh',
      precoUnitario: 0.85707,
      valor: 4.29,
    });
    expect(priced.itens.slice(4, 7).map(({ quantidade, valor }) => [quantidade, valor])).toEqual([
      [225, 46.13],
      [225, 2.48],
      [225, 11.41],
    ]);
    // 57.21 + 88.72 + 14.77 + 4.29 + 46.13 + 2.48 + 11.41 + 15.80 = 240.81
    expect(priced.valor.toString()).toBe('240.81');
  });
});

describe('lateKwh (what a closed month still owes)', () => {
  it.each([
    ['above the minimum: all late kWh', '100', 30, '104.5', '4.5'],
    ['billed at the minimum, still under it: nothing', '20', 30, '25', '0'],
    ['billed at the minimum, now above it: only the kWh over the minimum', '20', 30, '34', '4'],
    ['nothing new', '50', 0, '50', '0'],
  ])('%s', (_title, accounted, minimum, now, late) => {
    expect(lateKwh({ accountedKwh: accounted, minimumKwh: minimum }, d(now)).toString()).toBe(late);
  });
});

describe('tariff files are validated at start-up', () => {
  const folder = mkdtempSync(join(tmpdir(), 'luz-tariff-'));
  afterAll(() => rmSync(folder, { recursive: true, force: true }));
  const write = (content: unknown) => {
    const path = join(folder, `t${Math.random()}.json`);
    writeFileSync(path, JSON.stringify(content));
    return path;
  };
  const b1 = (): Tariff & Record<string, unknown> => JSON.parse(JSON.stringify(B1));

  it('the two shipped files load', () => {
    expect(FLAT).toEqual({
      nome: 'Tarifa plana original',
      fonte: 'Lab system contract: every kWh billed at R$ 1.07, no taxes, no minimum',
      energiaPorKwh: '1.07',
    });
    expect(B1.nome).toBe('B1 residencial convencional (exemplo, Bahia)');
  });

  it('overlapping validity ranges are refused, naming the field', () => {
    const tariff = b1();
    (tariff.te as unknown[]).push({ desde: '2025-01', valor: '0.3' });
    expect(() => loadTariff(write(tariff))).toThrow(/te\.2\.desde: overlaps the period starting 2024-05/);
  });

  it('a price that is a number (float) is refused: prices are exact decimal strings', () => {
    const tariff = b1();
    (tariff.tusd as { valor: unknown }[])[0].valor = 0.46502;
    expect(() => loadTariff(write(tariff))).toThrow(/tusd\.0\.valor: /);
  });

  it('a tax rate written as a percentage is refused', () => {
    const tariff = b1();
    (tariff.icms as { aliquota: unknown }[])[0].aliquota = '20.5';
    expect(() => loadTariff(write(tariff))).toThrow(/icms\.0\.aliquota: a rate is a fraction/);
  });

  it('CIP bands must go up, and only the last is open', () => {
    const tariff = b1();
    (tariff.cip as { faixas: unknown[] }[])[0].faixas = [{ ateKwh: 100, valor: '1' }, { ateKwh: 50, valor: '2' }, { valor: '3' }];
    expect(() => loadTariff(write(tariff))).toThrow(/cip\.0\.faixas: bands go up/);
  });

  it('a misspelt field is refused, not ignored', () => {
    expect(() => loadTariff(write({ nome: 'x', fonte: 'y', energiaPorKwh: '1', vencimento: 5 }))).toThrow(TariffError);
  });

  it('a missing file names TARIFF_FILE', () => {
    expect(() => loadTariff(join(folder, 'none.json'))).toThrow(/^TARIFF_FILE .*none\.json: ENOENT/);
  });
});

describe('closing months (in memory, clock frozen)', () => {
  const CPF = withCheckDigits('529982247');
  let now = Date.parse('2025-09-02T12:00:00Z');
  const context: Context = {
    repository: new MemoryRepository(),
    settings: { timeZone: 'America/Bahia', alarmLimitKwh: 1000, maxReadingKwh: 100_000, tariff: B1 },
    now: () => now,
  };
  const reading = (meterId: number, valor: number, iso: string) => ({ customerId: CPF, meterId, valor, timestampMs: Date.parse(iso) });
  const store = (...readings: ReturnType<typeof reading>[]) =>
    recordReadings(context, readings);

  beforeAll(async () => {
    await registerCustomer(context, { id: CPF, name: 'Ana' });
    await registerMeter(context, { id: CPF });
    await registerMeter(context, { id: CPF });
    // August 2025 in America/Bahia: 2025-08-01T03:00Z .. 2025-09-01T03:00Z
    await store(reading(1, 120.25, '2025-08-10T12:00:00Z'), reading(2, 67.25, '2025-09-01T02:59:00Z'), reading(1, 9, '2025-09-01T03:00:00Z'));
  });

  it('freezes sample bill 1 with number, period, dates and kWh per meter (the reading at 23:59 local on Aug 31 counts in August)', async () => {
    const invoice = await closeInvoice(context, CPF, '2025-08');
    expect(invoice).toEqual(closedInvoice({
      id: CPF,
      mes: '2025-08',
      emissao: '2025-09-02T09:00:00-03:00',
      vencimento: '2025-09-12',
      tarifa: 'B1 residencial convencional (exemplo, Bahia)',
      kwh: 187.5,
      medidores: [
        { id_medidor: 1, kwh: 120.25 },
        { id_medidor: 2, kwh: 67.25 },
      ],
      itens: priceInvoice(ratesFor(B1, '2025-08', 'monofasico'), d('187.5')).itens,
      valor: 234.95,
    }));
  });

  it('closing twice is refused; the frozen invoice ignores late readings', async () => {
    await expect(closeInvoice(context, CPF, '2025-08')).rejects.toMatchObject({
      code: 'invoice_closed',
      message: 'mes: the invoice of 2025-08 is already closed',
    });
    await store(reading(2, 5, '2025-08-20T12:00:00Z')); // late: August is closed
    expect(await getInvoice(context, CPF, '2025-08')).toMatchObject({ situacao: 'fechada', kwh: 187.5, valor: 234.95 });
  });

  it('a month that has not ended cannot be closed', async () => {
    await expect(closeInvoice(context, CPF, '2025-09')).rejects.toMatchObject({
      code: 'invalid_input',
      message: 'mes: 2025-09 has not ended yet; it can be closed from 2025-10-01T00:00:00-03:00',
    });
  });

  it('the late 5 kWh appear once, on the next invoice, priced as August', async () => {
    now = Date.parse('2025-10-01T15:00:00Z');
    // September: 9 kWh measured, vermelha 2; monofásico minimum 30 → 21 kWh of disponibilidade.
    // TE 9 × 0.30512 = 2.74608 → 2.75; TUSD 9 × 0.47318 = 4.25862 → 4.26; disponibilidade 21 × 0.7783 = 16.3443 → 16.34
    // bandeira 30 × 0.07877 = 2.3631 → 2.36; adjustment 5 × 0.85707 = 4.28535 → 4.29
    // base 30.00 → 30 / 0.7333 = 40.9109… → 40.91; ICMS 8.38655 → 8.39; PIS 0.45001 → 0.45; COFINS 2.074137 → 2.07
    // CIP up to 30 kWh (9 measured): 2.50; total 30.00 + 8.39 + 0.45 + 2.07 + 2.50 = 43.41
    const september = await closeInvoice(context, CPF, '2025-09');
    expect(september.itens.map(({ descricao, valor }) => [descricao, valor])).toEqual([
      ['Energia TE', 2.75],
      ['Energia TUSD', 4.26],
      ['Custo de disponibilidade (monofásico: mínimo 30 kWh)', 16.34],
      ['Adicional bandeira vermelha patamar 2 (R$ 7,877 por 100 kWh)', 2.36],
      ['Ajuste: consumo de 2025-08 lido após o fechamento', 4.29],
      ['ICMS (20,5%, por dentro)', 8.39],
      ['PIS (1,1%, por dentro)', 0.45],
      ['COFINS (5,07%, por dentro)', 2.07],
      ['Contribuição de iluminação pública (CIP/COSIP)', 2.5],
    ]);
    expect(september.valor).toBe(43.41);
    // Nothing is late any more: October's preview carries no adjustment.
    now = Date.parse('2025-11-01T15:00:00Z');
    const october = await getInvoice(context, CPF, '2025-10');
    expect(october.situacao).toBe('aberta');
    expect(october.itens.map(({ descricao }) => descricao)).not.toContain('Ajuste: consumo de 2025-08 lido após o fechamento');
  });

  it('lists the closed invoices newest first', async () => {
    expect(await listInvoices(context, CPF)).toEqual({
      id: CPF,
      faturas: [
        { numero: `202509-${CPF}`, mes: '2025-09', emissao: '2025-10-01T12:00:00-03:00', vencimento: '2025-10-11', kwh: 9, valor: 43.41 },
        { numero: `202508-${CPF}`, mes: '2025-08', emissao: '2025-09-02T09:00:00-03:00', vencimento: '2025-09-12', kwh: 187.5, valor: 234.95 },
      ],
    });
  });
});
