// How Luz's modules may import one another: no cycles, and storage reached only through core's domain
// functions (docs/ARCHITECTURE.md); and the checks themselves fail when broken.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeCycles, importCycles, importGraph, type ImportGraph } from './importGraph';

const { graph, cycles } = importGraph(process.cwd());

test('core/, functions/, udp-gateway/, cli/, dev/, meter/ and i18n/ import one another without a cycle', () => {
  expect(describeCycles(cycles)).toBe('');
});

/** core/'s foundation: plain data, settings, errors and rules every use case shares (docs/ARCHITECTURE.md). */
const FOUNDATION = ['model', 'repository', 'context', 'errors', 'decimal', 'periods', 'cpf', 'tariff', 'fields', 'zod', 'log'].map((name) => `core/${name}.ts`);

test("core's foundation files import only one another, never a use case (billing, alarms, readings, …)", () => {
  const outside = FOUNDATION.flatMap((file) => (graph[file] ?? []).filter((target) => !FOUNDATION.includes(target)).map((target) => `${file} imports ${target}`));
  expect(outside).toEqual([]);
  expect(FOUNDATION.filter((file) => !(file in graph))).toEqual([]);
});

/** Files outside core/ (tests aside) that import the repository or the store, or touch `.repository`. */
function aroundTheDomain(graph: ImportGraph, read: (file: string) => string): string[] {
  return Object.entries(graph)
    .filter(([file]) => /^(functions|udp-gateway|cli|meter)\//.test(file) && !file.endsWith('.test.ts'))
    .flatMap(([file, imports]) => [
      ...imports.filter((target) => target === 'core/repository.ts' || target.startsWith('core/store/')).map((target) => `${file} imports ${target}`),
      ...(/\.repository\b/.test(read(file)) ? [`${file} uses .repository`] : []),
    ]);
}

test('handlers, the gateway, the CLI and the meter reach storage only through core (the domain functions)', () => {
  expect(aroundTheDomain(graph, (file) => readFileSync(file, 'utf8'))).toEqual([]);
});

test('the storage check names a handler that imports the store or reads context.repository', () => {
  const fixture: ImportGraph = {
    'functions/fooBar/handler.ts': ['core/store/readingStore.ts', 'functions/http.ts'],
    'udp-gateway/thing.ts': ['core/readings.ts'],
    'udp-gateway/thing.test.ts': ['core/store/memoryRepository.ts'],
  };
  const text: Record<string, string> = { 'udp-gateway/thing.ts': 'await context.repository.findReading(a, b, c);', 'functions/fooBar/handler.ts': '' };
  expect(aroundTheDomain(fixture, (file) => text[file])).toEqual([
    'functions/fooBar/handler.ts imports core/store/readingStore.ts',
    'udp-gateway/thing.ts uses .repository',
  ]);
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
