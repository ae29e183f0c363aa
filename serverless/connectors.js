// serverless.yml reads its functions, resources and stack name from here:
//   functions: ${file(./serverless/connectors.js):functions}
// Every config in `custom.connectors.configs` (default configs/) is validated and turned into
// functions and resources by the pure generator in lib/deploy (compiled to dist/ by `npm ci`).
'use strict';

let generated;

function generate(resolver) {
  if (!generated) {
    const { generateFromServerless, isUserError } = require('../dist/lib/deploy/serverless.js');
    // osls runs in the service directory (the one holding serverless.yml).
    const serviceDir = process.cwd();
    // osls's first positional argument is the command (`package`, `deploy`, `invoke local`, …).
    const command = process.argv.slice(2).find((arg) => !arg.startsWith('-'));
    generated = generateFromServerless(resolver, serviceDir, command).catch((error) => {
      if (isUserError(error)) {
        // osls reports the error once per variable that uses this file (functions, resources,
        // stackName) and prints `error.stack`: print the located messages once, keep the rest short.
        process.stderr.write(`\n${error.message}\n\n`);
        const issues = error.issues ? `${error.issues.length} config problem(s)` : 'deployment problem';
        error.stack = `${issues}, printed above [${error.code}]`;
      }
      throw error;
    });
  }
  return generated;
}

module.exports = {
  functions: async (resolver) => (await generate(resolver)).functions,
  resources: async (resolver) => (await generate(resolver)).resources,
  stackName: async (resolver) => (await generate(resolver)).stackName,
};
