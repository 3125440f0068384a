// The real `luz` binary (node cli/bin.js) against the real API from the global set-up: every subcommand,
// human and --json, errors and exit codes, the API down, --watch, credentials (staff key, customer
// tokens, luz entrar / sair) and the interactive menus in a pseudo-terminal. Brazilian Portuguese by default
// (help, output, errors); the credential, --watch and menu suites run with LANG=en_US.UTF-8, so English is covered too.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { formatCpf } from '../core/cpf';
import { monthKeyOf } from '../core/periods';
import { formatDateTime } from '../cli/format';
import { cliWords } from '../i18n/cli';
import { createStyle, stripAnsi } from '../cli/style';
import { apiUrl, at, customerWithMeters, get, newCpf, post, registeredCustomer, staffKey } from './fixtures';
import { freePort } from '../dev/ports';

const BIN = resolve('cli/bin.js');
const ZONE = 'America/Bahia';
const DOWN = '\x1b[B';
const CLEAR_LINE = '\x15'; // Ctrl-U
const pt = cliWords('pt-BR', ZONE);
/** The language of the suites below: none set (pt-BR), or English for the ones that ask (see `inEnglish`). */
let suiteLanguage: Env = {};
const ENGLISH: Env = { LANG: 'en_US.UTF-8' };
/** Runs the enclosing describe's tests with LANG=en_US.UTF-8. */
function inEnglish(): void {
  beforeAll(() => void (suiteLanguage = ENGLISH));
  afterAll(() => void (suiteLanguage = {}));
}

type Env = Record<string, string | undefined>;

