#!/usr/bin/env node
'use strict';
// Entry point of the `connector` command. The TypeScript sources are compiled to dist/ by
// `npm run build` (run automatically by `npm ci` through the `prepare` script).
require('../dist/lib/cli/main.js').main(process.argv);
