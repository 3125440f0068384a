// Human output, exactly as printed: pt-BR by default (numbers, R$, dd/mm/aaaa in LUZ_TZ, words), English on request.
import { cliWords } from '../i18n/cli';
import type { Alarm, History, Invoice } from './api';
import {
  bar,
  bucketLabel,
  describeAlarmChange,
  formatDateTime,
  renderAlarm,
  renderCustomer,
  renderCustomerToken,
  renderHistory,
  renderInvoice,
  renderMeter,
  renderReading,
} from './format';
import { createStyle, stripAnsi, wantsColour } from './style';

const ZONE = 'America/Bahia';
const pt = cliWords('pt-BR', ZONE);
const en = cliWords('en', ZONE);
const plain = { words: pt, style: createStyle(false) };
const coloured = { words: pt, style: createStyle(true) };
const english = { words: en, style: createStyle(false) };

describe('pt-BR numbers', () => {
  it.each([
    [1234.5, 'R$ 1.234,50'],
    [0, 'R$ 0,00'],
    [0.005, 'R$ 0,01'],
    [1288.01, 'R$ 1.288,01'],
    [-3, '-R$ 3,00'],
  ])('money %d → %s (plain spaces, no NBSP)', (value, text) => expect(pt.money(value)).toBe(text));

  it('unit prices keep the decimals a tariff publishes', () => {
    expect(pt.money(0.32951, 6)).toBe('R$ 0,32951');
    expect(pt.money(1.07, 6)).toBe('R$ 1,07');
  });

  it('kWh use a decimal comma, a thousands dot and at most three decimals', () => {
    expect(pt.number(1203.75)).toBe('1.203,75');
    expect(pt.kwh(49.90570014674455)).toBe('49,906 kWh');
    expect(pt.kwh(0)).toBe('0 kWh');
  });

  it('date-times are shown in the Luz zone', () => {
    expect(formatDateTime(Date.parse('2026-01-01T02:30:05Z'), 'America/Bahia')).toBe('31/12/2025 23:30:05');
  });
});

describe('registrations: a secret the API hands out once is shown whole, once, with what to do', () => {
  const token = `luz_${'T'.repeat(43)}`;
  const customer = { id: '52998224725', name: 'Ana Souza', createdAt: '2026-11-25T12:47:49.000Z', ligacao: 'monofasico' };

  it('a customer with its token', () => {
    expect(renderCustomer({ ...customer, token }, plain)).toBe(
      [
        '✓ Cliente cadastrado: Ana Souza · CPF 529.982.247-25 · monofasico · 25/11/2026 09:47:49',
        `  Token do cliente: ${token}`,
        '  ! Entregue este token ao cliente (ele roda luz entrar <token>): ele é mostrado uma única vez',
      ].join('\n'),
    );
    // Without one (an API before tokens), the single line as before.
    expect(renderCustomer(customer, plain)).toBe('✓ Cliente cadastrado: Ana Souza · CPF 529.982.247-25 · monofasico · 25/11/2026 09:47:49');
    expect(renderCustomer({ ...customer, token }, english).split('\n')).toEqual([
      '✓ Customer registered: Ana Souza · CPF 529.982.247-25 · monofasico · 25/11/2026 09:47:49',
      `  Customer token: ${token}`,
      '  ! Give this token to the customer (they run luz entrar <token>): it is shown only once',
    ]);
  });

  it('a new token for a customer, with the date it expires in the Luz zone', () => {
    expect(renderCustomerToken({ id: '52998224725', token, expiresAt: '2027-11-25T02:00:00.000Z' }, plain)).toBe(
      [
        '✓ Novo token para o CPF 529.982.247-25, válido até 24/11/2027; o anterior deixou de funcionar',
        `  Token do cliente: ${token}`,
        '  ! Entregue este token ao cliente (ele roda luz entrar <token>): ele é mostrado uma única vez',
      ].join('\n'),
    );
  });

  it('a meter, with its secret when the API returns one', () => {
    expect(renderMeter({ id: '52998224725', id_medidor: 2 }, plain)).toBe('✓ Medidor 2 cadastrado para o CPF 529.982.247-25');
    expect(renderMeter({ id: '52998224725', id_medidor: 2, segredo: 's3cr3t' }, plain)).toBe(
      ['✓ Medidor 2 cadastrado para o CPF 529.982.247-25', '  Segredo do medidor: s3cr3t', '  ! Configure o medidor com este segredo: ele é mostrado uma única vez'].join('\n'),
    );
    expect(stripAnsi(renderMeter({ id: '52998224725', id_medidor: 2, segredo: 's3cr3t' }, coloured))).toBe(
      renderMeter({ id: '52998224725', id_medidor: 2, segredo: 's3cr3t' }, plain),
    );
  });
});

