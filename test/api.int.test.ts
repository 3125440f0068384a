// Every route's success and documented errors, over a real socket against serverless offline + DynamoDB Local.
import { at, bearer, customerWithMeters, errorBody, get, newCpf, openFlatInvoice, post, registeredCustomer, request } from './fixtures';

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

describe('POST /cadCliente', () => {
  it('201 with the CPF stored as 11 digits (masked input)', async () => {
    const id = newCpf();
    const masked = `${id.slice(0, 3)}.${id.slice(3, 6)}.${id.slice(6, 9)}-${id.slice(9)}`;
    const response = await post('/cadCliente', { id: masked, name: '  Maria da Silva ' });
    expect(response.status).toBe(201);
    expect(response.body).toEqual({
      id,
      name: 'Maria da Silva',
      createdAt: expect.stringMatching(ISO),
      ligacao: 'monofasico',
      token: expect.stringMatching(/^luz_[A-Za-z0-9_-]{43}$/),
    });
  });

  it('409 when the CPF exists, and the first registration is kept', async () => {
    const id = newCpf();
    await post('/cadCliente', { id, name: 'Primeira' });
    const again = await post('/cadCliente', { id, name: 'Segunda' });
    expect(again).toMatchObject({ status: 409, body: errorBody('customer_exists', 'a customer with this CPF already exists', 'id') });
  });

  it.each([
    ['bad check digits', { id: '12345678900', name: 'X' }, 'id: CPF check digits do not match', 'id'],
    ['missing id', { name: 'X' }, 'id: is required', 'id'],
    ['missing name', { id: '12345678909' }, 'name: is required', 'name'],
    ['empty name', { id: '12345678909', name: '   ' }, 'name: must not be empty', 'name'],
    ['name not a string', { id: '12345678909', name: 42 }, 'name: must be a string', 'name'],
  ])('400 for %s', async (_title, body, message, field) => {
    const response = await post('/cadCliente', body);
    expect(response).toMatchObject({ status: 400, body: errorBody('invalid_input', message, field) });
  });

  it('400 for a body that is not valid JSON', async () => {
    const response = await post('/cadCliente', '{"id": ');
    expect(response).toMatchObject({ status: 400, body: errorBody('invalid_input', 'body is not valid JSON') });
  });

  it('400 for a JSON body that is not an object', async () => {
    const response = await post('/cadCliente', '[1,2]');
    expect(response).toMatchObject({ status: 400, body: errorBody('invalid_input', 'body must be a JSON object') });
  });

  it('415 for a form body', async () => {
    const response = await post('/cadCliente', 'id=1&name=x', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(response).toMatchObject({ status: 415, body: errorBody('unsupported_media_type', 'send the body as application/json') });
  });

  it('accepts JSON sent with a form content type (curl -d, urllib), as the original clients do', async () => {
    const id = newCpf();
    const response = await post('/cadCliente', JSON.stringify({ id, name: 'Legado' }), {
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(response.status).toBe(201);
  });

  it('413 for a body over 16 KB, and nothing is stored', async () => {
    const id = newCpf();
    const response = await post('/cadCliente', { id, name: 'x'.repeat(20_000) });
    expect(response).toMatchObject({ status: 413, body: errorBody('payload_too_large', 'request body is larger than 16384 bytes') });
    expect((await post('/cadMedidor', { id })).status).toBe(404);
  });

  it('405 with Allow for a GET', async () => {
    const response = await request('GET', '/cadCliente');
    expect(response.status).toBe(405);
    expect(response.body).toEqual(errorBody('method_not_allowed', 'use POST for this route'));
    expect(response.headers.get('allow')).toBe('POST');
  });
});

describe('POST /cadMedidor', () => {
  it('201 with ids 1, 2, 3 per customer', async () => {
    const id = newCpf();
    await post('/cadCliente', { id, name: 'Ana' });
    const other = await customerWithMeters(1);
    const ids = [];
    for (let i = 0; i < 3; i++) {
      const response = await post('/cadMedidor', { id });
      expect(response.status).toBe(201);
      ids.push(response.body);
    }
    const secret = expect.stringMatching(/^[A-Za-z0-9_-]{43}$/);
    expect(ids).toEqual([1, 2, 3].map((n) => ({ id, id_medidor: n, segredo: secret })));
    expect(await post('/cadMedidor', { id: other })).toEqual(
      expect.objectContaining({ status: 201, body: { id: other, id_medidor: 2, segredo: secret } }),
    );
  });

  it('each meter gets its own secret, shown once (32 random bytes, base64url)', async () => {
    const id = await customerWithMeters(0);
    const secrets = [];
    for (let i = 0; i < 3; i++) secrets.push((await post('/cadMedidor', { id })).body as { segredo: string });
    expect(new Set(secrets.map((meter) => meter.segredo)).size).toBe(3);
    for (const { segredo } of secrets) expect(Buffer.from(segredo, 'base64url')).toHaveLength(32);
  });

  it('404 for an unknown customer', async () => {
    const response = await post('/cadMedidor', { id: newCpf() });
    expect(response).toMatchObject({ status: 404, body: errorBody('customer_not_found', 'no customer with this CPF', 'id') });
  });

  it('400 for a bad CPF', async () => {
    const response = await post('/cadMedidor', { id: '000.000.000-00' });
    expect(response).toMatchObject({ status: 400, body: errorBody('invalid_input', 'id: CPF check digits do not match', 'id') });
  });

  it('50 parallel registrations for one customer get ids 1..50, no gap, no repeat', async () => {
    const id = newCpf();
    await post('/cadCliente', { id, name: 'Muitos Medidores' });
    const responses = await Promise.all(Array.from({ length: 50 }, () => post('/cadMedidor', { id })));
    expect(responses.map((r) => r.status)).toEqual(Array(50).fill(201));
    const ids = responses.map((r) => (r.body as { id_medidor: number }).id_medidor).sort((a, b) => a - b);
    expect(ids).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
  });
});

describe('POST /postConsumo', () => {
  const march = at('2025-03-10T15:00:00Z');

  it('201 stores; the same reading again is 200 duplicate and counted once', async () => {
    const id = await customerWithMeters(1);
    const reading = { id, id_medidor: 1, valor: 3.25, timestamp: march };
    const first = await post('/postConsumo', reading);
    expect(first).toMatchObject({ status: 201, body: { ...reading, duplicate: false } });
    const again = await post('/postConsumo', reading);
    expect(again).toMatchObject({ status: 200, body: { ...reading, duplicate: true } });
    const invoice = await get('/getFatura', { id, mes: '2025-03' });
    expect(invoice.body).toMatchObject({ kwh: 3.25, valor: 3.48 });
  });

  it('accepts the original client: ids and numbers as strings, full float digits', async () => {
    const id = await customerWithMeters(1);
    const response = await post('/postConsumo', {
      id,
      id_medidor: '1',
      valor: '49.90570014674455',
      timestamp: '1741618800.3497949',
    });
    expect(response).toMatchObject({
      status: 201,
      body: { id, id_medidor: 1, valor: 49.90570014674455, timestamp: 1741618800.349, duplicate: false },
    });
  });

  it('accepts an ISO-8601 timestamp with a zone', async () => {
    const id = await customerWithMeters(1);
    const response = await post('/postConsumo', { id, id_medidor: 1, valor: 1, timestamp: '2025-03-10T12:00:00-03:00' });
    expect(response).toMatchObject({ status: 201, body: { timestamp: march, duplicate: false } });
  });

  it('409 for the same meter and timestamp with a different value, and the stored value stays', async () => {
    const id = await customerWithMeters(1);
    await post('/postConsumo', { id, id_medidor: 1, valor: 2, timestamp: march });
    const conflict = await post('/postConsumo', { id, id_medidor: 1, valor: 5, timestamp: march });
    expect(conflict).toMatchObject({
      status: 409,
      body: errorBody('reading_conflict', 'a reading with this meter and timestamp is already stored with valor 2', 'valor'),
    });
    expect((await get('/getFatura', { id, mes: '2025-03' })).body).toMatchObject({ kwh: 2 });
  });

  it('404 for an unknown customer and for an unknown meter', async () => {
    const unknownCustomer = await post('/postConsumo', { id: newCpf(), id_medidor: 1, valor: 1, timestamp: march });
    expect(unknownCustomer).toMatchObject({ status: 404, body: errorBody('customer_not_found', 'no customer with this CPF', 'id') });
    const id = await customerWithMeters(1);
    const unknownMeter = await post('/postConsumo', { id, id_medidor: 2, valor: 1, timestamp: march });
    expect(unknownMeter).toMatchObject({ status: 404, body: errorBody('meter_not_found', 'customer has no meter 2', 'id_medidor') });
  });

  describe('400 for a bad reading, and nothing changes', () => {
    let id: string;
    beforeAll(async () => {
      id = await customerWithMeters(1);
    });
    const now = () => Date.now() / 1000;
    it.each([
      ['negative valor', () => ({ valor: -1 }), 'valor: must not be negative', 'valor'],
      ['valor not a number', () => ({ valor: 'muito' }), 'valor: must be a number', 'valor'],
      ['valor above the per-reading maximum', () => ({ valor: 100_001 }), 'valor: must not exceed 100000 kWh per reading', 'valor'],
      ['timestamp 10 minutes ahead', () => ({ timestamp: now() + 600 }), 'timestamp: must not be more than 5 minutes in the future', 'timestamp'],
      ['timestamp before 2000', () => ({ timestamp: at('1999-12-31T12:00:00Z') }), 'timestamp: must not be before 2000-01-01', 'timestamp'],
      ['timestamp text', () => ({ timestamp: 'ontem' }), /^timestamp: must be Unix seconds or ISO-8601 with a zone/, 'timestamp'],
      ['ISO timestamp without a zone', () => ({ timestamp: '2025-03-10T12:00:00' }), /^timestamp: must be Unix seconds/, 'timestamp'],
      ['meter id zero', () => ({ id_medidor: 0 }), 'id_medidor: must be 1 or more', 'id_medidor'],
      ['meter id fractional', () => ({ id_medidor: '1.5' }), 'id_medidor: must be a whole number', 'id_medidor'],
      ['missing valor', () => ({ valor: undefined }), 'valor: is required', 'valor'],
    ])('%s', async (_title, change, message, field) => {
      const body = { id, id_medidor: 1, valor: 1, timestamp: now() - 60, ...change() };
      const response = await post('/postConsumo', body);
      expect(response).toMatchObject({ status: 400, body: errorBody('invalid_input', message, field) });
      const history = await get('/getConsumoHist', { id, kind: 'Y', periodo: 0 });
      expect(history.body).toMatchObject({ soma: 0, consumo: [] });
    });
  });

  it('50 parallel identical readings are stored once: one 201, 49 duplicates', async () => {
    const id = await customerWithMeters(1);
    const reading = { id, id_medidor: 1, valor: 7.5, timestamp: march };
    const responses = await Promise.all(Array.from({ length: 50 }, () => post('/postConsumo', reading)));
    const statuses = responses.map((r) => r.status).sort();
    expect(statuses).toEqual([...Array(49).fill(200), 201]);
    const history = await get('/getConsumoHist', { id, kind: 'Y', periodo: new Date().getFullYear() - 2025 });
    expect(history.body).toMatchObject({ soma: 7.5, consumo: [{ timestamp: march, id_medidor: 1, valor: 7.5 }] });
  });
});

describe('GET /getFatura', () => {
  it('200 with the month kWh × R$ 1.07 to the centavo, for any month', async () => {
    const id = await customerWithMeters(2);
    await post('/postConsumo', { id, id_medidor: 1, valor: 100.125, timestamp: at('2025-01-31T23:00:00Z') });
    await post('/postConsumo', { id, id_medidor: 2, valor: 0.5, timestamp: at('2025-01-15T12:00:00Z') });
    // 2025-02-01T02:30Z is still January 31 in America/Bahia (UTC−3).
    await post('/postConsumo', { id, id_medidor: 1, valor: 10, timestamp: at('2025-02-01T02:30:00Z') });
    await post('/postConsumo', { id, id_medidor: 1, valor: 99, timestamp: at('2025-02-01T03:00:00Z') });
    const january = await get('/getFatura', { id, mes: '2025-01' });
    // 110.625 kWh × 1.07 = 118.36875 → R$ 118.37
    expect(january).toMatchObject({
      status: 200,
      body: {
        id,
        mes: '2025-01',
        kwh: 110.625,
        medidores: [
          { id_medidor: 1, kwh: 110.125 },
          { id_medidor: 2, kwh: 0.5 },
        ],
        valor: 118.37,
        itens: [{ descricao: 'Energia consumida', quantidade: 110.625, unidade: 'kWh', precoUnitario: 1.07, valor: 118.37 }],
      },
    });
    const february = await get('/getFatura', { id, mes: '2025-02' });
    expect(february.body).toEqual(openFlatInvoice(id, '2025-02', [{ id_medidor: 1, kwh: 99 }], 105.93));
  });

  it('defaults to the current month', async () => {
    const id = await customerWithMeters(1);
    await post('/postConsumo', { id, id_medidor: 1, valor: 10, timestamp: Date.now() / 1000 - 1 });
    const response = await get('/getFatura', { id });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ id, mes: expect.stringMatching(/^\d{4}-\d{2}$/), kwh: 10, valor: 10.7 });
  });

  it('400 for a bad month, 404 for an unknown customer', async () => {
    const badMonth = await get('/getFatura', { id: '12345678909', mes: '2025-13' });
    expect(badMonth).toMatchObject({ status: 400, body: errorBody('invalid_input', 'mes: must be YYYY-MM', 'mes') });
    const unknown = await get('/getFatura', { id: newCpf() });
    expect(unknown).toMatchObject({ status: 404, body: errorBody('customer_not_found', 'no customer with this CPF', 'id') });
  });

  it('405 for a POST', async () => {
    const response = await post('/getFatura', { id: '12345678909' });
    expect(response).toMatchObject({ status: 405, body: errorBody('method_not_allowed', 'use GET for this route') });
  });
});

describe('GET /getConsumoHist', () => {
  it('D, M and Y with series buckets and the readings oldest first, one page at a time', async () => {
    const id = await customerWithMeters(2);
    const now = Date.now() / 1000;
    const readings = [
      { id_medidor: 1, valor: 1.5, timestamp: Math.floor(now) - 120 },
      { id_medidor: 2, valor: 2.25, timestamp: Math.floor(now) - 60 },
      { id_medidor: 1, valor: 3, timestamp: Math.floor(now) - 30 },
    ];
    for (const reading of readings) expect((await post('/postConsumo', { id, ...reading })).status).toBe(201);

    const day = await get('/getConsumoHist', { id, kind: 'D', periodo: 0, limit: 2 });
    expect(day.status).toBe(200);
    const body = day.body as Record<string, unknown> & { series: { bucket: string; kwh: number }[] };
    expect(body).toMatchObject({ id, kind: 'D', periodo: 0, soma: 6.75, consumo: readings.slice(0, 2) });
    expect(body.inicio).toMatch(/^\d{4}-\d{2}-\d{2}T00:00:00-03:00$/);
    expect(body.series).toHaveLength(24);
    expect(body.series.reduce((sum, { kwh }) => sum + kwh, 0)).toBe(6.75);
    const next = await get('/getConsumoHist', { id, kind: 'D', periodo: 0, limit: 2, cursor: String(body.cursor) });
    expect(next.body).toMatchObject({ consumo: readings.slice(2) });
    const last = next.body as { cursor: string | null };
    if (last.cursor !== null) {
      expect((await get('/getConsumoHist', { id, kind: 'D', limit: 2, cursor: last.cursor })).body).toMatchObject({ consumo: [], cursor: null });
    }

    const month = await get('/getConsumoHist', { id, kind: 'M' });
    expect(month.body).toMatchObject({ kind: 'M', periodo: 0, soma: 6.75 });
    expect((month.body as { series: unknown[] }).series.length).toBeGreaterThanOrEqual(28);
    const year = await get('/getConsumoHist', { id, kind: 'Y' });
    expect(year.body).toMatchObject({ kind: 'Y', soma: 6.75 });
    expect((year.body as { series: unknown[] }).series).toHaveLength(12);
  });

  it('a past period: periodo counts back from the current one', async () => {
    const id = await customerWithMeters(1);
    await post('/postConsumo', { id, id_medidor: 1, valor: 4, timestamp: at('2024-02-29T12:00:00Z') });
    const yearsBack = new Date().getFullYear() - 2024;
    const response = await get('/getConsumoHist', { id, kind: 'Y', periodo: yearsBack });
    expect(response.body).toEqual({
      id,
      kind: 'Y',
      periodo: yearsBack,
      inicio: '2024-01-01T00:00:00-03:00',
      fim: '2025-01-01T00:00:00-03:00',
      soma: 4,
      series: Array.from({ length: 12 }, (_, i) => ({ bucket: `2024-${String(i + 1).padStart(2, '0')}`, kwh: i === 1 ? 4 : 0 })),
      consumo: [{ timestamp: at('2024-02-29T12:00:00Z'), id_medidor: 1, valor: 4 }],
      cursor: null,
    });
  });

  it.each([
    [{ kind: 'W' }, 'kind: must be D (day), M (month) or Y (year)', 'kind'],
    [{ periodo: -1 }, 'periodo: must be 0 or more', 'periodo'],
    [{ periodo: 'x' }, 'periodo: must be a number', 'periodo'],
    [{ limit: 0 }, 'limit: must be 1 or more', 'limit'],
    [{ limit: 5000 }, 'limit: must be at most 1000', 'limit'],
    [{ cursor: 'bm90LWEtY3Vyc29y' }, 'cursor: does not belong to this query; start again without it', 'cursor'],
  ])('400 for %p', async (query, message, field) => {
    const id = await customerWithMeters(0);
    const response = await get('/getConsumoHist', { id, ...query });
    expect(response).toMatchObject({ status: 400, body: errorBody('invalid_input', message, field) });
  });

  it('404 for an unknown customer', async () => {
    const response = await get('/getConsumoHist', { id: newCpf() });
    expect(response).toMatchObject({ status: 404, body: errorBody('customer_not_found', 'no customer with this CPF', 'id') });
  });
});

describe('GET /getAlarme', () => {
  it('Ok! under the limit', async () => {
    const id = await customerWithMeters(1);
    // 30 kWh stays under every rule on any day of the month: the projection starts after one day
    // (at most 30 × 31 = 930 kWh) and there is no history for a spike.
    await post('/postConsumo', { id, id_medidor: 1, valor: 30, timestamp: Date.now() / 1000 - 1 });
    const response = await get('/getAlarme', { id });
    expect(response).toEqual({
      status: 200,
      headers: expect.anything(),
      body: { id, alarme: 'Ok!', mes: expect.stringMatching(/^\d{4}-\d{2}$/), motivos: [], kwhMes: 30, eventos: [] },
    });
  });

  it('Excesso! for the month total, explained in motivos', async () => {
    const id = await customerWithMeters(2);
    const now = Math.floor(Date.now() / 1000);
    await post('/postConsumo', { id, id_medidor: 1, valor: 600, timestamp: now - 2 });
    await post('/postConsumo', { id, id_medidor: 2, valor: 400.5, timestamp: now - 1 });
    const response = await get('/getAlarme', { id });
    expect(response.body).toEqual({
      id,
      alarme: 'Excesso!',
      mes: expect.stringMatching(/^\d{4}-\d{2}$/),
      kwhMes: 1000.5,
      motivos: [
        {
          regra: 'total_mensal',
          mensagem: 'consumption this month (1000.5 kWh) is above the limit of 1000 kWh',
          limite: 1000,
          valor: 1000.5,
          mes: expect.stringMatching(/^\d{4}-\d{2}$/),
        },
      ],
      // Fired when the second reading was stored. Depending on the day of the month the first
      // reading alone may have projected past the limit (an event since cleared).
      eventos: expect.arrayContaining([
        {
          regra: 'total_mensal',
          disparadoEm: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}-03:00$/),
          encerradoEm: null,
          reconhecidoEm: null,
          reconhecidoPor: null,
          mensagem: 'consumption this month (1000.5 kWh) is above the limit of 1000 kWh',
        },
      ]),
    });
  });

  it('Excesso! for a single reading above the limit, which is stored', async () => {
    const id = await customerWithMeters(1);
    const timestamp = Math.floor(Date.now() / 1000) - 1;
    expect((await post('/postConsumo', { id, id_medidor: 1, valor: 1500, timestamp })).status).toBe(201);
    const response = await get('/getAlarme', { id });
    expect(response.body).toMatchObject({
      alarme: 'Excesso!',
      motivos: [
        { regra: 'total_mensal', valor: 1500 },
        { regra: 'leitura_individual', valor: 1500, id_medidor: 1, timestamp, limite: 1000 },
      ],
    });
  });

  it('404 for an unknown customer, 400 for a bad CPF', async () => {
    expect(await get('/getAlarme', { id: newCpf() })).toMatchObject({ status: 404, body: errorBody('customer_not_found', 'no customer with this CPF', 'id') });
    expect(await get('/getAlarme', { id: 'abc' })).toMatchObject({
      status: 400,
      body: errorBody('invalid_input', 'id: CPF must be 11 digits, bare or as 000.000.000-00', 'id'),
    });
  });
});

