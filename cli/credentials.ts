// Which credential the CLI sends: a customer token or the staff key, from flags, environment or files.
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { staffKeyFile } from '../dev/staffKey';

export interface Credential {
  kind: 'staff' | 'customer';
  secret: string;
  /** Where it came from, for messages. */
  source: string;
}

/** Where `luz entrar` remembers a customer token. */
export function rememberedTokenFile(env: NodeJS.ProcessEnv): string {
  const base = env.LUZ_CONFIG_DIR ?? join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'luz');
  return join(base, 'token');
}

function readSecret(file: string): string | undefined {
  if (!existsSync(file)) return undefined;
  const secret = readFileSync(file, 'utf8').trim();
  return secret === '' ? undefined : secret;
}

/**
 * First match wins: --token / LUZ_TOKEN (customer), --key / LUZ_STAFF_KEY (staff), the lab's staff
 * key file (running beside `npm start` means staff), then a remembered customer token.
 */
export function resolveCredential(options: { token?: string; key?: string }, env: NodeJS.ProcessEnv): Credential | undefined {
  if (options.token) return { kind: 'customer', secret: options.token, source: '--token or LUZ_TOKEN' };
  if (options.key) return { kind: 'staff', secret: options.key, source: '--key or LUZ_STAFF_KEY' };
  const keyFile = staffKeyFile(env.LUZ_DATA_DIR || '.data');
  const staffKey = readSecret(keyFile);
  if (staffKey) return { kind: 'staff', secret: staffKey, source: keyFile };
  const tokenFile = rememberedTokenFile(env);
  const token = readSecret(tokenFile);
  if (token) return { kind: 'customer', secret: token, source: tokenFile };
  return undefined;
}