describe('renderInvoice', () => {
  const invoice: Invoice = {
    id: '12345678909',
    mes: '2026-11',
    kwh: 1203.75,
    valor: 1298.01,
    itens: [
      { descricao: 'Energia consumida', quantidade: 1203.75, unidade: 'kWh', precoUnitario: 1.07, valor: 1288.01 },
      { descricao: 'Contribuição de iluminação', valor: 10 },
    ],
  };

  it('prints every line the API sends, aligned, and the total', () => {
    expect(renderInvoice(invoice, plain)).toBe(
      [
        'Fatura 11/2026 · CPF 123.456.789-09',
        'Consumo: 1.203,75 kWh',
        '',
        'Item                           Quantidade   Preço unitário         Valor',
        '────────────────────────────────────────────────────────────────────────',
        'Energia consumida            1.203,75 kWh      R$ 1,07/kWh   R$ 1.288,01',
        'Contribuição de iluminação                                      R$ 10,00',
        '────────────────────────────────────────────────────────────────────────',
        'Total                                                        R$ 1.298,01',
      ].join('\n'),
    );
  });

  it('in English: the words, and numbers as an English reader writes them', () => {
    expect(renderInvoice(invoice, english).split('\n')).toEqual([
      'Invoice 11/2026 · CPF 123.456.789-09',
      'Consumption: 1,203.75 kWh',
      '',
      'Item                             Quantity   Unit price       Amount',
      '───────────────────────────────────────────────────────────────────',
      'Energia consumida            1,203.75 kWh   R$1.07/kWh   R$1,288.01',
      'Contribuição de iluminação                                  R$10.00',
      '───────────────────────────────────────────────────────────────────',
      'Total                                                    R$1,298.01',
    ]);
  });

  it('says whether it is an open preview or a closed invoice, its tariff and each meter when there are several', () => {
    const closed: Invoice = {
      ...invoice,
      situacao: 'fechada',
      numero: '2026-11-000042',
      emissao: '2026-12-01T03:10:00.000Z',
      vencimento: '2026-12-15',
      tarifa: 'Coelba B1 residencial',
      medidores: [
        { id_medidor: 1, kwh: 1000 },
        { id_medidor: 2, kwh: 203.75 },
      ],
    };
    expect(renderInvoice(closed, plain).split('\n').slice(0, 3)).toEqual([
      'Fatura 11/2026 · CPF 123.456.789-09 · fechada · nº 2026-11-000042 · emitida em 01/12/2026 · vence em 15/12/2026',
      'Tarifa: Coelba B1 residencial',
      'Consumo: 1.203,75 kWh (medidor 1: 1.000 kWh, medidor 2: 203,75 kWh)',
    ]);
    const open: Invoice = { ...invoice, situacao: 'aberta', tarifa: 'Tarifa plana original', medidores: [{ id_medidor: 1, kwh: 1203.75 }] };
    expect(renderInvoice(open, plain).split('\n').slice(0, 3)).toEqual([
      'Fatura 11/2026 · CPF 123.456.789-09 · aberta (prévia: acompanha as leituras)',
      'Tarifa: Tarifa plana original',
      'Consumo: 1.203,75 kWh',
    ]);
  });

  it('a line in reais (a tax "por dentro") shows its base in R$ and its rate in %', () => {
    const taxed: Invoice = {
      ...invoice,
      itens: [{ descricao: 'ICMS (20,5%, por dentro)', quantidade: 239.33, unidade: 'R$', precoUnitario: 0.205, valor: 49.06 }],
      valor: 49.06,
    };
    expect(renderInvoice(taxed, plain).split('\n')[5]).toBe('ICMS (20,5%, por dentro)    R$ 239,33            20,5%   R$ 49,06');
  });

  it('colour changes no character the eye sees', () => {
    const styled = renderInvoice(invoice, coloured);
    expect(styled).not.toBe(renderInvoice(invoice, plain));
    expect(stripAnsi(styled)).toBe(renderInvoice(invoice, plain));
  });
});