// Folders of this suite only: nothing from the developer's ~/.config/luz or .data/staff.key leaks in.
const scratch = mkdtempSync(join(tmpdir(), 'luz-cli-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
let folders = 0;
/** A new empty folder path under the suite's scratch folder (created only when `create`). */
function folder(create = true): string {
  const path = join(scratch, `f${++folders}`);
  if (create) mkdirSync(path);
  return path;
}
const EMPTY_CONFIG = folder();
const EMPTY_DATA = folder();

/** No credential anywhere: every variable and file the CLI reads is unset or empty. */
const NO_CREDENTIAL: Env = { LUZ_STAFF_KEY: undefined, STAFF_KEY: undefined, LUZ_TOKEN: undefined };

/**
 * The child's environment: the test API with the staff key, empty config and data folders, and
 * no colour setting inherited from jest unless asked for.
 */
function cliEnv(extra: Env = {}): NodeJS.ProcessEnv {
  const env: Env = {
    ...process.env,
    LUZ_URL: apiUrl(),
    LUZ_STAFF_KEY: staffKey(),
    STAFF_KEY: undefined,
    LUZ_TOKEN: undefined,
    LUZ_CONFIG_DIR: EMPTY_CONFIG,
    LUZ_DATA_DIR: EMPTY_DATA,
    NO_COLOR: undefined,
    FORCE_COLOR: undefined,
    LUZ_TZ: undefined,
    // No language from the developer's shell: Portuguese unless a suite asks for English.
    LANG: undefined,
    LC_ALL: undefined,
    LC_MESSAGES: undefined,
    ...suiteLanguage,
    ...extra,
  };
  return Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined)) as NodeJS.ProcessEnv;
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function collect(child: ChildProcess): Promise<Run> {
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk) => (stdout += chunk));
  child.stderr?.on('data', (chunk) => (stderr += chunk));
  return new Promise((done, fail) => {
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

/** Runs `luz …` to completion with stdin at /dev/null (not a terminal), or fed `input` through a pipe. */
function luz(args: string[], env: Env = {}, input?: string): Promise<Run> {
  const child = spawn(process.execPath, [BIN, ...args], { env: cliEnv(env), stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
  if (input !== undefined) child.stdin!.end(input);
  return collect(child);
}

async function luzJson(args: string[]): Promise<unknown> {
  const run = await luz(['--json', ...args]);
  expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
  return JSON.parse(run.stdout);
}

/**
 * Polls `condition` until it holds (the child has printed what we wait for); gives up at the
 * deadline, or at once when the child has exited without it.
 */
async function waitUntil(condition: () => boolean, describe: () => string, exited: () => boolean, timeoutMs = 45_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (exited()) throw new Error(`the child exited before ${describe()}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${describe()}`);
    await new Promise((done) => setTimeout(done, 50));
  }
}

async function closedPortUrl(): Promise<string> {
  return `http://127.0.0.1:${await freePort()}`;
}

const lines = (text: string) => text.split('\n');

describe('luz --help', () => {
  it.each([
    [[], 'Uso: luz [opções] [comando]'],
    [['cliente'], 'Uso: luz cliente [opções] [comando]'],
    [['cliente', 'add'], 'Uso: luz cliente add [opções] <cpf> <nome...>'],
    [['medidor'], 'Uso: luz medidor [opções] [comando]'],
    [['medidor', 'add'], 'Uso: luz medidor add [opções] <cpf>'],
    [['leitura'], 'Uso: luz leitura [opções] [comando]'],
    [['leitura', 'add'], 'Uso: luz leitura add [opções] <cpf> <medidor> <kwh>'],
    [['fatura'], 'Uso: luz fatura [opções] <cpf>'],
    [['historico'], 'Uso: luz historico [opções] <cpf>'],
    [['alarme'], 'Uso: luz alarme [opções] <cpf>'],
  ])('%j --help: usage on stdout, in Portuguese, exit 0', async (path, usage) => {
    const run = await luz([...path, '--help']);
    expect(run).toEqual({ code: 0, stdout: expect.stringMatching(/--json/), stderr: '' });
    expect(lines(run.stdout)[0]).toBe(usage);
  });

  it('the help in words: headings, descriptions and examples in Portuguese; English with --lang en or LANG=en_*', async () => {
    const help = (await luz(['--help'])).stdout;
    for (const text of ['Opções:', 'Comandos:', 'a fatura do cliente: cada item e o total em R$', 'Exemplos:', 'URL base da API da Luz (padrão:']) {
      expect(help).toContain(text);
    }
    for (const english of [await luz(['--lang', 'en', '--help']), await luz(['--help'], ENGLISH), await luz(['--lang=en-GB', 'fatura', '--help'])]) {
      expect(english).toMatchObject({ code: 0, stdout: expect.stringMatching(/^Usage: luz /), stderr: '' });
    }
    expect((await luz(['--lang', 'en', '--help'])).stdout).toContain("a customer's invoice: each line and the total in R$");
    // --lang wins over LANG, and a language Luz does not speak is a usage error.
    expect((await luz(['--lang', 'pt-BR', '--help'], ENGLISH)).stdout).toMatch(/^Uso: luz /);
    expect(await luz(['--lang', 'fr', 'fatura', '12345678909'])).toEqual({ code: 2, stdout: '', stderr: "erro: --lang: pt-BR ou en, não 'fr'\n" });
  });

  it('npm run cli -- --version runs the same binary', async () => {
    const run = await collect(spawn('npm', ['run', '-s', 'cli', '--', '--version'], { env: cliEnv(), stdio: ['ignore', 'pipe', 'pipe'] }));
    expect(run).toEqual({ code: 0, stdout: '0.1.0\n', stderr: '' });
  });
});

const TOKEN = /luz_[A-Za-z0-9_-]{43}/;
const GIVE_TOKEN = '  ! Entregue este token ao cliente (ele roda luz entrar <token>): ele é mostrado uma única vez';

/**
 * Whether cadMedidor hands out a meter secret (`segredo`, being added beside this work): the
 * expected output follows what this API does, and each form is asserted exactly.
 */
async function apiIssuesMeterSecrets(): Promise<boolean> {
  const cpf = await customerWithMeters(0);
  const meter = await post('/cadMedidor', { id: cpf });
  expect(meter.status).toBe(201);
  return typeof (meter.body as { segredo?: unknown }).segredo === 'string';
}

describe('staff: cliente add, cliente token, medidor add, leitura add', () => {
  it('human output; the new token shown once and working; a zone-less --quando is read in the Luz zone', async () => {
    const cpf = newCpf();
    const customer = await luz(['cliente', 'add', formatCpf(cpf), 'Ana', 'Souza', '--ligacao', 'bifásico']);
    expect({ code: customer.code, stderr: customer.stderr }).toEqual({ code: 0, stderr: '' });
    expect(lines(customer.stdout)).toEqual([
      expect.stringMatching(new RegExp(`^✓ Cliente cadastrado: Ana Souza · CPF ${escape(formatCpf(cpf))} · bifasico · \\d{2}/\\d{2}/\\d{4} \\d{2}:\\d{2}:\\d{2}$`)),
      expect.stringMatching(new RegExp(`^  Token do cliente: ${TOKEN.source}$`)),
      GIVE_TOKEN,
      '',
    ]);
    const token = TOKEN.exec(customer.stdout)![0];
    const invoice = await luz(['--json', 'fatura', cpf], { ...NO_CREDENTIAL, LUZ_TOKEN: token });
    expect({ code: invoice.code, stderr: invoice.stderr, body: JSON.parse(invoice.stdout) }).toEqual({
      code: 0,
      stderr: '',
      body: (await get('/getFatura', { id: cpf })).body,
    });

    const secrets = await apiIssuesMeterSecrets();
    const meter = await luz(['medidor', 'add', cpf]);
    expect({ code: meter.code, stderr: meter.stderr }).toEqual({ code: 0, stderr: '' });
    expect(lines(meter.stdout)).toEqual([
      `✓ Medidor 1 cadastrado para o CPF ${formatCpf(cpf)}`,
      ...(secrets ? [expect.stringMatching(/^  Segredo do medidor: \S+$/), '  ! Configure o medidor com este segredo: ele é mostrado uma única vez'] : []),
      '',
    ]);

    const stored = `3,25 kWh no medidor 1 do CPF ${formatCpf(cpf)} em 10/03/2025 12:00:00`;
    expect(await luz(['leitura', 'add', cpf, '1', '3,25', '--quando', '2025-03-10T12:00'])).toEqual({
      code: 0,
      stdout: `✓ Leitura gravada: ${stored}\n`,
      stderr: '',
    });
    expect(await luz(['leitura', 'add', cpf, '1', '3.25', '--quando', '10/03/2025 12:00'])).toEqual({
      code: 0,
      stdout: `= Já gravada, não contada de novo: ${stored}\n`,
      stderr: '',
    });
    // The same reading in English, where a person asks for it.
    expect(await luz(['--lang', 'en', 'leitura', 'add', cpf, '1', '3.25', '--quando', '10/03/2025 12:00'])).toEqual({
      code: 0,
      stdout: `= Already stored, not counted again: 3.25 kWh on meter 1 of CPF ${formatCpf(cpf)} at 10/03/2025 12:00:00\n`,
      stderr: '',
    });
    // Counted once, in the month it happened.
    expect((await get('/getFatura', { id: cpf, mes: '2025-03' })).body).toMatchObject({ kwh: 3.25 });
  });

  it('--json prints exactly what the API answered', async () => {
    const cpf = newCpf();
    expect(await luzJson(['cliente', 'add', cpf, 'Bruno Lima'])).toEqual({
      id: cpf,
      name: 'Bruno Lima',
      createdAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
      ligacao: 'monofasico',
      token: expect.stringMatching(/^luz_[A-Za-z0-9_-]{43}$/),
    });
    const secret = (await apiIssuesMeterSecrets()) ? { segredo: expect.any(String) } : {};
    expect(await luzJson(['medidor', 'add', cpf])).toEqual({ id: cpf, id_medidor: 1, ...secret });
    expect(await luzJson(['medidor', 'add', formatCpf(cpf)])).toEqual({ id: cpf, id_medidor: 2, ...secret });
    expect(await luzJson(['leitura', 'add', cpf, '2', '1.5', '--quando', '2025-03-10T15:00:00Z'])).toEqual({
      id: cpf,
      id_medidor: 2,
      valor: 1.5,
      timestamp: at('2025-03-10T15:00:00Z'),
      duplicate: false,
    });
    expect(await luzJson(['leitura', 'add', cpf, '2', '1.5', '--quando', String(at('2025-03-10T15:00:00Z'))])).toMatchObject({ duplicate: true });

    const before = Date.now() / 1000;
    const now = (await luzJson(['leitura', 'add', cpf, '1', '0,75'])) as { timestamp: number };
    expect(now).toEqual({ id: cpf, id_medidor: 1, valor: 0.75, timestamp: expect.any(Number), duplicate: false });
    expect(now.timestamp).toBeGreaterThanOrEqual(before);
    expect(now.timestamp).toBeLessThanOrEqual(Date.now() / 1000);
  });

  it('cliente token: a new token shown once, valid until its date; the previous one is refused from then on', async () => {
    const { id: cpf, token: previous } = await registeredCustomer(0);
    const before = Date.now();
    const run = await luz(['cliente', 'token', formatCpf(cpf)]);
    const after = Date.now();
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    const [headline, ...rest] = lines(run.stdout);
    // A year after it was issued (LUZ_TOKEN_TTL_DAYS, 365 by default), as a date in the Luz zone.
    const inAYear = (ms: number) => pt.date(new Date(ms + 365 * 86_400_000).toISOString());
    expect([
      `✓ Novo token para o CPF ${formatCpf(cpf)}, válido até ${inAYear(before)}; o anterior deixou de funcionar`,
      `✓ Novo token para o CPF ${formatCpf(cpf)}, válido até ${inAYear(after)}; o anterior deixou de funcionar`,
    ]).toContain(headline);
    expect(rest).toEqual([expect.stringMatching(new RegExp(`^  Token do cliente: ${TOKEN.source}$`)), GIVE_TOKEN, '']);
    const token = TOKEN.exec(run.stdout)![0];
    expect(token).not.toBe(previous);

    const asCustomer = (secret: string) => luz(['alarme', cpf], { ...NO_CREDENTIAL, LUZ_TOKEN: secret });
    const tokenUsedAt = Date.now();
    expect(await asCustomer(token)).toMatchObject({ code: 0, stdout: expect.stringMatching(/^Alarme · CPF /), stderr: '' });
    expect(await asCustomer(previous)).toEqual({
      code: 1,
      stdout: '',
      stderr:
        `erro: a Luz recusou o token do cliente ${previous.slice(0, 8)}… de LUZ_TOKEN: desconhecido, expirado ou revogado; ` +
        'peça um novo à equipe (luz cliente token <cpf>) e rode luz entrar <token> (401 unauthorized)\n',
    });

    const json = await luzJson(['cliente', 'token', cpf]);
    expect(json).toEqual({ id: cpf, token: expect.stringMatching(new RegExp(`^${TOKEN.source}$`)), expiresAt: expect.any(String) });
    expect(Date.parse((json as { expiresAt: string }).expiresAt)).toBeGreaterThan(Date.now() + 364 * 86_400_000);
    // That token was let in above: the authorizer's kept decision (LUZ_AUTH_CACHE_SECONDS) runs out first.
    const ttlMs = Number(process.env.LUZ_TEST_AUTH_CACHE_SECONDS) * 1000;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, tokenUsedAt + ttlMs + 100 - Date.now())));
    expect((await asCustomer(token)).code).toBe(1);
  });
});

