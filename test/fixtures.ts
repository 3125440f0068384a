// Shared fixtures: valid CPFs, frozen clocks, the API under test.
import { request as httpRequest } from 'node:http';
import { withCheckDigits } from '../core/cpf';

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

/** Unix seconds of a UTC date-time, e.g. at('2025-03-10T15:00:00Z'). */
export const at = (iso: string) => Date.parse(iso) / 1000;

export function apiUrl(): string {
  const url = process.env.LUZ_TEST_API;
  if (!url) throw new Error('LUZ_TEST_API is not set: run through jest so the global set-up starts the API');
  return url;
}

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
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return toResponse(response);
}

export async function get(path: string, query: Record<string, string | number> = {}): Promise<ApiResponse> {
  const search = new URLSearchParams(Object.entries(query).map(([key, value]) => [key, String(value)]));
  const response = await fetch(`${apiUrl()}${path}?${search}`);
  return toResponse(response);
}

export async function request(method: string, path: string, init: RequestInit = {}): Promise<ApiResponse> {
  return toResponse(await fetch(`${apiUrl()}${path}`, { ...init, method }));
}

/** Registers a customer with `meters` meters through the API; returns its CPF. */
export async function customerWithMeters(meters = 1, name = 'Cliente de Teste'): Promise<string> {
  const id = newCpf();
  const created = await post('/cadCliente', { id, name });
  if (created.status !== 201) throw new Error(`cadCliente failed: ${JSON.stringify(created.body)}`);
  for (let i = 0; i < meters; i++) {
    const meter = await post('/cadMedidor', { id });
    if (meter.status !== 201) throw new Error(`cadMedidor failed: ${JSON.stringify(meter.body)}`);
  }
  return id;
}

export const errorBody = (code: string, message: string | RegExp, field?: string) => ({
  error: {
    code,
    message: typeof message === 'string' ? message : expect.stringMatching(message),
    ...(field ? { field } : {}),
  },
});

/** A request with any method and body (fetch refuses a GET body; the original client sends one). */
export function rawRequest(method: string, path: string, body?: string): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const call = httpRequest(`${apiUrl()}${path}`, { method, headers: { 'content-type': 'application/json' } }, (response) => {
      let text = '';
      response.on('data', (chunk) => (text += chunk));
      response.on('end', () => {
        let parsed: unknown = text;
        try {
          parsed = JSON.parse(text);
        } catch {
          /* keep the text */
        }
        resolve({ status: response.statusCode ?? 0, body: parsed });
      });
    });
    call.on('error', reject);
    call.end(body);
  });
}
