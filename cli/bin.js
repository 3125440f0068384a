#!/usr/bin/env node
// `luz` launcher: registers tsx's loader so the TypeScript CLI runs as shipped, with no build step.
import { readFileSync } from 'node:fs';
import { register } from 'tsx/esm/api';

// NO_COLOR wins (no-color.org); dropping FORCE_COLOR also spares the user Node's warning about the pair.
if (process.env.NO_COLOR) delete process.env.FORCE_COLOR;
register();
const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const { main } = await import('./main.ts');
process.exitCode = await main(process.argv.slice(2), version);
