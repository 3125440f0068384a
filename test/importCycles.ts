// Import cycles among Luz's modules, found by dpdm (it reads each file with the TypeScript
// compiler, so `import type` edges count too: a foundation file that names a use-case file's type
// depends on it as much as one that calls it).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** The folders whose modules must form no cycle: every part but web/, which is a build of its own (web/tsconfig.json). */
export const CHECKED_FOLDERS = ['core', 'functions', 'udp-gateway', 'cli', 'dev', 'meter', 'i18n'];

const DPDM = resolve('node_modules/dpdm/lib/bin/dpdm.js');

/** Every cycle dpdm finds among the .ts files under `folders` of `root`, as paths relative to `root`. */
export function importCycles(root: string, folders: readonly string[] = CHECKED_FOLDERS): string[][] {
  const scratch = mkdtempSync(join(tmpdir(), 'luz-cycles-'));
  try {
    const output = join(scratch, 'graph.json');
    const globs = folders.map((folder) => `${folder}/**/*.ts`);
    const run = spawnSync(
      process.execPath,
      [DPDM, '--no-tree', '--no-warning', '--no-circular', '--no-progress', '--cwd', root, '--context', root, '-o', output, ...globs],
      { encoding: 'utf8' },
    );
    if (run.status !== 0) throw new Error(`dpdm failed (${run.status}): ${run.stderr || run.stdout}`);
    const { circulars } = JSON.parse(readFileSync(output, 'utf8')) as { circulars: string[][] };
    return circulars.map(fromFirstFile).sort((a, b) => a.join().localeCompare(b.join()));
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** A cycle read from its alphabetically first file, so the same cycle always reads the same. */
function fromFirstFile(cycle: string[]): string[] {
  const first = cycle.indexOf([...cycle].sort()[0]);
  return [...cycle.slice(first), ...cycle.slice(0, first)];
}

/** One line per cycle, closed on its first file: `a.ts -> b.ts -> a.ts`. */
export const describeCycles = (cycles: string[][]): string =>
  cycles.map((cycle) => [...cycle, cycle[0]].join(' -> ')).join('\n');
