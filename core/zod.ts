// zod's functional build, `zod/mini`, for every schema in Luz: a bundler keeps only the schemas and
// checks a function uses (≈ 20 KB instead of zod classic's ≈ 190 KB, whose `z` object and methods pull
// in all of zod), which is most of a function's import time (docs/PERFORMANCE.md, cold start).
// zod/mini ships no messages of its own: its English locale is loaded here, once, so every default
// message reads as zod classic's did ("Too small: expected number to be >=1").
// Import it as `import * as z from './zod'`: a namespace of re-exports, which a bundler can still shake.
import { config } from 'zod/mini';
import { en } from 'zod/locales';

config(en());

export * from 'zod/mini';
