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

module.exports = [brotliFromNode];
