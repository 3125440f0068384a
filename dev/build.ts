// `npm run build`: the UDP gateway as one ES module (dist/gateway/main.mjs, AWS SDK and zod inside) that
// runs with plain `node` and no node_modules, plus the tariff files it reads. What ships is what runs:
// npm start, the tests and the bench start this bundle (ensureGatewayBundle), the Dockerfile copies it.
import { build } from 'esbuild';
import { cpSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';

export const GATEWAY_DIR = resolve('dist/gateway');
export const GATEWAY_BUNDLE = join(GATEWAY_DIR, 'main.mjs');

/**
 * How the bundle is run, here and in the container (Dockerfile CMD, checked by test/gateway-process.int.test.ts).
 * V8 would otherwise size its heap for throughput (peak heap ≈ 120 MB against ≈ 32 MB live under 10,000
 * meters, docs/PERFORMANCE.md); a small young generation and a capped old one keep RSS under 150 MB at
 * the same ingest rate. A task serving far more meters (its secret cache holds up to 200,000) needs more.
 */
export const GATEWAY_NODE_ARGS = ['--max-semi-space-size=1', '--max-old-space-size=96'];

/** What the bundle is made of: a change to any of these makes it stale. */
const SOURCES = ['udp-gateway', 'core', 'tariffs', 'package-lock.json', 'dev/build.ts', 'bench/esbuild-plugins.cjs'];

/** The same esbuild plugins as the Lambda bundles (bench/esbuild-plugins.cjs). */
const plugins = createRequire(resolve('package.json'))(resolve('bench/esbuild-plugins.cjs'));

/** Builds the bundle; written beside and renamed into place, so a reader never sees half a file. */
export async function buildGateway(): Promise<{ file: string; bytes: number }> {
  mkdirSync(GATEWAY_DIR, { recursive: true });
  const partial = `${GATEWAY_BUNDLE}.${process.pid}.tmp`;
  await build({
    entryPoints: [resolve('udp-gateway/main.ts')],
    outfile: partial,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    // Whitespace and syntax only: stack traces in the logs keep their function names.
    minifyWhitespace: true,
    minifySyntax: true,
    legalComments: 'none',
    logLevel: 'warning',
    plugins,
    // Some CommonJS dependencies of the SDK call require(); an ES module has none of its own.
    banner: { js: "import { createRequire as __luzRequire } from 'node:module'; const require = __luzRequire(import.meta.url);" },
  });
  rmSync(join(GATEWAY_DIR, 'tariffs'), { recursive: true, force: true });
  cpSync(resolve('tariffs'), join(GATEWAY_DIR, 'tariffs'), { recursive: true });
  renameSync(partial, GATEWAY_BUNDLE);
  return { file: GATEWAY_BUNDLE, bytes: statSync(GATEWAY_BUNDLE).size };
}

function newestChange(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((name) => newestChange(join(path, name))));
}

/** True when the bundle is missing or older than one of its sources. */
export function gatewayBundleStale(): boolean {
  if (!existsSync(GATEWAY_BUNDLE)) return true;
  const built = statSync(GATEWAY_BUNDLE).mtimeMs;
  return SOURCES.some((source) => existsSync(resolve(source)) && newestChange(resolve(source)) > built);
}

/** Builds the bundle only if it is missing or stale; returns its path. */
export async function ensureGatewayBundle(): Promise<string> {
  if (gatewayBundleStale()) await buildGateway();
  return GATEWAY_BUNDLE;
}

// Run as a script (npm run build), not imported (npm start, the tests, the bench). No import.meta: jest loads this as CommonJS.
if (process.argv[1] !== undefined && resolve(process.argv[1]) === resolve('dev/build.ts')) {
  buildGateway().then(
    ({ file, bytes }) => console.log(`[luz] built ${file} (${Math.round(bytes / 1024)} KB): run it with node ${file}`),
    (error: unknown) => {
      console.error(`[luz] build failed: ${(error as Error).message}`);
      process.exit(1);
    },
  );
}