describe('history chart', () => {
  it.each([
    ['2026-11-25T07', '07h'],
    ['2026-11-25', '25/11'],
    ['2026-11', '11/2026'],
    ['week-48', 'week-48'],
  ])('bucket %s is labelled %s', (bucket, label) => expect(bucketLabel(bucket)).toBe(label));

  it('bars are drawn in eighths of a cell and a tiny value still shows', () => {
    expect(bar(10, 10, 4)).toBe('████');
    expect(bar(5, 10, 3)).toBe('█▌');
    expect(bar(0.001, 10, 4)).toBe('▏');
    expect(bar(0, 10, 4)).toBe('');
  });

  it('renders one row per bucket, the period and the total', () => {
    const history: History = {
      id: '12345678909',
      kind: 'Y',
      periodo: 1,
      inicio: '2025-01-01T00:00:00-03:00',
      fim: '2026-01-01T00:00:00-03:00',
      soma: 15,
      series: [
        { bucket: '2025-01', kwh: 10 },
        { bucket: '2025-02', kwh: 0 },
        { bucket: '2025-03', kwh: 5 },
      ],
      consumo: [
        { timestamp: 1736000000, id_medidor: 1, valor: 10 },
        { timestamp: 1741000000, id_medidor: 1, valor: 5 },
      ],
      cursor: 'abc',
    };
    expect(renderHistory(history, plain, 40)).toBe(
      [
        'Consumo, ano 2025 (1 para trás) · CPF 123.456.789-09',
        '2025-01-01T00:00:00-03:00 → 2026-01-01T00:00:00-03:00',
        '',
        // 40 columns leave 21 cells for the bars; 5 of 10 kWh is 10.5 cells.
        `01/2025 │${'█'.repeat(21)} 10 kWh`,
        `02/2025 │${' '.repeat(21)}  0 kWh`,
        `03/2025 │${'█'.repeat(10)}▌${' '.repeat(10)}  5 kWh`,
        '',
        'Total: 15 kWh · 2 leituras (as primeiras 2; mais com --cursor abc)',
      ].join('\n'),
    );
  });
});

