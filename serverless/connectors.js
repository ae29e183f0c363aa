// serverless.yml reads its functions, resources and stack name from here:
//   functions: ${file(./serverless/connectors.js):functions}
// Every config in `custom.connectors.configs` (default configs/) is validated and turned into
// functions and resources by the pure generator in lib/deploy (compiled to dist/ by `npm ci`).
'use strict';

// One generation per set of CLI options (one per run: `npm run sls:groups -- package` runs osls
// once per stack in one process, each run with its own `--param group=N`).
const generated = new Map();
// Configs read and validated once per process and configs directory (every stack of a run of
// `sls:groups` reads the same files).
const loaded = new Map();

function generate(resolver) {
  const { generateFromServerless, isUserError, loadConnectorInputs } = require('../dist/lib/deploy/serverless.js');
  // osls runs in the service directory (the one holding serverless.yml).
  const serviceDir = process.cwd();
  // osls's first positional argument is the command (`package`, `deploy`, `invoke local`, …).
  const command = process.argv.slice(2).find((arg) => !arg.startsWith('-'));
  const key = JSON.stringify([serviceDir, command, resolver.options]);
  if (!generated.has(key)) {
    const load = (dir, configs, registry) => {
      const loadKey = JSON.stringify([dir, configs]);
      if (!loaded.has(loadKey)) loaded.set(loadKey, loadConnectorInputs(dir, configs, registry));
      return loaded.get(loadKey);
    };
    generated.set(
      key,
      generateFromServerless(resolver, serviceDir, command, undefined, load).catch((error) => {
        if (isUserError(error)) {
          // osls reports the error once per variable that uses this file (functions, resources,
          // stackName) and prints `error.stack`: print the located messages once, keep the rest short.
          process.stderr.write(`\n${error.message}\n\n`);
          const issues = error.issues ? `${error.issues.length} config problem(s)` : 'deployment problem';
          error.stack = `${issues}, printed above [${error.code}]`;
        }
        throw error;
      }),
    );
  }
  return generated.get(key);
}

module.exports = {
  functions: async (resolver) => (await generate(resolver)).functions,
  resources: async (resolver) => (await generate(resolver)).resources,
  stackName: async (resolver) => (await generate(resolver)).stackName,
};
