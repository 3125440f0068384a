// The lab's staff key: STAFF_KEY when set, else one generated once and kept under LUZ_DATA_DIR (mode 600).
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { newSecret } from '../core/access';

export function staffKeyFile(dataDir: string): string {
  return resolve(join(dataDir, 'staff.key'));
}

/** Returns the staff key and where it came from; creates the file on first use. */
export function ensureStaffKey(dataDir: string, fromEnv: string | undefined): { key: string; source: string } {
  if (fromEnv) return { key: fromEnv, source: 'STAFF_KEY' };
  const file = staffKeyFile(dataDir);
  if (existsSync(file)) {
    chmodSync(file, 0o600); // keep it private even if something loosened it
    return { key: readFileSync(file, 'utf8').trim(), source: file };
  }
  mkdirSync(dirname(file), { recursive: true });
  const key = `luz_staff_${newSecret()}`;
  writeFileSync(file, `${key}\n`, { mode: 0o600, flag: 'wx' });
  return { key, source: `${file} (new)` };
}

/**
 * The staff key a local tool should send: LUZ_STAFF_KEY, else STAFF_KEY, else the file `npm start`
 * wrote under LUZ_DATA_DIR. Undefined when there is none.
 */
export function localStaffKey(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const fromEnv = env.LUZ_STAFF_KEY || env.STAFF_KEY;
  if (fromEnv) return fromEnv;
  const file = staffKeyFile(env.LUZ_DATA_DIR || '.data');
  if (!existsSync(file)) return undefined;
  return readFileSync(file, 'utf8').trim() || undefined;
}
