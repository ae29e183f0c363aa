// esbuild plugins of the Lambda bundles (custom.esbuild.plugins in serverless.yml).
'use strict';
const path = require('node:path');

/**
 * zod 4 re-exports all of its ~50 message locales (`z.locales`), which esbuild cannot tree-shake:
 * about 250 KB of minified code the functions never use (they use zod's default English messages).
 * Resolve zod's locales index to English only.
 */
const zodEnglishOnly = {
  name: 'zod-english-only',
  setup(build) {
    build.onResolve({ filter: /locales[\\/]index\.js$/ }, (args) =>
      args.importer.includes(`${path.sep}zod${path.sep}`) ? { path: 'zod-locales-en', namespace: 'zod-english-only' } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'zod-english-only' }, () => ({
      contents: "export { default as en } from 'zod/v4/locales/en.js';",
      resolveDir: __dirname,
      loader: 'js',
    }));
  },
};

module.exports = [zodEnglishOnly];
