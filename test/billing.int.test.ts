// Closing invoices, late readings, the B1 sample bills and the alarm rules, through the real API.
import { startOffline, type RunningOffline } from '../dev/offline';
import { at, closedInvoice, customerWithMeters, errorBody, get, newCpf, post, request, staffKey } from './fixtures';
import { freePort } from '../dev/ports';

const LOCAL_ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}-03:00$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

describe('POST /cadCliente ligacao', () => {
  it('accepts the connection type with or without accents and stores it', async () => {
    const id = newCpf();
    const response = await post('/cadCliente', { id, name: 'Trifásica', ligacao: 'Trifásico' });
    expect(response).toMatchObject({ status: 201, body: { id, name: 'Trifásica', ligacao: 'trifasico' } });
  });

  it('400 for an unknown connection type', async () => {
    const response = await post('/cadCliente', { id: newCpf(), name: 'X', ligacao: 'quadrifasico' });
    expect(response).toMatchObject({
      status: 400,
      body: errorBody('invalid_input', 'ligacao: must be monofasico, bifasico or trifasico', 'ligacao'),
    });
  });
});

describe('POST /fechaFatura and GET /faturas (flat tariff)', () => {
  let id: string;
  beforeAll(async () => {
    id = await customerWithMeters(2);
    await post('/postConsumo', { id, id_medidor: 1, valor: 10, timestamp: at('2025-03-05T12:00:00Z') });
    await post('/postConsumo', { id, id_medidor: 2, valor: 2.5, timestamp: at('2025-03-31T23:00:00Z') });
  });

  it('201 freezes March: 12.5 kWh × 1.07 = 13.375 → R$ 13.38, kWh per meter', async () => {
    const response = await post('/fechaFatura', { id, mes: '2025-03' });
    expect(response).toMatchObject({ status: 201 });
    expect(response.body).toEqual(closedInvoice({
      id,
      mes: '2025-03',
      tarifa: 'Tarifa plana original',
      kwh: 12.5,
      medidores: [
        { id_medidor: 1, kwh: 10 },
        { id_medidor: 2, kwh: 2.5 },
      ],
      itens: [{ descricao: 'Energia consumida', quantidade: 12.5, unidade: 'kWh', precoUnitario: 1.07, valor: 13.38 }],
      valor: 13.38,
    }));
    // Due 10 days after issue (the flat file keeps the default).
    const { emissao, vencimento } = response.body as { emissao: string; vencimento: string };
    const issued = new Date(`${emissao.slice(0, 10)}T00:00:00Z`);
    expect(vencimento).toBe(new Date(issued.getTime() + 10 * 86_400_000).toISOString().slice(0, 10));
  });

  it('409 when the month is closed again', async () => {
    const response = await post('/fechaFatura', { id, mes: '2025-03' });
    expect(response).toMatchObject({ status: 409, body: errorBody('invoice_closed', 'mes: the invoice of 2025-03 is already closed', 'mes') });
  });

  it('a late reading for March is stored, March stays frozen, and April carries it as an adjustment', async () => {
    const frozen = (await get('/getFatura', { id, mes: '2025-03' })).body;
    expect(await post('/postConsumo', { id, id_medidor: 2, valor: 1.5, timestamp: at('2025-03-20T12:00:00Z') })).toMatchObject({ status: 201 });
    expect((await get('/getFatura', { id, mes: '2025-03' })).body).toEqual(frozen);
    await post('/postConsumo', { id, id_medidor: 1, valor: 4, timestamp: at('2025-04-10T12:00:00Z') });
    const april = await post('/fechaFatura', { id, mes: '2025-04' });
    // 4 × 1.07 = 4.28; adjustment 1.5 × 1.07 = 1.605 → 1.61; total 5.89
    expect(april.body).toMatchObject({
      kwh: 4,
      medidores: [{ id_medidor: 1, kwh: 4 }],
      itens: [
        { descricao: 'Energia consumida', quantidade: 4, unidade: 'kWh', precoUnitario: 1.07, valor: 4.28 },
        { descricao: 'Ajuste: consumo de 2025-03 lido após o fechamento', quantidade: 1.5, unidade: 'kWh', precoUnitario: 1.07, valor: 1.61 },
      ],
      valor: 5.89,
    });
  });

  it('GET /faturas lists the closed invoices, newest first', async () => {
    const response = await get('/faturas', { id });
    expect(response).toMatchObject({ status: 200 });
    expect(response.body).toEqual({
      id,
      faturas: [
        { numero: `202504-${id}`, mes: '2025-04', emissao: expect.stringMatching(LOCAL_ISO), vencimento: expect.stringMatching(DATE), kwh: 4, valor: 5.89 },
        { numero: `202503-${id}`, mes: '2025-03', emissao: expect.stringMatching(LOCAL_ISO), vencimento: expect.stringMatching(DATE), kwh: 12.5, valor: 13.38 },
      ],
    });
  });

  it('400 for the current month (not ended) and a bad month; 404 unknown customer; 405 GET', async () => {
    const current = await post('/fechaFatura', { id, mes: new Date().toISOString().slice(0, 7) });
    expect(current).toMatchObject({ status: 400, body: errorBody('invalid_input', /^mes: \d{4}-\d{2} has not ended yet; it can be closed from /, 'mes') });
    expect(await post('/fechaFatura', { id, mes: '2025-13' })).toMatchObject({ status: 400, body: errorBody('invalid_input', 'mes: must be YYYY-MM', 'mes') });
    expect(await post('/fechaFatura', { id: newCpf(), mes: '2025-01' })).toMatchObject({
      status: 404,
      body: errorBody('customer_not_found', 'no customer with this CPF', 'id'),
    });
    expect(await get('/faturas', { id: newCpf() })).toMatchObject({ status: 404 });
    expect(await request('GET', '/fechaFatura')).toMatchObject({ status: 405, body: errorBody('method_not_allowed', 'use POST for this route') });
  });
});

