// Which credential the CLI sends (a customer token or the staff key, from flags, environment or files), and the remembered token.
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { TOKEN_SHAPE } from '../core/access';
import { staffKeyFile } from '../dev/staffKey';
import type { CliKey } from '../i18n/cli';
import type { Params } from '../i18n/index';

export interface Credential {
  kind: 'staff' | 'customer';
  secret: string;
  /** Where it came from, for messages: `--token`, `LUZ_STAFF_KEY`, a file's path… */
  source: string;
}

/** A flag's value and whether the user typed it or commander took it from the environment. */
export interface GivenSecret {
  value: string;
  /** `--token` or `LUZ_TOKEN`, `--key` or `LUZ_STAFF_KEY`. */
  source: string;
}

export interface GivenSecrets {
  token?: GivenSecret;
  key?: GivenSecret;
}

const STAFF_KEY_PREFIX = 'luz_staff_';

/** Where `luz entrar` remembers a customer token. */
export function rememberedTokenFile(env: NodeJS.ProcessEnv): string {
  const base = env.LUZ_CONFIG_DIR || join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'luz');
  return resolve(base, 'token');
}

/** Where `npm start` keeps the lab's staff key. */
export const staffKeyPath = (env: NodeJS.ProcessEnv): string => staffKeyFile(env.LUZ_DATA_DIR || '.data');

function readSecret(file: string): string | undefined {
  if (!existsSync(file)) return undefined;
  const secret = readFileSync(file, 'utf8').trim();
  return secret === '' ? undefined : secret;
}

/**
 * The beginning of a secret and an ellipsis, enough to tell two apart and never enough to use one:
 * `luz_AbCd…`, `luz_staff_AbCd…`. Human output shows secrets only this way, except where the API
 * hands one out once.
 */
export function maskSecret(secret: string): string {
  const prefix = /^luz_(staff_)?/.exec(secret)?.[0] ?? '';
  const shown = secret.length - prefix.length >= 16 ? 4 : 0;
  return `${secret.slice(0, prefix.length + shown)}…`;
}

/** Why `value` is not a customer token (in `say`'s words), or undefined when it has the right shape. Never repeats the value. */
export function tokenShapeProblem(value: string, say: (key: CliKey, params?: Params) => string): string | undefined {
  const token = value.trim();
  if (TOKEN_SHAPE.test(token)) return undefined;
  if (token === '') return say('token.empty');
  if (token.startsWith(STAFF_KEY_PREFIX)) return say('token.staff');
  return say('token.shape', { length: token.length });
}

/** Staff: --key / LUZ_STAFF_KEY, then STAFF_KEY (as given to npm start), then the lab's key file. */
export function staffCredential(given: GivenSecrets, env: NodeJS.ProcessEnv): Credential | undefined {
  if (given.key) return { kind: 'staff', secret: given.key.value, source: given.key.source };
  if (env.STAFF_KEY) return { kind: 'staff', secret: env.STAFF_KEY, source: 'STAFF_KEY' };
  const file = staffKeyPath(env);
  const key = readSecret(file);
  return key ? { kind: 'staff', secret: key, source: file } : undefined;
}

/** Customer: --token / LUZ_TOKEN, then the token `luz entrar` remembered. */
export function customerCredential(given: GivenSecrets, env: NodeJS.ProcessEnv): Credential | undefined {
  if (given.token) return { kind: 'customer', secret: given.token.value, source: given.token.source };
  const file = rememberedTokenFile(env);
  const token = readSecret(file);
  return token ? { kind: 'customer', secret: token, source: file } : undefined;
}

/**
 * First match wins: what the user gave (--token / LUZ_TOKEN, then --key / LUZ_STAFF_KEY), then the
 * token `luz entrar` remembered (a deliberate act, so it beats a key file that merely exists), then
 * STAFF_KEY and the lab's staff key file (running beside `npm start` means staff).
 */
export function resolveCredential(given: GivenSecrets, env: NodeJS.ProcessEnv): Credential | undefined {
  if (given.token || given.key) return given.token ? customerCredential(given, env) : staffCredential(given, env);
  return customerCredential({}, env) ?? staffCredential({}, env);
}

/** Every place resolveCredential looks, in its order, for the message when it found nothing. */
export function placesLooked(env: NodeJS.ProcessEnv): string[] {
  return ['--token', 'LUZ_TOKEN', '--key', 'LUZ_STAFF_KEY', rememberedTokenFile(env), 'STAFF_KEY', staffKeyPath(env)];
}

/**
 * Writes the token where only this user can read it: the directory 700 (when this creates it) and
 * the file 600, written beside and renamed into place so no reader ever sees half a token.
 */
export function rememberToken(env: NodeJS.ProcessEnv, token: string): string {
  const file = rememberedTokenFile(env);
  const directory = dirname(file);
  const created = mkdirSync(directory, { recursive: true, mode: 0o700 });
  // The umask may have narrowed nothing but could not widen; set it exactly on what was created here.
  if (created !== undefined) chmodSync(directory, 0o700);
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(temporary, `${token}\n`, { mode: 0o600, flag: 'wx' });
    chmodSync(temporary, 0o600);
    renameSync(temporary, file);
  } finally {
    rmSync(temporary, { force: true });
  }
  return file;
}

/** Deletes the remembered token; false when there was none. */
export function forgetToken(env: NodeJS.ProcessEnv): { file: string; removed: boolean } {
  const file = rememberedTokenFile(env);
  if (!existsSync(file)) return { file, removed: false };
  rmSync(file);
  return { file, removed: true };
}
