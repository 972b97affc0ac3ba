#!/usr/bin/env node
// The `conversa` command. The TypeScript sources are compiled to dist/ by `npm install`
// (the `prepare` script) and `npm start`; run `npm run build` after editing src/.
import { main } from '../dist/cli/main.js';

main(process.argv.slice(2)).then(
  (code) => {
    if (typeof code === 'number') process.exitCode = code;
  },
  (error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  },
);