describe('POST /reconheceAlarme', () => {
  const LOCAL = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}-03:00$/;

  it('the customer acknowledges the active event: kept with when and by whom; staff acknowledging later changes nothing', async () => {
    const { id, token } = await registeredCustomer(1);
    await post('/postConsumo', { id, id_medidor: 1, valor: 1500, timestamp: Math.floor(Date.now() / 1000) - 1 });
    const response = await post('/reconheceAlarme', { id }, bearer(token));
    expect(response.status).toBe(200);
    const reconhecidos = (response.body as { reconhecidos: { regra: string }[] }).reconhecidos;
    expect(response.body).toEqual({
      id,
      reconhecidos: expect.arrayContaining([
        {
          regra: 'leitura_individual',
          disparadoEm: expect.stringMatching(LOCAL),
          encerradoEm: null,
          reconhecidoEm: expect.stringMatching(LOCAL),
          reconhecidoPor: 'cliente',
          mensagem: expect.stringContaining('1500 kWh in one reading'),
        },
      ]),
    });
    expect(reconhecidos.map(({ regra }) => regra).sort()).toEqual(['leitura_individual', 'total_mensal']);
    const again = await post('/reconheceAlarme', { id });
    expect(again).toMatchObject({ status: 200, body: response.body });
    const alarm = await get('/getAlarme', { id });
    expect((alarm.body as { eventos: unknown[] }).eventos).toEqual(expect.arrayContaining(reconhecidos));
  });

  it('404 for a customer with no alarm event, 404 unknown customer, 403 another customer, 400 bad CPF', async () => {
    const { id, token } = await registeredCustomer(1);
    const other = await registeredCustomer(1);
    expect(await post('/reconheceAlarme', { id })).toMatchObject({ status: 404, body: errorBody('alarm_not_found', 'this customer has no alarm event to acknowledge', 'id') });
    expect(await post('/reconheceAlarme', { id: newCpf() })).toMatchObject({ status: 404, body: errorBody('customer_not_found', 'no customer with this CPF', 'id') });
    expect(await post('/reconheceAlarme', { id: other.id }, bearer(token))).toMatchObject({ status: 403, body: errorBody('forbidden', "a customer token only opens that customer's own data") });
    expect(await post('/reconheceAlarme', { id: '12345678900' })).toMatchObject({ status: 400, body: errorBody('invalid_input', 'id: CPF check digits do not match', 'id') });
    expect(await get('/reconheceAlarme', { id })).toMatchObject({ status: 405, body: errorBody('method_not_allowed', 'use POST for this route') });
  });
});
