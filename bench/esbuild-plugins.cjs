// esbuild plugins for the Lambda bundles: serverless.yml (custom.esbuild.plugins), the bench's cold-start build and the gateway's (dev/build.ts).
//
// Keeping it in CommonJS: serverless-esbuild loads the file with require().
// (zod's weight is handled in the source: core/zod.ts imports zod/mini, which a bundler can shake.)

/**
 * fontkit (pdfkit's font engine, in faturaPdf) bundles `brotli`, a JavaScript Brotli decoder with its
 * dictionary (≈ 475 KB minified), only to unpack WOFF2 fonts. Node has Brotli built in: this plugin
 * gives fontkit `zlib.brotliDecompressSync` under brotli's name, so WOFF2 still works and the bundle
 * loses the decoder.
 * @type {import('esbuild').Plugin}
 */
const brotliFromNode = {
  name: 'brotli-from-node',
  setup(build) {
    build.onResolve({ filter: /^brotli\/decompress(\.js)?$/ }, () => ({ path: 'brotli-decompress', namespace: 'brotli-from-node' }));
    build.onLoad({ filter: /.*/, namespace: 'brotli-from-node' }, () => ({
      contents: "import { brotliDecompressSync } from 'node:zlib'; export default (buffer) => brotliDecompressSync(buffer);",
      loader: 'js',
    }));
  },
};

/**
 * The AWS SDK, left to the Lambda runtime (serverless.yml `exclude`), loaded with require() instead of
 * import. Node loads a CommonJS package imported from an ES module through its ES module loader, which
 * lexes every file of the package graph for its exports; required, the same files load as plain
 * CommonJS. Measured here: importing @aws-sdk/client-dynamodb + lib-dynamodb costs 115-134 ms of CPU,
 * requiring them 61-74 ms — about half of a function's cold start (docs/PERFORMANCE.md).
 * The bundle's banner defines `require` (createRequire), which also honours NODE_PATH, where Lambda
 * keeps its SDK. Only when the SDK is external: a bundle that carries the SDK (the gateway) is untouched.
 * @type {import('esbuild').Plugin}
 */
const sdkByRequire = {
  name: 'sdk-by-require',
  setup(build) {
    const external = build.initialOptions.external ?? [];
    if (!external.includes('@aws-sdk/*')) return;
    build.onResolve({ filter: /^@aws-sdk\// }, (args) =>
      args.namespace === 'sdk-by-require' ? { path: args.path, external: true } : { path: args.path, namespace: 'sdk-by-require' },
    );
    build.onLoad({ filter: /.*/, namespace: 'sdk-by-require' }, (args) => ({
      contents: `module.exports = require(${JSON.stringify(args.path)});`,
      loader: 'js',
      resolveDir: process.cwd(),
    }));
  },
};

module.exports = [brotliFromNode, sdkByRequire];