describe('alarms through the API', () => {
  const nowSeconds = () => Math.floor(Date.now() / 1000);

  it('silent meter: fires for a meter quiet for 4 hours, clears when it reports again', async () => {
    const id = await customerWithMeters(1);
    const fourHoursAgo = nowSeconds() - 4 * 3600;
    await post('/postConsumo', { id, id_medidor: 1, valor: 0.5, timestamp: fourHoursAgo });
    const silent = await get('/getAlarme', { id });
    const minutes = (silent.body as { motivos: { valor: number }[] }).motivos[0]?.valor;
    expect(minutes === 240 || minutes === 241).toBe(true);
    expect(silent.body).toMatchObject({
      alarme: 'Excesso!',
      motivos: [
        {
          regra: 'medidor_silencioso',
          limite: 180,
          valor: minutes,
          id_medidor: 1,
          ultimaLeitura: expect.stringMatching(LOCAL_ISO),
          minutosSemLeitura: minutes,
        },
      ],
      eventos: [{ regra: 'medidor_silencioso', id_medidor: 1, disparadoEm: expect.stringMatching(LOCAL_ISO), encerradoEm: null }],
    });
    await post('/postConsumo', { id, id_medidor: 1, valor: 0.5, timestamp: nowSeconds() - 1 });
    const back = await get('/getAlarme', { id });
    expect(back.body).toMatchObject({
      alarme: 'Ok!',
      motivos: [],
      eventos: [{ regra: 'medidor_silencioso', encerradoEm: expect.stringMatching(LOCAL_ISO) }],
    });
  });

  it('spike: 20 kWh today after 5 kWh on each of the previous 7 days (20 > 2 × 5)', async () => {
    const id = await customerWithMeters(1);
    const now = nowSeconds();
    for (let back = 7; back >= 1; back--) {
      await post('/postConsumo', { id, id_medidor: 1, valor: 5, timestamp: now - back * 86_400 });
    }
    await post('/postConsumo', { id, id_medidor: 1, valor: 20, timestamp: now - 60 });
    const response = await get('/getAlarme', { id });
    expect(response.body).toMatchObject({
      alarme: 'Excesso!',
      motivos: [
        {
          regra: 'pico_diario',
          mensagem: 'consumption today (20 kWh) is above 2 × the median of the previous 7 days (5 kWh)',
          limite: 10,
          valor: 20,
          mediana: 5,
          fator: 2,
        },
      ],
    });
  });

  it('GET /alarmes lists a customer in alarm with each active rule', async () => {
    const id = await customerWithMeters(1);
    await post('/postConsumo', { id, id_medidor: 1, valor: 1500, timestamp: nowSeconds() - 1 });
    let cursor: string | undefined;
    let found: unknown;
    do {
      const page = await get('/alarmes', { limit: 100, ...(cursor ? { cursor } : {}) });
      expect(page.status).toBe(200);
      const body = page.body as { clientes: { id: string }[]; cursor: string | null };
      found = body.clientes.find((cliente) => cliente.id === id) ?? found;
      cursor = body.cursor ?? undefined;
    } while (cursor && !found);
    expect(found).toEqual({
      id,
      alarmes: [
        {
          regra: 'leitura_individual',
          desde: expect.stringMatching(LOCAL_ISO),
          mensagem: expect.stringMatching(/^meter 1 reported 1500 kWh in one reading at .*, above the limit of 1000 kWh$/),
        },
        { regra: 'total_mensal', desde: expect.stringMatching(LOCAL_ISO), mensagem: 'consumption this month (1500 kWh) is above the limit of 1000 kWh' },
      ],
    });
  });

  it('GET /alarmes: 400 for a bad limit', async () => {
    expect(await get('/alarmes', { limit: 0 })).toMatchObject({ status: 400, body: errorBody('invalid_input', 'limit: must be 1 or more', 'limit') });
  });
});