describe('renderAlarm', () => {
  const excess: Alarm = {
    id: '12345678909',
    alarme: 'Excesso!',
    mes: '2026-11',
    kwhMes: 1200,
    motivos: [
      { regra: 'total_mensal', mensagem: 'consumption this month (1200 kWh) is above the limit of 1000 kWh', limite: 1000, valor: 1200, mes: '2026-11' },
      { regra: 'media_diaria', limite: 40, valor: 52.5 },
    ],
  };

  it('states the verdict and every reason in words from its rule and numbers (a rule it does not know: its fields)', () => {
    expect(renderAlarm(excess, plain)).toBe(
      [
        'Alarme · CPF 123.456.789-09 · mês 11/2026: ⚠ Excesso!',
        'Consumo deste mês: 1.200 kWh',
        'Motivos:',
        '  ✗ O consumo deste mês (1.200 kWh) passou do limite de 1.000 kWh. [total_mensal]',
        '  ✗ limite: 40, valor: 52,5 [media_diaria]',
      ].join('\n'),
    );
    expect(renderAlarm(excess, english).split('\n').slice(0, 4)).toEqual([
      'Alarm · CPF 123.456.789-09 · month 11/2026: ⚠ Excesso!',
      'Consumption this month: 1,200 kWh',
      'Reasons:',
      '  ✗ Consumption this month (1,200 kWh) is above the limit of 1,000 kWh. [total_mensal]',
    ]);
  });

  it('the verdict is red for an excess and green when all is well', () => {
    expect(renderAlarm(excess, coloured)).toContain('\x1b[1m\x1b[31m⚠ Excesso!\x1b[39m\x1b[22m');
    const ok: Alarm = { ...excess, alarme: 'Ok!', kwhMes: 10, motivos: [] };
    expect(renderAlarm(ok, coloured)).toContain('\x1b[1m\x1b[32m✓ Ok!\x1b[39m\x1b[22m');
    expect(renderAlarm(ok, plain)).toBe('Alarme · CPF 123.456.789-09 · mês 11/2026: ✓ Ok!\nConsumo deste mês: 10 kWh');
  });

  it('lists the latest events, newest first, the open ones as ongoing', () => {
    const events = [
      { regra: 'total_mensal', disparadoEm: '2026-11-25T09:44:38-03:00', encerradoEm: null },
      { regra: 'medidor_silencioso', id_medidor: 2, disparadoEm: '2026-11-20T08:00:00-03:00', encerradoEm: '2026-11-20T11:30:00-03:00' },
    ];
    expect(renderAlarm({ ...excess, motivos: [], eventos: events }, plain).split('\n').slice(2)).toEqual([
      'Eventos:',
      '  25/11/2026 09:44:38 → em andamento  Consumo mensal acima do limite',
      '  20/11/2026 08:00:00 → 20/11/2026 11:30:00  Medidor sem enviar leituras (medidor 2)',
    ]);
    const many = Array.from({ length: 7 }, () => events[1]);
    const lines = renderAlarm({ ...excess, motivos: [], eventos: many }, plain).split('\n');
    expect(lines[2]).toBe('Eventos: (os 5 mais recentes de 7; todos com --json)');
    expect(lines.length).toBe(3 + 5);
  });

  it('a change between two checks is one line', () => {
    const ok: Alarm = { ...excess, alarme: 'Ok!', kwhMes: 900, motivos: [] };
    expect(describeAlarmChange(ok, excess, pt)).toBe('Ok! → Excesso!, 900 kWh → 1.200 kWh neste mês, novo: Consumo mensal acima do limite, media_diaria');
    expect(describeAlarmChange(excess, ok, pt)).toBe('Excesso! → Ok!, 1.200 kWh → 900 kWh neste mês, encerrado: Consumo mensal acima do limite, media_diaria');
    expect(describeAlarmChange(excess, excess, pt)).toBe('');
    expect(describeAlarmChange(excess, { ...excess, motivos: excess.motivos.slice(0, 1) }, pt)).toBe('encerrado: media_diaria');
    expect(describeAlarmChange(ok, excess, en)).toBe('Ok! → Excesso!, 900 kWh → 1,200 kWh this month, new: Monthly consumption above the limit, media_diaria');
  });

  it("a reason's figures moving on their own (a silent meter's minutes) are not a change", () => {
    const silent = (minutes: number, meter: number) => ({ regra: 'medidor_silencioso', id_medidor: meter, mensagem: `${minutes} minutes`, valor: minutes });
    const before: Alarm = { ...excess, motivos: [silent(200, 1)] };
    expect(describeAlarmChange(before, { ...excess, motivos: [silent(201, 1)] }, pt)).toBe('');
    expect(describeAlarmChange(before, { ...excess, motivos: [silent(201, 1), silent(190, 2)] }, pt)).toBe('novo: Medidor sem enviar leituras (medidor 2)');
  });
});

describe('a reading', () => {
  it('stored, or already stored (not counted again), in words', () => {
    const reading = { id: '12345678909', id_medidor: 1, valor: 3.25, timestamp: Date.parse('2026-11-25T17:30:00Z') / 1000, duplicate: false };
    expect(renderReading(reading, plain)).toBe('✓ Leitura gravada: 3,25 kWh no medidor 1 do CPF 123.456.789-09 em 25/11/2026 14:30:00');
    expect(renderReading({ ...reading, duplicate: true }, plain)).toBe('= Já gravada, não contada de novo: 3,25 kWh no medidor 1 do CPF 123.456.789-09 em 25/11/2026 14:30:00');
    expect(renderReading(reading, english)).toBe('✓ Reading stored: 3.25 kWh on meter 1 of CPF 123.456.789-09 at 25/11/2026 14:30:00');
  });
});

describe('wantsColour', () => {
  it.each([
    [{}, true, true],
    [{}, false, false],
    [{ NO_COLOR: '1' }, true, false],
    [{ NO_COLOR: '1', FORCE_COLOR: '1' }, true, false],
    [{ FORCE_COLOR: '1' }, false, true],
    [{ FORCE_COLOR: '0' }, true, false],
    [{ NO_COLOR: '' }, true, true],
    [{ TERM: 'dumb' }, true, false],
  ])('env %j, terminal %s → %s', (env, isTTY, expected) => expect(wantsColour(env as NodeJS.ProcessEnv, { isTTY })).toBe(expected));
});