describe('customer: fatura, historico, alarme', () => {
  const lastYear = Number(monthKeyOf(Date.now(), ZONE).slice(0, 4)) - 1;
  let cpf: string;

  beforeAll(async () => {
    cpf = await customerWithMeters(2);
    for (const [meter, valor, iso] of [
      [1, 10.5, `${lastYear}-03-10T15:00:00Z`],
      [2, 2.25, `${lastYear}-07-01T15:00:00Z`],
      [1, 1, `${lastYear}-07-20T15:00:00Z`],
    ] as const) {
      const stored = await post('/postConsumo', { id: cpf, id_medidor: meter, valor, timestamp: at(iso) });
      expect(stored.status).toBe(201);
    }
  });

  it('fatura --json matches the API; the human view is a table with every line and the total in R$', async () => {
    const mes = `${lastYear}-03`;
    const api = (await get('/getFatura', { id: cpf, mes })).body as {
      kwh: number;
      valor: number;
      tarifa: string;
      itens: { descricao: string; valor: number }[];
    };
    expect(api).toMatchObject({ kwh: 10.5, situacao: 'aberta' });
    expect(await luzJson(['fatura', cpf, '--mes', mes])).toEqual(api);

    const run = await luz(['fatura', formatCpf(cpf), '--mes', mes]);
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    const printed = lines(run.stdout.trimEnd());
    const blank = printed.indexOf('');
    expect(printed.slice(0, blank)).toEqual([
      `Fatura 03/${lastYear} · CPF ${formatCpf(cpf)} · aberta (prévia: acompanha as leituras)`,
      `Tarifa: ${api.tarifa}`,
      expect.stringMatching(/^Consumo: 10,5 kWh( \(medidor 1: 10,5 kWh, medidor 2: 0 kWh\))?$/),
    ]);
    // The table: header, rule, one row per line the API sent, rule, total (R$ 1.234,56).
    const table = printed.slice(blank + 1);
    expect(table).toEqual([
      expect.stringMatching(/^Item +Quantidade +Preço unitário +Valor$/),
      expect.stringMatching(/^─+$/),
      ...api.itens.map((line) => expect.stringMatching(new RegExp(`^${escape(line.descricao)} .*${escape(pt.money(line.valor))}$`))),
      expect.stringMatching(/^─+$/),
      expect.stringMatching(new RegExp(`^Total +${escape(pt.money(api.valor))}$`)),
    ]);
    expect(pt.money(api.valor)).toMatch(/^R\$ \d{1,3}(\.\d{3})*,\d{2}$/);
  });

  it('historico --json matches the API; the human view is a bar chart over the series and the total', async () => {
    const api = (await get('/getConsumoHist', { id: cpf, kind: 'Y', periodo: 1 })).body;
    expect(api).toMatchObject({ soma: 13.75, cursor: null });
    expect(await luzJson(['historico', cpf, '--kind', 'Y', '--periodo', '1'])).toEqual(api);

    const run = await luz(['historico', cpf, '--kind', 'y', '--periodo', '1']);
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    const printed = lines(run.stdout.trimEnd());
    expect(printed.slice(0, 3)).toEqual([
      `Consumo, ano ${lastYear} (1 para trás) · CPF ${formatCpf(cpf)}`,
      `${lastYear}-01-01T00:00:00-03:00 → ${lastYear + 1}-01-01T00:00:00-03:00`,
      '',
    ]);
    // 80 columns (not a terminal): 50 cells for the largest month; 3.25 of 10.5 kWh is 15.5 cells.
    expect(printed.slice(3, 15)).toEqual([
      `01/${lastYear} │${' '.repeat(50)}    0 kWh`,
      `02/${lastYear} │${' '.repeat(50)}    0 kWh`,
      `03/${lastYear} │${'█'.repeat(50)} 10,5 kWh`,
      `04/${lastYear} │${' '.repeat(50)}    0 kWh`,
      `05/${lastYear} │${' '.repeat(50)}    0 kWh`,
      `06/${lastYear} │${' '.repeat(50)}    0 kWh`,
      `07/${lastYear} │${'█'.repeat(15)}▌${' '.repeat(34)} 3,25 kWh`,
      `08/${lastYear} │${' '.repeat(50)}    0 kWh`,
      `09/${lastYear} │${' '.repeat(50)}    0 kWh`,
      `10/${lastYear} │${' '.repeat(50)}    0 kWh`,
      `11/${lastYear} │${' '.repeat(50)}    0 kWh`,
      `12/${lastYear} │${' '.repeat(50)}    0 kWh`,
    ]);
    expect(printed.slice(15)).toEqual(['', 'Total: 13,75 kWh · 3 leituras']);
  });

  it('historico pages readings with --limit and --cursor', async () => {
    const first = (await luzJson(['historico', cpf, '--kind', 'Y', '--periodo', '1', '--limit', '2'])) as { consumo: unknown[]; cursor: string };
    expect(first.consumo).toEqual([
      { timestamp: at(`${lastYear}-03-10T15:00:00Z`), id_medidor: 1, valor: 10.5 },
      { timestamp: at(`${lastYear}-07-01T15:00:00Z`), id_medidor: 2, valor: 2.25 },
    ]);
    expect(first.cursor).toEqual(expect.any(String));
    const rest = await luzJson(['historico', cpf, '--kind', 'Y', '--periodo', '1', '--limit', '2', '--cursor', first.cursor]);
    expect(rest).toMatchObject({ consumo: [{ timestamp: at(`${lastYear}-07-20T15:00:00Z`), id_medidor: 1, valor: 1 }], cursor: null });
  });

  it('alarme: Ok! in two lines; --json matches the API', async () => {
    // No meters: nothing to exceed and no meter to go silent (this suite's customer has meters
    // quiet since last year, which the silent-meter rule reports).
    const quiet = await customerWithMeters(0);
    const api = (await get('/getAlarme', { id: quiet })).body as { mes: string };
    expect(api).toMatchObject({ alarme: 'Ok!', motivos: [], eventos: [] });
    expect(await luzJson(['alarme', quiet])).toEqual(api);
    const [year, month] = api.mes.split('-');
    expect(await luz(['alarme', quiet])).toEqual({
      code: 0,
      stdout: `Alarme · CPF ${formatCpf(quiet)} · mês ${month}/${year}: ✓ Ok!\nConsumo deste mês: 0 kWh\n`,
      stderr: '',
    });
  });

  it('alarme: Excesso! with every reason the API gives, in red only when colour is wanted', async () => {
    const heavy = await customerWithMeters(1);
    await post('/postConsumo', { id: heavy, id_medidor: 1, valor: 1200, timestamp: Date.now() / 1000 });
    const api = (await get('/getAlarme', { id: heavy })).body as {
      mes: string;
      motivos: { regra: string; mensagem: string; [field: string]: unknown }[];
      eventos: { regra: string; id_medidor?: number; disparadoEm: string; encerradoEm: string | null }[];
    };
    expect(api.motivos.map(({ regra }) => regra)).toEqual(expect.arrayContaining(['total_mensal', 'leitura_individual']));
    expect(api.eventos.length).toBeGreaterThan(0);
    expect(await luzJson(['alarme', heavy])).toEqual(api);

    const [year, month] = api.mes.split('-');
    // Reasons in words from the API's rule and numbers (its `mensagem` is English, for logs).
    const expected = [
      `Alarme · CPF ${formatCpf(heavy)} · mês ${month}/${year}: ⚠ Excesso!`,
      'Consumo deste mês: 1.200 kWh',
      'Motivos:',
      ...api.motivos.map((reason) => `  ✗ ${pt.reason(reason)} [${reason.regra}]`),
      'Eventos:',
      ...api.eventos.map(
        (event) =>
          `  ${formatDateTime(Date.parse(event.disparadoEm), ZONE)} → ${event.encerradoEm ? formatDateTime(Date.parse(event.encerradoEm), ZONE) : 'em andamento'}  ` +
          `${pt.ruleName(event.regra)}${event.id_medidor === undefined ? '' : ` (medidor ${event.id_medidor})`}`,
      ),
    ].join('\n');
    expect(expected).toContain('  ✗ O consumo deste mês (1.200 kWh) passou do limite de 1.000 kWh. [total_mensal]');
    expect(await luz(['alarme', heavy])).toEqual({ code: 0, stdout: `${expected}\n`, stderr: '' });

    const coloured = await luz(['alarme', heavy], { FORCE_COLOR: '1' });
    expect(coloured.stdout).toContain(createStyle(true).alert('⚠ Excesso!'));
    expect(stripAnsi(coloured.stdout)).toBe(`${expected}\n`);
    expect(await luz(['alarme', heavy], { FORCE_COLOR: '1', NO_COLOR: '1' })).toEqual({ code: 0, stdout: `${expected}\n`, stderr: '' });
  });
});