describe('the example B1 tariff through the API (docs/BILLING.md sample bills)', () => {
  let offline: RunningOffline;
  const b1 = (path: string, body: unknown) =>
    fetch(`${offline.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${staffKey()}` },
      body: JSON.stringify(body),
    }).then(
      async (response) => ({ status: response.status, body: await response.json() }),
    );

  beforeAll(async () => {
    offline = await startOffline({
      httpPort: await freePort(),
      lambdaPort: await freePort(),
      env: {
        DYNAMODB_ENDPOINT: process.env.LUZ_TEST_DYNAMODB!,
        LUZ_TABLE_PREFIX: process.env.LUZ_TEST_TABLE_PREFIX!,
        TARIFF_FILE: 'tariffs/b1-example.json',
        STAFF_KEY: staffKey(),
      },
    });
  }, 180_000);
  afterAll(() => offline?.stop());

  it('sample bill 1: 187.5 kWh on two meters, monofásico, August 2025 → R$ 234.95', async () => {
    const id = newCpf();
    await b1('/cadCliente', { id, name: 'Amostra Um' });
    await b1('/cadMedidor', { id });
    await b1('/cadMedidor', { id });
    await b1('/postConsumo', { id, id_medidor: 1, valor: 120.25, timestamp: '2025-08-10T09:00:00-03:00' });
    await b1('/postConsumo', { id, id_medidor: 2, valor: 67.25, timestamp: '2025-08-31T23:59:00-03:00' });
    const closed = await b1('/fechaFatura', { id, mes: '2025-08' });
    expect(closed).toEqual({
      status: 201,
      body: closedInvoice({
        id,
        mes: '2025-08',
        tarifa: 'B1 residencial convencional (exemplo, Bahia)',
        kwh: 187.5,
        medidores: [
          { id_medidor: 1, kwh: 120.25 },
          { id_medidor: 2, kwh: 67.25 },
        ],
        itens: [
          { descricao: 'Energia TE', quantidade: 187.5, unidade: 'kWh', precoUnitario: 0.30512, valor: 57.21 },
          { descricao: 'Energia TUSD', quantidade: 187.5, unidade: 'kWh', precoUnitario: 0.47318, valor: 88.72 },
          { descricao: 'Adicional bandeira vermelha patamar 2 (R$ 7,877 por 100 kWh)', quantidade: 187.5, unidade: 'kWh', precoUnitario: 0.07877, valor: 14.77 },
          { descricao: 'ICMS (20,5%, por dentro)', quantidade: 219.15, unidade: 'R$', precoUnitario: 0.205, valor: 44.93 },
          { descricao: 'PIS (1,1%, por dentro)', quantidade: 219.15, unidade: 'R$', precoUnitario: 0.011, valor: 2.41 },
          { descricao: 'COFINS (5,07%, por dentro)', quantidade: 219.15, unidade: 'R$', precoUnitario: 0.0507, valor: 11.11 },
          { descricao: 'Contribuição de iluminação pública (CIP/COSIP)', quantidade: 1, unidade: 'mês', precoUnitario: 15.8, valor: 15.8 },
        ],
        valor: 234.95,
      }),
    });
  });

  it('sample bill 2: 22 kWh, trifásico, March 2025 (the minimum of 100 kWh applies) → R$ 106.81', async () => {
    const id = newCpf();
    await b1('/cadCliente', { id, name: 'Amostra Dois', ligacao: 'trifasico' });
    await b1('/cadMedidor', { id });
    await b1('/postConsumo', { id, id_medidor: 1, valor: 22, timestamp: '2025-03-15T12:00:00-03:00' });
    const closed = await b1('/fechaFatura', { id, mes: '2025-03' });
    expect(closed.body).toMatchObject({
      kwh: 22,
      itens: [
        { descricao: 'Energia TE', valor: 6.6 },
        { descricao: 'Energia TUSD', valor: 10.23 },
        { descricao: 'Custo de disponibilidade (trifásico: mínimo 100 kWh)', quantidade: 78, precoUnitario: 0.76483, valor: 59.66 },
        { descricao: 'ICMS (20,5%, por dentro)', quantidade: 104.31, valor: 21.38 },
        { descricao: 'PIS (1,1%, por dentro)', valor: 1.15 },
        { descricao: 'COFINS (5,07%, por dentro)', valor: 5.29 },
        { descricao: 'Contribuição de iluminação pública (CIP/COSIP)', valor: 2.5 },
      ],
      valor: 106.81,
    });
    expect((closed.body as { itens: unknown[] }).itens).toHaveLength(7);
  });

  it('a month the tariff file does not cover is a 400 naming what is missing', async () => {
    const id = newCpf();
    await b1('/cadCliente', { id, name: 'Antes' });
    const response = await b1('/fechaFatura', { id, mes: '2024-01' });
    expect(response).toEqual({
      status: 400,
      body: errorBody('tariff_not_in_force', 'mes: the tariff has no TE in force for 2024-01', 'mes'),
    });
  });
});
