// The simulated fleet: which customer and meter id each simulated meter is, and its secret,
// registered through the HTTP API (POST /cadCliente, POST /cadMedidor) and remembered in the state
// folder (fleet.json, mode 600: it holds the meters' secrets).
import { randomInt } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { withCheckDigits } from '../core/cpf';
import type { FleetMeter } from './transport';
import { localStaffKey } from '../dev/staffKey';

export class RegistrationFailed extends Error {}

const fleetPath = (dir: string) => join(dir, 'fleet.json');

export function loadFleet(dir: string): FleetMeter[] {
  const path = fleetPath(dir);
  if (!existsSync(path)) return [];
  return (JSON.parse(readFileSync(path, 'utf8')) as { meters: FleetMeter[] }).meters;
}

function saveFleet(dir: string, meters: FleetMeter[]): void {
  mkdirSync(dir, { recursive: true });
  const path = fleetPath(dir);
  rmSync(`${path}.tmp`, { force: true }); // created afresh, so the mode below applies
  writeFileSync(`${path}.tmp`, JSON.stringify({ meters }), { mode: 0o600 });
  renameSync(`${path}.tmp`, path);
}

export function removeFleet(dir: string): void {
  rmSync(fleetPath(dir), { force: true });
}

function randomCpf(): string {
  for (;;) {
    const digits = withCheckDigits(String(randomInt(0, 1_000_000_000)).padStart(9, '0'));
    if (!/^(\d)\1{10}$/.test(digits)) return digits;
  }
}

/** Headers for the HTTP API: the staff key (registering customers and meters is a staff action). */
export function apiHeaders(): Record<string, string> {
  const key = localStaffKey();
  return key ? { authorization: `Bearer ${key}` } : {};
}

async function post(apiUrl: string, path: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  let response: Response;
  try {
    response = await fetch(`${apiUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...apiHeaders() },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
    throw new RegistrationFailed(`could not reach the HTTP API at ${apiUrl} (${cause}); is \`npm start\` running? (or pass --api)`);
  }
  const text = await response.text();
  let parsed: Record<string, unknown> = {};
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = { text };
  }
  return { status: response.status, body: parsed };
}

/** Registers one customer with `meters` meters; returns them. A CPF that is taken is replaced by another. */
async function registerCustomer(apiUrl: string, meters: number, name: string): Promise<FleetMeter[]> {
  let id = randomCpf();
  for (let attempt = 0; ; attempt++) {
    const created = await post(apiUrl, '/cadCliente', { id, name });
    if (created.status === 201) break;
    if (created.status !== 409 || attempt >= 5) {
      throw new RegistrationFailed(`POST /cadCliente answered ${created.status} ${JSON.stringify(created.body)}`);
    }
    id = randomCpf();
  }
  const registered: FleetMeter[] = [];
  for (let i = 0; i < meters; i++) {
    const meter = await post(apiUrl, '/cadMedidor', { id });
    if (meter.status !== 201) throw new RegistrationFailed(`POST /cadMedidor answered ${meter.status} ${JSON.stringify(meter.body)}`);
    if (typeof meter.body.segredo !== 'string') {
      throw new RegistrationFailed('POST /cadMedidor answered no segredo: this API does not issue meter secrets');
    }
    registered.push({ id, m: Number(meter.body.id_medidor), segredo: meter.body.segredo });
  }
  return registered;
}

/**
 * The fleet of `count` meters from the state folder, registering the missing ones through the API
 * (`metersPerCustomer` meters per new customer, `concurrency` requests at a time). Progress is saved
 * as it goes, so an interrupted registration resumes.
 */
export async function ensureFleet(options: {
  stateDir: string;
  count: number;
  metersPerCustomer: number;
  apiUrl: string;
  register: boolean;
  concurrency?: number;
  onProgress?: (registered: number, wanted: number) => void;
}): Promise<FleetMeter[]> {
  const fleet = loadFleet(options.stateDir);
  if (fleet.length >= options.count) return fleet.slice(0, options.count);
  if (!options.register) {
    throw new RegistrationFailed(
      `${options.stateDir} has ${fleet.length} registered meters and ${options.count} were asked for; run without --no-register`,
    );
  }
  let claimed = fleet.length;
  let customers = 0;
  let lastSaved = Date.now();
  const worker = async () => {
    while (claimed < options.count) {
      const meters = Math.min(options.metersPerCustomer, options.count - claimed);
      claimed += meters;
      const customerNumber = fleet.length + customers++;
      fleet.push(...(await registerCustomer(options.apiUrl, meters, `Cliente simulado ${customerNumber + 1}`)));
      options.onProgress?.(Math.min(fleet.length, options.count), options.count);
      if (Date.now() - lastSaved > 1000) {
        saveFleet(options.stateDir, fleet);
        lastSaved = Date.now();
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: options.concurrency ?? 8 }, worker));
  } finally {
    saveFleet(options.stateDir, fleet);
  }
  return fleet.slice(0, options.count);
}