describe('errors: one line on stderr, exit 1 from the API, exit 2 for usage', () => {
  it.each([
    ['an unknown customer', () => ['fatura', newCpf()], 'erro: Cliente não encontrado. (404 customer_not_found)'],
    ['an unknown meter', (cpf: string) => ['leitura', 'add', cpf, '7', '1'], 'erro: Medidor não encontrado. (404 meter_not_found)'],
    ['a customer that exists', (cpf: string) => ['cliente', 'add', cpf, 'Outra'], 'erro: Já existe um cliente com este CPF. (409 customer_exists)'],
    [
      'a reading the API refuses',
      (cpf: string) => ['leitura', 'add', cpf, '1', '2', '--quando', '1999-12-31T23:00:00Z'],
      'erro: Dado inválido (quando): must not be before 2000-01-01 (400 invalid_input)',
    ],
  ])('%s', async (_title, args, message) => {
    const cpf = await customerWithMeters(1);
    expect(await luz(args(cpf))).toEqual({ code: 1, stdout: '', stderr: `${message}\n` });
  });

  it('--json errors are the API error as JSON on stderr', async () => {
    const run = await luz(['--json', 'alarme', newCpf()]);
    expect({ code: run.code, stdout: run.stdout }).toEqual({ code: 1, stdout: '' });
    expect(JSON.parse(run.stderr)).toEqual({ status: 404, error: { code: 'customer_not_found', message: 'no customer with this CPF', field: 'id' } });
  });

  it('a bad CPF is caught before any request (the URL points nowhere, yet the answer is a usage error)', async () => {
    const run = await luz(['--url', await closedPortUrl(), 'fatura', '123.456.789-00']);
    expect(run).toEqual({
      code: 2,
      stdout: '',
      stderr: "erro: o argumento 'cpf' não vale '123.456.789-00': os dígitos verificadores do CPF não conferem\n(use --help para ver como usar)\n",
    });
  });

  it.each([
    [['historico', '12345678909', '--kind', 'W'], "erro: a opção '--kind <D|M|Y>' não vale 'W': kind é D (dia), M (mês) ou Y (ano)"],
    [['alarme', '12345678909', '--every', '5s'], "erro: a opção '--every' só vale com '--watch'"],
    [['alarme', '12345678909', '--watch', '--every', '100ms'], "erro: a opção '--every <interval>' não vale '100ms': o intervalo mínimo é 1s"],
    [['leitura', 'add', '12345678909', '1', '-2'], "erro: o argumento 'kwh' não vale '-2': kWh é um número como 1.5 ou 1,5"],
    [['leitura', 'add', '12345678909', '1', '2', '--quando', 'ontem'], "erro: a opção '--quando <data>' não vale 'ontem': a data é ISO-8601"],
    [['fatura', '12345678909', '--mes', '2026-13'], "erro: a opção '--mes <AAAA-MM>' não vale '2026-13': o mês é AAAA-MM, por exemplo 2026-11"],
    [['cliente', 'add', '12345678909'], "erro: falta o argumento 'nome'"],
    [['nada'], "erro: comando desconhecido 'nada'"],
    [['--lang', 'en', 'fatura', '12345678909', '--mes', '2026-13'], "error: option '--mes <YYYY-MM>' argument '2026-13' is invalid. a month is YYYY-MM, e.g. 2026-11"],
  ])('%j → exit 2', async (args, message) => {
    const run = await luz(args);
    expect({ code: run.code, stdout: run.stdout }).toEqual({ code: 2, stdout: '' });
    expect(lines(run.stderr)[0]).toContain(message);
  });

  it('no command and no terminal: the usage on stderr, exit 2', async () => {
    const run = await luz([]);
    expect({ code: run.code, stdout: run.stdout }).toEqual({ code: 2, stdout: '' });
    expect(lines(run.stderr).slice(0, 2)).toEqual(['erro: nenhum comando (os menus interativos precisam de um terminal)', 'Uso: luz [opções] [comando]']);
  });
});

