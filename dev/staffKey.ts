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
