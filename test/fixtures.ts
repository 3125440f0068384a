// Shared fixtures: valid CPFs, frozen clocks, the API under test, the gateway under test.
import { withCheckDigits } from '../core/cpf';
import type { GatewayOptions } from '../udp-gateway/server';

let counter = 0;

/** A valid CPF no other test uses (random base + per-process counter). */
export function newCpf(): string {
  counter += 1;
  const base = (Math.floor(Math.random() * 1e6) * 1000 + (counter % 1000)) % 1e9;
  const digits = withCheckDigits(String(base).padStart(9, '0'));
  return /^(\d)\1{10}$/.test(digits) ? newCpf() : digits;
}

/** Known-valid CPFs from public examples. */
export const VALID_CPF = '12345678909';
export const VALID_CPF_MASKED = '123.456.789-09';

/** An in-process gateway (startGatewayServer) for tests: loopback, a free port, no stats line, generous rates. */
export const gatewayOptions = (change: Partial<GatewayOptions> = {}): GatewayOptions => ({
  host: '127.0.0.1',
  port: 0,
  batchSize: 25,
  batchWaitMs: 5,
  lanes: 4,
  maxInFlight: 4096,
  ratePerSource: 1000,
  burstPerSource: 2000,
  statsIntervalMs: 0,
  ...change,
});

/** The shipped gateway's environment (dev/gateway.ts startGateway) for tests: the test tables, loopback, a free port, quiet; no staff key (it needs none). */
export const gatewayEnv = (change: Record<string, string> = {}): Record<string, string> => ({
  STAFF_KEY: '',
  DYNAMODB_ENDPOINT: process.env.LUZ_TEST_DYNAMODB!,
  LUZ_TABLE_PREFIX: process.env.LUZ_TEST_TABLE_PREFIX!,
  UDP_HOST: '127.0.0.1',
  UDP_PORT: '0',
  GATEWAY_STATS_SECONDS: '3600',
  LUZ_LOG_LEVEL: 'warn',
  ...change,
});

/**
 * A closed invoice as the API answers it, for toEqual: its number and period follow from id and mes
 * (America/Bahia, always -03:00); issue and due dates as given, else any of their shape.
 */
export function closedInvoice(invoice: {
  id: string;
  mes: string;
  tarifa: string;
  kwh: number;
  medidores: { id_medidor: number; kwh: number }[];
  itens: unknown[];
  valor: number;
  emissao?: string;
  vencimento?: string;
}) {
  const { id, mes, emissao, vencimento, ...priced } = invoice;
  return {
    id,
    mes,
    situacao: 'fechada',
    numero: `${mes.replace('-', '')}-${id}`,
    emissao: emissao ?? expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}-03:00$/),
    vencimento: vencimento ?? expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
    periodo: monthInBahia(mes),
    ...priced,
  };
}

/**
 * An open month's invoice (the preview) under the default flat tariff, as the API answers it: the
 * month's kWh is the meters' sum, one line at R$ 1.07; the total is the test's own hand-computed figure.
 */
export function openFlatInvoice(id: string, mes: string, medidores: { id_medidor: number; kwh: number }[], valor: number) {
  const kwh = medidores.reduce((sum, meter) => sum + meter.kwh, 0);
  return {
    id,
    mes,
    situacao: 'aberta',
    tarifa: 'Tarifa plana original',
    periodo: monthInBahia(mes),
    kwh,
    medidores,
    itens: [{ descricao: 'Energia consumida', quantidade: kwh, unidade: 'kWh', precoUnitario: 1.07, valor }],
    valor,
  };
}

/** A month's period as the API writes it in America/Bahia (always -03:00). */
function monthInBahia(mes: string): { inicio: string; fim: string } {
  const [year, month] = mes.split('-').map(Number);
  const next = month === 12 ? `${year + 1}-01` : `${year}-${String(month + 1).padStart(2, '0')}`;
  return { inicio: `${mes}-01T00:00:00-03:00`, fim: `${next}-01T00:00:00-03:00` };
}

