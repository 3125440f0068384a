// The import graph of Luz's modules and its cycles, found by dpdm (it reads each file with the TypeScript
// compiler, so `import type` edges count too: a foundation file that names a use-case file's type
// depends on it as much as one that calls it).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** The folders whose modules must form no cycle: every part but web/, which is a build of its own (web/tsconfig.json). */
export const CHECKED_FOLDERS = ['core', 'functions', 'udp-gateway', 'cli', 'dev', 'meter', 'i18n'];

const DPDM = resolve('node_modules/dpdm/lib/bin/dpdm.js');

/** Each file's direct imports of project files, as paths relative to `root`. */
export type ImportGraph = Record<string, string[]>;

/** The import graph and every cycle dpdm finds among the .ts files under `folders` of `root`. */
export function importGraph(root: string, folders: readonly string[] = CHECKED_FOLDERS): { graph: ImportGraph; cycles: string[][] } {
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
    const { tree, circulars } = JSON.parse(readFileSync(output, 'utf8')) as {
      tree: Record<string, { id: string | null }[] | null>;
      circulars: string[][];
    };
    const graph = Object.fromEntries(
      Object.entries(tree).map(([file, imports]) => [file, (imports ?? []).flatMap(({ id }) => (id && /\.[cm]?[jt]s$/.test(id) && !id.includes('node_modules') ? [id] : []))]),
    );
    return { graph, cycles: circulars.map(fromFirstFile).sort((a, b) => a.join().localeCompare(b.join())) };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** Every cycle among the .ts files under `folders` of `root`, each read from its first file. */
export const importCycles = (root: string, folders?: readonly string[]): string[][] => importGraph(root, folders).cycles;

/** A cycle read from its alphabetically first file, so the same cycle always reads the same. */
function fromFirstFile(cycle: string[]): string[] {
  const first = cycle.indexOf([...cycle].sort()[0]);
  return [...cycle.slice(first), ...cycle.slice(0, first)];
}

/** One line per cycle, closed on its first file: `a.ts -> b.ts -> a.ts`. */
export const describeCycles = (cycles: string[][]): string =>
  cycles.map((cycle) => [...cycle, cycle[0]].join(' -> ')).join('\n');
