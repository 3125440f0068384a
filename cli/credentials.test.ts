// Which credential the CLI sends, how secrets are masked, token shapes, and the remembered token's file and modes.
import { cliWords } from '../i18n/cli';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  forgetToken,
  maskSecret,
  placesLooked,
  rememberToken,
  rememberedTokenFile,
  resolveCredential,
  staffCredential,
  tokenShapeProblem,
} from './credentials';

const TOKEN = `luz_${'A'.repeat(20)}${'b'.repeat(20)}-_9`;
const OTHER_TOKEN = `luz_${'Z'.repeat(43)}`;
const STAFF_KEY = `luz_staff_${'k'.repeat(43)}`;

let root: string;
beforeEach(() => (root = mkdtempSync(join(tmpdir(), 'luz-credentials-'))));
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** An environment that sees only this test's folders: a config folder and a data folder. */
const envWith = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
  LUZ_CONFIG_DIR: join(root, 'config', 'luz'),
  LUZ_DATA_DIR: join(root, 'data'),
  ...extra,
});

function writeStaffKeyFile(key = STAFF_KEY): string {
  mkdirSync(join(root, 'data'), { recursive: true });
  const file = join(root, 'data', 'staff.key');
  writeFileSync(file, `${key}\n`, { mode: 0o600 });
  return file;
}

describe('maskSecret', () => {
  it.each([
    [TOKEN, 'luz_AAAA…'],
    [STAFF_KEY, 'luz_staff_kkkk…'],
    ['a-long-staff-key-from-the-environment', 'a-lo…'],
    ['short', '…'],
    ['luz_short', 'luz_…'],
  ])('%s → %s', (secret, masked) => expect(maskSecret(secret)).toBe(masked));
});

const en = cliWords('en', 'America/Bahia');

describe('tokenShapeProblem', () => {
  it('says it in Portuguese by default', () => {
    expect(tokenShapeProblem('luz_abc', cliWords('pt-BR', 'America/Bahia').say)).toBe('um token de cliente é luz_ seguido de 43 letras, dígitos, - ou _ (7 caracteres informados)');
  });

  it('accepts luz_ and 43 base64url characters, with blanks around them', () => {
    expect(tokenShapeProblem(TOKEN, en.say)).toBeUndefined();
    expect(tokenShapeProblem(` ${TOKEN}\n`, en.say)).toBeUndefined();
  });

  it.each([
    ['', 'the token is empty'],
    ['luz_abc', 'a customer token is luz_ followed by 43 letters, digits, - or _ (7 characters given)'],
    [`${TOKEN}x`, 'a customer token is luz_ followed by 43 letters, digits, - or _ (48 characters given)'],
    [`luz_${'a'.repeat(42)}=`, 'a customer token is luz_ followed by 43 letters, digits, - or _ (47 characters given)'],
    [STAFF_KEY, 'that is a staff key, not a customer token (staff pass it with --key or LUZ_STAFF_KEY)'],
  ])('refuses %j without repeating it: %s', (value, problem) => {
    expect(tokenShapeProblem(value, en.say)).toBe(problem);
    if (value.length > 8) expect(problem).not.toContain(value);
  });
});

describe('resolveCredential: the first match wins', () => {
  it('--token / LUZ_TOKEN, then --key / LUZ_STAFF_KEY, over every file', () => {
    writeStaffKeyFile();
    rememberToken(envWith(), OTHER_TOKEN);
    const env = envWith({ STAFF_KEY: 'from-env' });
    expect(resolveCredential({ token: { value: TOKEN, source: 'LUZ_TOKEN' }, key: { value: 'k', source: '--key' } }, env)).toEqual({
      kind: 'customer',
      secret: TOKEN,
      source: 'LUZ_TOKEN',
    });
    expect(resolveCredential({ key: { value: 'k', source: '--key' } }, env)).toEqual({ kind: 'staff', secret: 'k', source: '--key' });
  });

  it('a remembered token beats STAFF_KEY and the lab key file (luz entrar is deliberate; the file merely exists)', () => {
    writeStaffKeyFile();
    const file = rememberToken(envWith(), OTHER_TOKEN);
    expect(resolveCredential({}, envWith({ STAFF_KEY: 'from-env' }))).toEqual({ kind: 'customer', secret: OTHER_TOKEN, source: file });
  });

  it('then STAFF_KEY, then LUZ_DATA_DIR/staff.key', () => {
    const file = writeStaffKeyFile();
    expect(resolveCredential({}, envWith({ STAFF_KEY: 'from-env' }))).toEqual({ kind: 'staff', secret: 'from-env', source: 'STAFF_KEY' });
    expect(resolveCredential({}, envWith())).toEqual({ kind: 'staff', secret: STAFF_KEY, source: file });
  });

  it('nothing anywhere: undefined, and the places it looked, in its order', () => {
    expect(resolveCredential({}, envWith())).toBeUndefined();
    expect(placesLooked(envWith())).toEqual([
      '--token',
      'LUZ_TOKEN',
      '--key',
      'LUZ_STAFF_KEY',
      join(root, 'config', 'luz', 'token'),
      'STAFF_KEY',
      join(root, 'data', 'staff.key'),
    ]);
  });

  it('an empty key file counts as none', () => {
    writeStaffKeyFile('  ');
    expect(staffCredential({}, envWith())).toBeUndefined();
  });
});

describe('the remembered token', () => {
  it('lives in LUZ_CONFIG_DIR, else XDG_CONFIG_HOME/luz, else ~/.config/luz', () => {
    expect(rememberedTokenFile({ LUZ_CONFIG_DIR: '/a/b' })).toBe('/a/b/token');
    expect(rememberedTokenFile({ XDG_CONFIG_HOME: '/x' })).toBe('/x/luz/token');
    expect(rememberedTokenFile({})).toMatch(/\/\.config\/luz\/token$/);
  });

  it('is written with mode 600 in a folder created 700, and replaced whole', () => {
    const env = envWith();
    const file = rememberToken(env, TOKEN);
    expect(file).toBe(join(root, 'config', 'luz', 'token'));
    expect(readFileSync(file, 'utf8')).toBe(`${TOKEN}\n`);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(root, 'config', 'luz')).mode & 0o777).toBe(0o700);
    expect(statSync(join(root, 'config')).mode & 0o777).toBe(0o700);

    rememberToken(env, OTHER_TOKEN);
    expect(readFileSync(file, 'utf8')).toBe(`${OTHER_TOKEN}\n`);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('an existing folder keeps its mode (LUZ_CONFIG_DIR may be any folder the user chose)', () => {
    const chosen = join(root, 'chosen');
    mkdirSync(chosen, { mode: 0o755 });
    const file = rememberToken({ LUZ_CONFIG_DIR: chosen }, TOKEN);
    expect(statSync(chosen).mode & 0o777).toBe(0o755);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('forgetToken deletes it, and says when there was none', () => {
    const env = envWith();
    const file = rememberToken(env, TOKEN);
    expect(forgetToken(env)).toEqual({ file, removed: true });
    expect(forgetToken(env)).toEqual({ file, removed: false });
    expect(resolveCredential({}, env)).toBeUndefined();
  });
});