/** Unix seconds of a UTC date-time, e.g. at('2025-03-10T15:00:00Z'). */
export const at = (iso: string) => Date.parse(iso) / 1000;

export function apiUrl(): string {
  const url = process.env.LUZ_TEST_API;
  if (!url) throw new Error('LUZ_TEST_API is not set: run through jest so the global set-up starts the API');
  return url;
}

/** The staff key the global set-up gave the API. */
export function staffKey(): string {
  const key = process.env.LUZ_TEST_STAFF_KEY;
  if (!key) throw new Error('LUZ_TEST_STAFF_KEY is not set: run through jest so the global set-up starts the API');
  return key;
}

/**
 * Request headers: staff credentials unless the caller passes its own `authorization`
 * (an empty string sends none).
 */
function withAuth(headers: Record<string, string>): Record<string, string> {
  const { authorization, ...rest } = headers;
  if (authorization === '') return rest;
  return { authorization: authorization ?? `Bearer ${staffKey()}`, ...rest };
}

export const bearer = (credential: string) => ({ authorization: `Bearer ${credential}` });
export const NO_AUTH = { authorization: '' };

export interface ApiResponse {
  status: number;
  body: unknown;
  headers: Headers;
}

async function toResponse(response: Response): Promise<ApiResponse> {
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    /* keep the text */
  }
  return { status: response.status, body, headers: response.headers };
}

export async function post(path: string, body: unknown, headers: Record<string, string> = {}): Promise<ApiResponse> {
  const response = await fetch(`${apiUrl()}${path}`, {
    method: 'POST',
    headers: withAuth({ 'content-type': 'application/json', ...headers }),
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return toResponse(response);
}

export async function get(
  path: string,
  query: Record<string, string | number> = {},
  headers: Record<string, string> = {},
): Promise<ApiResponse> {
  const search = new URLSearchParams(Object.entries(query).map(([key, value]) => [key, String(value)]));
  const response = await fetch(`${apiUrl()}${path}?${search}`, { headers: withAuth(headers) });
  return toResponse(response);
}

export async function request(method: string, path: string, init: RequestInit = {}): Promise<ApiResponse> {
  const headers = withAuth((init.headers as Record<string, string> | undefined) ?? {});
  return toResponse(await fetch(`${apiUrl()}${path}`, { ...init, headers, method }));
}

/** Registers a customer with `meters` meters through the API; returns its CPF. */
export async function customerWithMeters(meters = 1, name = 'Cliente de Teste'): Promise<string> {
  return (await registeredCustomer(meters, name)).id;
}

/** Registers a customer with `meters` meters; returns its CPF and its customer token. */
export async function registeredCustomer(meters = 1, name = 'Cliente de Teste'): Promise<{ id: string; token: string }> {
  const id = newCpf();
  const created = await post('/cadCliente', { id, name });
  if (created.status !== 201) throw new Error(`cadCliente failed: ${JSON.stringify(created.body)}`);
  for (let i = 0; i < meters; i++) {
    const meter = await post('/cadMedidor', { id });
    if (meter.status !== 201) throw new Error(`cadMedidor failed: ${JSON.stringify(meter.body)}`);
  }
  return { id, token: (created.body as { token: string }).token };
}

export const errorBody = (code: string, message: string | RegExp, field?: string) => ({
  error: {
    code,
    message: typeof message === 'string' ? message : expect.stringMatching(message),
    ...(field ? { field } : {}),
  },
});

/**
 * What this process writes to stdout and stderr while `capture` is on (the Powertools logger and
 * metrics write there, as in Lambda): whole lines, in order. `stop` restores both streams.
 */
export function captureOutput(): { lines: string[]; stop(): void } {
  const lines: string[] = [];
  const streams = [process.stdout, process.stderr] as const;
  const originals = streams.map((stream) => stream.write);
  for (const stream of streams) {
    stream.write = ((chunk: string | Uint8Array) => {
      lines.push(...String(chunk).split('\n').filter((line) => line !== ''));
      return true;
    }) as typeof stream.write;
  }
  return {
    lines,
    stop: () => streams.forEach((stream, index) => (stream.write = originals[index])),
  };
}
