// esbuild plugins for the Lambda bundles: serverless.yml (custom.esbuild.plugins) and the bench's cold-start build.
//
// zod v4 classic re-exports every locale (`z.locales`, ~40 languages, ≈ 260 KB minified) from
// `zod/v4/locales/index.js`, so each handler bundle carried all of them; Luz's messages are its own,
// in English, and zod's default is `en`. This plugin gives zod a locales index with English only,
// taking a handler from ≈ 520 KB to ≈ 260 KB. Measured by `npm run bench` (cold start rows).
// Keeping it in CommonJS: serverless-esbuild loads the file with require().
const path = require('node:path');

const ZOD_FILE = /[\\/]node_modules[\\/]zod[\\/]/;

/** @type {import('esbuild').Plugin} */
const zodEnglishOnly = {
  name: 'zod-english-only',
  setup(build) {
    build.onResolve({ filter: /[\\/]locales[\\/]index\.c?js$/ }, (args) => {
      if (!ZOD_FILE.test(args.importer)) return undefined;
      return { path: path.resolve(args.resolveDir, args.path), namespace: 'zod-english-only' };
    });
    build.onLoad({ filter: /.*/, namespace: 'zod-english-only' }, (args) => {
      const english = path.join(path.dirname(args.path), args.path.endsWith('.cjs') ? 'en.cjs' : 'en.js');
      return { contents: `export { default as en } from ${JSON.stringify(english)};`, resolveDir: path.dirname(args.path), loader: 'js' };
    });
  },
};

module.exports = [zodEnglishOnly];