describe('the API down', () => {
  it('"não foi possível falar com a Luz em URL", exit 1, for --url and for LUZ_URL', async () => {
    const down = await closedPortUrl();
    const expected = { code: 1, stdout: '', stderr: `erro: não foi possível falar com a Luz em ${down} (connection refused)\n` };
    expect(await luz(['--url', down, 'fatura', '12345678909'])).toEqual(expected);
    expect(await luz(['medidor', 'add', '12345678909'], { LUZ_URL: down })).toEqual(expected);
    const json = await luz(['--json', 'alarme', '12345678909'], { LUZ_URL: down });
    expect({ code: json.code, stdout: json.stdout, error: JSON.parse(json.stderr) }).toEqual({
      code: 1,
      stdout: '',
      error: { error: { code: 'unreachable', message: `cannot reach Luz at ${down} (connection refused)` } },
    });
  });

  it('--url wins over LUZ_URL', async () => {
    const cpf = await customerWithMeters(1);
    const run = await luz(['--url', apiUrl(), '--json', 'alarme', cpf], { LUZ_URL: await closedPortUrl() });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual((await get('/getAlarme', { id: cpf })).body);
  });
});

describe('credentials: staff key, customer token, luz entrar and luz sair', () => {
  inEnglish();
  /** A data folder as npm start leaves it: staff.key, mode 600. */
  function dataFolderWithKey(key: string): string {
    const data = folder();
    writeFileSync(join(data, 'staff.key'), `${key}\n`, { mode: 0o600 });
    return data;
  }

  const masked = (token: string) => `${token.slice(0, 8)}…`;
  const mode = (path: string) => statSync(path).mode & 0o777;
  const anotherWellShapedToken = () => `luz_${'x'.repeat(40)}${Math.random().toString(36).slice(2, 5).padEnd(3, '0')}`;

  it('staff: the key from LUZ_STAFF_KEY, --key, STAFF_KEY or LUZ_DATA_DIR/staff.key', async () => {
    const cpf = await customerWithMeters(0);
    const registered = (n: number) => expect.objectContaining({ code: 0, stdout: expect.stringMatching(new RegExp(`^✓ Meter ${n} registered for CPF `)), stderr: '' });
    expect(await luz(['medidor', 'add', cpf])).toEqual(registered(1));
    expect(await luz(['--key', staffKey(), 'medidor', 'add', cpf], NO_CREDENTIAL)).toEqual(registered(2));
    expect(await luz(['medidor', 'add', cpf], { ...NO_CREDENTIAL, STAFF_KEY: staffKey() })).toEqual(registered(3));
    expect(await luz(['medidor', 'add', cpf], { ...NO_CREDENTIAL, LUZ_DATA_DIR: dataFolderWithKey(staffKey()) })).toEqual(registered(4));
  });

  it('no credential anywhere: one line naming every place looked, exit 1', async () => {
    const cpf = await customerWithMeters(0);
    const expected = {
      code: 1,
      stdout: '',
      stderr:
        `error: Luz refused the request: no staff key or customer token (looked at --token, LUZ_TOKEN, --key, LUZ_STAFF_KEY, ` +
        `${EMPTY_CONFIG}/token, STAFF_KEY, ${EMPTY_DATA}/staff.key); run luz entrar <token>, or start Luz with npm start so ` +
        `${EMPTY_DATA}/staff.key exists (401 unauthorized)\n`,
    };
    expect(await luz(['fatura', cpf], NO_CREDENTIAL)).toEqual(expected);
    expect(await luz(['medidor', 'add', cpf], NO_CREDENTIAL)).toEqual(expected);
    const json = await luz(['--json', 'alarme', cpf], NO_CREDENTIAL);
    expect({ code: json.code, stdout: json.stdout, error: JSON.parse(json.stderr) }).toEqual({
      code: 1,
      stdout: '',
      error: { status: 401, error: { code: 'unauthorized', message: expect.any(String) } },
    });
    // The refused medidor add registered nothing: the first meter is still number 1.
    expect(await luzJson(['medidor', 'add', cpf])).toMatchObject({ id_medidor: 1 });
  });

  it('a staff key the API does not know: refused, masked, exit 1', async () => {
    const run = await luz(['--key', 'not-the-key-of-this-api', 'medidor', 'add', await customerWithMeters(0)], NO_CREDENTIAL);
    expect(run).toEqual({
      code: 1,
      stdout: '',
      stderr: 'error: Luz refused the staff key not-… from --key: it is not the key this API was started with (401 unauthorized)\n',
    });
  });

  it('customer: --token or LUZ_TOKEN opens their own invoice, history and alarm; another CPF and staff routes are 403, exit 1', async () => {
    const { id: cpf, token } = await registeredCustomer(1);
    const other = await customerWithMeters(1);
    const asStaff = await luz(['fatura', cpf]);
    expect(asStaff.code).toBe(0);
    expect(await luz(['--token', token, 'fatura', cpf], NO_CREDENTIAL)).toEqual(asStaff);
    expect(await luz(['fatura', cpf], { ...NO_CREDENTIAL, LUZ_TOKEN: token })).toEqual(asStaff);
    expect(await luz(['historico', cpf, '--kind', 'M'], { ...NO_CREDENTIAL, LUZ_TOKEN: token })).toEqual(await luz(['historico', cpf, '--kind', 'M']));
    expect(await luz(['--json', 'alarme', cpf], { LUZ_TOKEN: token })).toMatchObject({ code: 0, stderr: '' });

    const notYours = `error: This token does not open this CPF's data; in use: the customer token ${masked(token)} from LUZ_TOKEN (403 forbidden)\n`;
    for (const args of [['fatura', other], ['historico', other], ['alarme', formatCpf(other)]]) {
      expect(await luz(args, { ...NO_CREDENTIAL, LUZ_TOKEN: token })).toEqual({ code: 1, stdout: '', stderr: notYours });
    }
    expect(await luz(['--token', token, 'medidor', 'add', cpf], NO_CREDENTIAL)).toEqual({
      code: 1,
      stdout: '',
      stderr: `error: This action is for staff only; in use: the customer token ${masked(token)} from --token (403 forbidden)\n`,
    });
    const json = await luz(['--json', 'fatura', other], { ...NO_CREDENTIAL, LUZ_TOKEN: token });
    expect({ code: json.code, stdout: json.stdout, error: JSON.parse(json.stderr) }).toEqual({
      code: 1,
      stdout: '',
      error: { status: 403, error: { code: 'forbidden', message: "a customer token only opens that customer's own data" } },
    });
    // The refused calls changed nothing: still one meter.
    expect(await luzJson(['medidor', 'add', cpf])).toMatchObject({ id_medidor: 2 });
  });

  it('a token of the wrong shape is a usage error before any request, and is not repeated', async () => {
    const down = await closedPortUrl();
    const run = await luz(['--url', down, 'fatura', '12345678909'], { ...NO_CREDENTIAL, LUZ_TOKEN: 'luz_copied-only-in-part' });
    expect(run).toEqual({
      code: 2,
      stdout: '',
      stderr: 'error: LUZ_TOKEN: a customer token is luz_ followed by 43 letters, digits, - or _ (23 characters given)\n(add --help for usage)\n',
    });
  });

  it('entrar checks the token with Luz, remembers it (file 600, folder 700) without printing it; sair forgets it', async () => {
    const { id: cpf, token } = await registeredCustomer(1);
    const parent = folder();
    const config = join(parent, 'luz');
    const file = join(config, 'token');
    const env = { ...NO_CREDENTIAL, LUZ_CONFIG_DIR: config };

    const signedIn = await luz(['entrar', token], env);
    expect(signedIn).toEqual({
      code: 0,
      stdout: `✓ Luz at ${apiUrl()} accepted the customer token ${masked(token)}\n  Remembered in ${file} (only you can read it); luz sair forgets it\n`,
      stderr: '',
    });
    expect(readFileSync(file, 'utf8')).toBe(`${token}\n`);
    expect({ file: mode(file), folder: mode(config) }).toEqual({ file: 0o600, folder: 0o700 });

    // Used from now on, in place of a staff key file beside it (luz entrar was deliberate).
    const asStaff = await luz(['alarme', cpf]);
    const withKeyFile = { ...env, LUZ_DATA_DIR: dataFolderWithKey(staffKey()) };
    expect(await luz(['alarme', cpf], env)).toEqual(asStaff);
    expect(await luz(['alarme', cpf], withKeyFile)).toEqual(asStaff);
    expect(await luz(['medidor', 'add', cpf], withKeyFile)).toEqual({
      code: 1,
      stdout: '',
      stderr: `error: This action is for staff only; in use: the customer token ${masked(token)} from ${file}, luz sair forgets it (403 forbidden)\n`,
    });

    expect(await luz(['sair'], env)).toEqual({ code: 0, stdout: `✓ Forgot the customer token remembered in ${file}\n`, stderr: '' });
    expect(existsSync(file)).toBe(false);
    expect(await luz(['sair'], env)).toEqual({ code: 0, stdout: `No customer token was remembered in ${file}\n`, stderr: '' });
    expect(await luz(['--json', 'sair'], env)).toEqual({ code: 0, stdout: `${JSON.stringify({ forgotten: false, file }, null, 2)}\n`, stderr: '' });
    // Back to the staff key file.
    expect(await luz(['medidor', 'add', cpf], withKeyFile)).toMatchObject({ code: 0, stdout: expect.stringMatching(/^✓ Meter 2 registered/) });
  });

  it('entrar reads the token from stdin when it is left out (away from the shell history); --json', async () => {
    const { id: cpf, token } = await registeredCustomer(0);
    const config = folder(false);
    const run = await luz(['--json', 'entrar'], { ...NO_CREDENTIAL, LUZ_CONFIG_DIR: config }, `\n${token}\n`);
    expect({ code: run.code, stderr: run.stderr, body: JSON.parse(run.stdout) }).toEqual({
      code: 0,
      stderr: '',
      body: { remembered: join(config, 'token'), token: masked(token) },
    });
    expect(await luz(['--json', 'alarme', cpf], { ...NO_CREDENTIAL, LUZ_CONFIG_DIR: config })).toMatchObject({ code: 0, stderr: '' });
    expect(await luz(['entrar'], { ...NO_CREDENTIAL, LUZ_CONFIG_DIR: folder(false) }, '')).toEqual({
      code: 2,
      stdout: '',
      stderr: 'error: luz entrar: no token given (pass it as an argument, type it on a terminal or pipe it in)\n(add --help for usage)\n',
    });
  });

  it('entrar remembers nothing when the token is malformed, a staff key, refused, or Luz is down', async () => {
    const { id: cpf, token: revoked } = await registeredCustomer(0);
    expect((await post('/tokenCliente', { id: cpf })).status).toBe(201);
    const config = folder(false);
    const env = { ...NO_CREDENTIAL, LUZ_CONFIG_DIR: config };
    const attempts: [string[], Env, Run][] = [
      [
        ['entrar', `${revoked}=`],
        env,
        { code: 2, stdout: '', stderr: 'error: luz entrar: a customer token is luz_ followed by 43 letters, digits, - or _ (48 characters given)\n(add --help for usage)\n' },
      ],
      [
        ['entrar', `luz_staff_${revoked.slice(4)}`],
        env,
        { code: 2, stdout: '', stderr: 'error: luz entrar: that is a staff key, not a customer token (staff pass it with --key or LUZ_STAFF_KEY)\n(add --help for usage)\n' },
      ],
      [
        ['entrar', revoked],
        env,
        {
          code: 1,
          stdout: '',
          stderr:
            `error: Luz refused the customer token ${masked(revoked)} from the command line: unknown, expired or revoked; ` +
            'ask staff for a new one (luz cliente token <cpf>), then run luz entrar <token> (401 unauthorized)\n',
        },
      ],
      [
        ['entrar', anotherWellShapedToken()],
        { ...env, LUZ_URL: await closedPortUrl() },
        { code: 1, stdout: '', stderr: expect.stringMatching(/^error: cannot reach Luz at http:\/\/127\.0\.0\.1:\d+ \(connection refused\)\n$/) },
      ],
    ];
    for (const [args, environment, expected] of attempts) {
      const run = await luz(args, environment);
      expect(run).toEqual(expected);
      expect(run.stderr).not.toContain(args[1]);
    }
    expect(existsSync(config)).toBe(false);
  });
});

