// No import cycles in Luz's modules; and the check itself finds one when there is one.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeCycles, importCycles } from './importCycles';

test('core/, functions/, udp-gateway/, cli/, dev/, meter/ and i18n/ import one another without a cycle', () => {
  const cycles = importCycles(process.cwd());
  expect(describeCycles(cycles)).toBe('');
});

describe('the cycle check', () => {
  let root: string;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'luz-cycle-fixture-'));
    mkdirSync(join(root, 'src'));
    // model → billing only for a type, billing → model for a value: a type-only edge still closes a cycle.
    writeFileSync(join(root, 'src/model.ts'), "import type { Invoice } from './billing';\nexport interface Record { invoice: Invoice }\n");
    writeFileSync(join(root, 'src/billing.ts'), "import { ZERO } from './money';\nexport interface Invoice { total: number }\nexport const start = ZERO;\n");
    writeFileSync(join(root, 'src/money.ts'), "import type { Record } from './model';\nexport const ZERO = 0;\nexport type Stored = Record;\n");
    writeFileSync(join(root, 'src/leaf.ts'), "import { ZERO } from './money';\nexport const one = ZERO + 1;\n");
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  test('lists a cycle closed by a type-only import, file by file', () => {
    expect(describeCycles(importCycles(root, ['src']))).toBe('src/billing.ts -> src/money.ts -> src/model.ts -> src/billing.ts');
  });

  test('finds nothing once the type moves to the plain-data file', () => {
    writeFileSync(join(root, 'src/money.ts'), 'export const ZERO = 0;\n');
    expect(importCycles(root, ['src'])).toEqual([]);
  });
});
