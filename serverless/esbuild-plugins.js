// esbuild plugins of the Lambda bundles (custom.esbuild.plugins in serverless.yml).
'use strict';
const fs = require('node:fs');
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

/**
 * Modules a Lambda function never runs, by handler, each with the reason. They are reachable from the
 * handlers' imports only through lazy `import()`s (the topic backend registry, each connector's `load()`)
 * or, for thread-stream, through pino's transports, which our JSON logger never uses. Leaving them out
 * keeps about 430 KB of minified code (the mqtt client and its WebSocket and SOCKS stacks, better-sqlite3)
 * out of every function's zip and out of what Node parses at each cold start. Each one is replaced by a
 * module that throws a clear error if it is ever reached (a bug: a test packages the functions, checks what
 * is left out and runs them).
 */
const NEVER_IN_LAMBDA = [
  { file: 'lib/topics/local/index.ts', why: 'functions write to Kinesis streams, never to the local SQLite store' },
  { file: 'lib/connectors/mqtt/source.ts', why: 'mqtt sources are continuous: they run as Fargate tasks, not functions' },
  { file: 'node_modules/thread-stream/index.js', why: 'pino transports (worker threads) are not used: functions log JSON lines to stdout', load: 'class' },
];
const NEVER_IN_HANDLER = {
  'functions/poller.ts': [{ file: 'lib/connectors/http-sink/sink.ts', why: 'the poller runs periodic sources only (sinks have functions/sink.ts)' }],
  'functions/sink.ts': [{ file: 'lib/connectors/http-source/source.ts', why: 'the sink function runs sinks only (periodic sources have functions/poller.ts)' }],
};

/** The modules left out of the bundle of `entry` (a path relative to the service directory). */
function leftOutOf(entry) {
  return [...NEVER_IN_LAMBDA, ...(NEVER_IN_HANDLER[entry.split(path.sep).join('/')] ?? [])];
}

/** `file` with symbolic links resolved, as esbuild reports paths (a service directory may link lib/ or node_modules/). */
function realPath(file) {
  try {
    return fs.realpathSync(file);
  } catch {
    return file;
  }
}

/** See {@link NEVER_IN_LAMBDA}. */
const lambdaScope = {
  name: 'lambda-scope',
  setup(build) {
    const entries = [build.initialOptions.entryPoints ?? []].flat().map((entry) => (typeof entry === 'string' ? entry : entry.in));
    const cwd = build.initialOptions.absWorkingDir ?? process.cwd();
    const leftOut = new Map();
    for (const entry of entries) {
      for (const rule of leftOutOf(path.relative(cwd, path.resolve(cwd, entry)))) leftOut.set(realPath(path.resolve(cwd, rule.file)), rule);
    }
    if (leftOut.size === 0) return;
    build.onLoad({ filter: /\.(?:ts|js)$/ }, (args) => {
      const rule = leftOut.get(args.path);
      if (rule === undefined) return undefined;
      const message = JSON.stringify(`${rule.file} is left out of this Lambda function's bundle (serverless/esbuild-plugins.js): ${rule.why}`);
      return {
        contents: rule.load === 'class' ? `module.exports = class { constructor() { throw new Error(${message}); } };` : `throw new Error(${message});`,
        loader: 'js',
      };
    });
  },
};

module.exports = [zodEnglishOnly, lambdaScope];
module.exports.leftOutOf = leftOutOf;