describe('alarme --watch', () => {
  inEnglish();
  /** Starts a watch and returns a live view of its output; the caller stops it with SIGINT. */
  function watch(cpf: string, extra: string[]) {
    const child = spawn(process.execPath, [BIN, 'alarme', cpf, '--watch', '--every', '1s', ...extra], { env: cliEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    const run = collect(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    // 'close' (not 'exit'): all output has been read by then.
    let closed = false;
    child.on('close', () => (closed = true));
    const exited = () => closed;
    const until = (condition: () => boolean, what: string) =>
      waitUntil(condition, () => `${what}; stdout ${JSON.stringify(stdout)}, stderr ${JSON.stringify(stderr)}`, exited);
    return { child, run, output: () => stdout, until };
  }

  it('--json prints the first state, then one JSON line per change only; Ctrl-C ends it with exit 0', async () => {
    const cpf = await customerWithMeters(1);
    const watcher = watch(cpf, ['--json']);
    const jsonLines = () => watcher.output().split('\n').filter(Boolean);
    try {
      await watcher.until(() => jsonLines().length >= 1, 'a first line');
      const before = (await get('/getAlarme', { id: cpf })).body;
      expect(JSON.parse(jsonLines()[0])).toEqual(before);

      await post('/postConsumo', { id: cpf, id_medidor: 1, valor: 1500, timestamp: Date.now() / 1000 });
      const after = (await get('/getAlarme', { id: cpf })).body as { motivos: { regra: string }[] };
      expect(after).toMatchObject({ alarme: 'Excesso!', kwhMes: 1500 });
      await watcher.until(() => jsonLines().length >= 2, 'a change');
      // Unchanged checks printed nothing: the second line is already the excess. (Figures such as
      // the month's projection move with the clock, so the reasons are compared by rule.)
      const seen = JSON.parse(jsonLines()[1]);
      expect({ ...seen, motivos: seen.motivos.map(({ regra }: { regra: string }) => regra) }).toEqual({
        ...after,
        motivos: after.motivos.map(({ regra }) => regra),
        eventos: expect.any(Array),
      });
    } finally {
      watcher.child.kill('SIGINT');
    }
    const run = await watcher.run;
    expect({ code: run.code, stderr: run.stderr, lines: jsonLines().length }).toEqual({ code: 0, stderr: '', lines: 2 });
  });

  it('human: a timestamped line says what changed, then the new alarm', async () => {
    const cpf = await customerWithMeters(1);
    const watcher = watch(cpf, []);
    try {
      await watcher.until(() => watcher.output().includes('Consumption this month: 0 kWh\n'), 'the first state');
      await post('/postConsumo', { id: cpf, id_medidor: 1, valor: 1500, timestamp: Date.now() / 1000 });
      await watcher.until(() => watcher.output().includes('Reasons:'), 'the change');
    } finally {
      watcher.child.kill('SIGINT');
    }
    const run = await watcher.run;
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    const printed = lines(run.stdout);
    expect(printed.slice(0, 4)).toEqual([
      expect.stringMatching(/: ✓ Ok!$/),
      'Consumption this month: 0 kWh',
      '',
      expect.stringMatching(/^── \d{2}:\d{2}:\d{2} · Ok! → Excesso!, 0 kWh → 1,500 kWh this month, new: Monthly consumption above the limit, Single reading above the limit \(meter 1\)/),
    ]);
    expect(printed.slice(4, 7)).toEqual([expect.stringMatching(/: ⚠ Excesso!$/), 'Consumption this month: 1,500 kWh', 'Reasons:']);
  });
});

/** `luz` in a pseudo-terminal (util-linux `script`), driven by keystrokes as a person would. */
class Terminal {
  private raw = '';
  private seen = 0;
  private closed = false;
  readonly exit: Promise<number | null>;
  private readonly child: ChildProcess;

  constructor(args: string, env: Env = {}) {
    this.child = spawn('script', ['-qfec', `stty cols 100 rows 40; exec ${process.execPath} ${BIN} ${args}`, '/dev/null'], {
      env: cliEnv({ TERM: 'xterm-256color', ...env }),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.child.stdout!.on('data', (chunk) => (this.raw += chunk));
    this.exit = new Promise((done) =>
      this.child.on('close', (code) => {
        this.closed = true;
        done(code);
      }),
    );
  }

  get output(): string {
    return this.raw;
  }

  get screen(): string {
    return stripAnsi(this.raw);
  }

  /** Waits for `text` to appear after what was already waited for. */
  async waitFor(text: string): Promise<void> {
    await waitUntil(
      () => this.screen.indexOf(text, this.seen) >= 0,
      () => `${JSON.stringify(text)} in:\n${this.screen.slice(this.seen)}`,
      () => this.closed,
    );
    this.seen = this.screen.indexOf(text, this.seen) + text.length;
  }

  type(keys: string): void {
    this.child.stdin!.write(keys);
  }

  stop(): void {
    this.child.stdin!.end();
    if (this.child.exitCode === null) this.child.kill('SIGTERM');
  }
}

describe('interactive mode (no arguments, on a terminal)', () => {
  inEnglish();
  it('staff registers a customer, a meter and a reading; the customer enters the token, remembers it, sees invoice, history and alarm', async () => {
    const cpf = newCpf();
    const config = folder(false);
    const terminal = new Terminal('', { LUZ_CONFIG_DIR: config });
    try {
      await terminal.waitFor('Who is using Luz?');
      terminal.type('\r'); // Staff
      await terminal.waitFor('Staff: what do you want to do?');
      terminal.type('\r'); // Register a customer
      await terminal.waitFor('CPF');
      terminal.type('12345678900\r');
      await terminal.waitFor('CPF check digits do not match');
      terminal.type(`${CLEAR_LINE}${formatCpf(cpf)}\r`);
      await terminal.waitFor('Name:');
      terminal.type('Ana Interativa\r');
      await terminal.waitFor('Connection:');
      terminal.type(`${DOWN}${DOWN}\r`); // Trifásico
      await terminal.waitFor(`✓ Customer registered: Ana Interativa · CPF ${formatCpf(cpf)} · trifasico · `);
      await terminal.waitFor('Customer token: ');
      await terminal.waitFor('it is shown only once');
      const token = TOKEN.exec(terminal.screen)![0];

      await terminal.waitFor('Staff: what do you want to do?');
      terminal.type('\r'); // the same customer again: the API's error, and the menu goes on
      await terminal.waitFor('CPF');
      terminal.type(`${cpf}\r`);
      await terminal.waitFor('Name:');
      terminal.type('Outra\r');
      await terminal.waitFor('Connection:');
      terminal.type('\r');
      await terminal.waitFor('error: A customer with this CPF already exists. (409 customer_exists)');

      await terminal.waitFor('Staff: what do you want to do?');
      terminal.type(`${DOWN}\r`); // Register a meter
      await terminal.waitFor('CPF');
      terminal.type(`${cpf}\r`);
      await terminal.waitFor(`✓ Meter 1 registered for CPF ${formatCpf(cpf)}`);

      await terminal.waitFor('Staff: what do you want to do?');
      terminal.type(`${DOWN}${DOWN}\r`); // Add a reading
      await terminal.waitFor('CPF');
      terminal.type(`${cpf}\r`);
      await terminal.waitFor('Meter id:');
      terminal.type('\r'); // default 1
      await terminal.waitFor('kWh since the previous reading:');
      terminal.type('muito\r');
      await terminal.waitFor('kWh is a number such as 1.5 or 1,5');
      terminal.type(`${CLEAR_LINE}1200,5\r`);
      await terminal.waitFor('When');
      terminal.type('\r'); // default now
      await terminal.waitFor(`✓ Reading stored: 1,200.5 kWh on meter 1 of CPF ${formatCpf(cpf)}`);

      await terminal.waitFor('Staff: what do you want to do?');
      terminal.type(`${DOWN}${DOWN}${DOWN}\r`); // Back
      await terminal.waitFor('Who is using Luz?');
      terminal.type(`${DOWN}\r`); // Customer
      await terminal.waitFor('Customer token (luz_…, as staff gave it to you):');
      terminal.type('luz_abc\r'); // the shape is checked as typed, before any request
      await terminal.waitFor('a customer token is luz_ followed by 43 letters, digits, - or _ (7 characters given)');
      const unknown = `luz_${'q'.repeat(43)}`;
      terminal.type(`${CLEAR_LINE}${unknown}\r`); // well formed, but no customer's
      await terminal.waitFor(`error: Luz refused the customer token luz_qqqq… from the prompt: unknown, expired or revoked`);
      await terminal.waitFor('Customer token (luz_…');
      terminal.type(`${token}\r`);
      await terminal.waitFor('Remember this token on this computer?');
      terminal.type('\r'); // Yes
      await terminal.waitFor(`✓ Token remembered in ${config}/token`);
      await terminal.waitFor('CPF');
      terminal.type(`${cpf}\r`);

      await terminal.waitFor('what do you want to see?');
      terminal.type('\r'); // Invoice
      await terminal.waitFor('Month (YYYY-MM):');
      terminal.type('\r'); // default: this month
      const invoice = (await get('/getFatura', { id: cpf })).body as { valor: number };
      await terminal.waitFor(`Total`);
      await terminal.waitFor(cliWords('en', ZONE).money(invoice.valor));

      await terminal.waitFor('what do you want to see?');
      terminal.type(`${DOWN}\r`); // Consumption history
      await terminal.waitFor('Period:');
      terminal.type('\r'); // Day
      await terminal.waitFor('How many periods back');
      terminal.type('\r'); // 0
      await terminal.waitFor('Total: 1,200.5 kWh · 1 reading');

      await terminal.waitFor('what do you want to see?');
      terminal.type(`${DOWN}${DOWN}\r`); // Alarm
      await terminal.waitFor('⚠ Excesso!');
      // A terminal gets colour.
      expect(terminal.output).toContain(createStyle(true).alert('⚠ Excesso!'));

      await terminal.waitFor('what do you want to see?');
      terminal.type(`${DOWN}${DOWN}${DOWN}\r`); // Back
      await terminal.waitFor('Who is using Luz?');
      terminal.type(`${DOWN}${DOWN}\r`); // Quit
      expect(await terminal.exit).toBe(0);
    } finally {
      terminal.stop();
    }
    expect((await get('/getFatura', { id: cpf })).body).toMatchObject({ kwh: 1200.5 });
    // Typed tokens are drawn as dots: the token is on the screen once, where cadCliente handed it out.
    const token = TOKEN.exec(terminal.screen)![0];
    expect(terminal.screen.split(token).length - 1).toBe(1);
    expect(terminal.screen).not.toContain(`luz_${'q'.repeat(43)}`);
    expect(readFileSync(join(config, 'token'), 'utf8')).toBe(`${token}\n`);
    expect({ file: statSync(join(config, 'token')).mode & 0o777, folder: statSync(config).mode & 0o777 }).toEqual({ file: 0o600, folder: 0o700 });
  }, 180_000);

  it('a remembered token skips the prompt; staff without a key are sent back to the first menu', async () => {
    const { id: cpf, token } = await registeredCustomer(0);
    const config = folder();
    expect((await luz(['entrar', token], { LUZ_CONFIG_DIR: config })).code).toBe(0);
    const terminal = new Terminal('', { ...NO_CREDENTIAL, LUZ_CONFIG_DIR: config });
    try {
      await terminal.waitFor('Who is using Luz?');
      terminal.type('\r'); // Staff
      await terminal.waitFor(`error: no staff key (looked at --key, LUZ_STAFF_KEY, STAFF_KEY, ${EMPTY_DATA}/staff.key); start Luz with npm start`);
      await terminal.waitFor('Who is using Luz?');
      terminal.type(`${DOWN}\r`); // Customer
      await terminal.waitFor(`Using the customer token ${token.slice(0, 8)}… from ${config}/token`);
      await terminal.waitFor('CPF');
      terminal.type(`${cpf}\r`);
      await terminal.waitFor('what do you want to see?');
      terminal.type(`${DOWN}${DOWN}\r`); // Alarm
      await terminal.waitFor('✓ Ok!');
      await terminal.waitFor('what do you want to see?');
      terminal.type(`${DOWN}${DOWN}${DOWN}\r`); // Back
      await terminal.waitFor('Who is using Luz?');
      terminal.type(`${DOWN}${DOWN}\r`); // Quit
      expect(await terminal.exit).toBe(0);
    } finally {
      terminal.stop();
    }
    expect(terminal.screen).not.toContain(token);
    expect(terminal.screen).not.toContain('Customer token (luz_');
  }, 120_000);

  it('luz entrar on a terminal asks for the token without showing it', async () => {
    const { id: cpf, token } = await registeredCustomer(0);
    const config = folder(false);
    const terminal = new Terminal('entrar', { ...NO_CREDENTIAL, LUZ_CONFIG_DIR: config });
    try {
      await terminal.waitFor('Customer token (luz_…, as staff gave it to you):');
      terminal.type(`${token}\r`);
      await terminal.waitFor(`✓ Luz at ${apiUrl()} accepted the customer token ${token.slice(0, 8)}…`);
      expect(await terminal.exit).toBe(0);
    } finally {
      terminal.stop();
    }
    expect(terminal.screen).not.toContain(token);
    expect(terminal.screen).toContain(`✔ Customer token (luz_…, as staff gave it to you): luz_••••••••`);
    expect(await luz(['--json', 'alarme', cpf], { ...NO_CREDENTIAL, LUZ_CONFIG_DIR: config })).toMatchObject({ code: 0, stderr: '' });
  }, 120_000);

  it('without LANG the menus speak Portuguese: the roles, the token prompt and its check as typed', async () => {
    const terminal = new Terminal('', { LANG: undefined, NO_COLOR: '1' });
    try {
      await terminal.waitFor('Quem está usando a Luz?');
      await terminal.waitFor('cadastrar clientes, medidores e leituras');
      terminal.type(`${DOWN}\r`); // Cliente
      await terminal.waitFor('Token do cliente (luz_…, como a equipe o entregou):');
      terminal.type('luz_abc\r');
      await terminal.waitFor('um token de cliente é luz_ seguido de 43 letras, dígitos, - ou _ (7 caracteres informados)');
      terminal.type('\x03');
      expect(await terminal.exit).toBe(0);
    } finally {
      terminal.stop();
    }
  }, 120_000);

  it('NO_COLOR: menus without colour; Ctrl-C leaves with exit 0', async () => {
    const terminal = new Terminal('', { NO_COLOR: '1' });
    try {
      await terminal.waitFor('Who is using Luz?');
      await terminal.waitFor('navigate');
      terminal.type('\x03');
      expect(await terminal.exit).toBe(0);
    } finally {
      terminal.stop();
    }
    expect(terminal.output).not.toMatch(/\x1b\[[0-9;]*m/);
  }, 120_000);

  it('--watch on a terminal shows a spinner while it waits; Ctrl-C stops it with exit 0', async () => {
    const cpf = await customerWithMeters(1);
    const terminal = new Terminal(`alarme ${cpf} --watch --every 30s`);
    try {
      await terminal.waitFor('✓ Ok!');
      await terminal.waitFor('next check in');
      expect(terminal.screen).toMatch(/[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] checked at \d{2}:\d{2}:\d{2}, next check in \d+s · Ctrl-C to stop/);
      terminal.type('\x03');
      expect(await terminal.exit).toBe(0);
    } finally {
      terminal.stop();
    }
  }, 120_000);
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
