// Runtime code validates with zod's mini build: the full build adds ~450 KB to the worker bundle
// (DESIGN.md allows 500 KB). Importing this module once gives mini English messages, so
// validation errors still say what is wrong. Import zod itself as `import * as z from 'zod/mini'`
// (property access on the namespace keeps esbuild's tree-shaking working).
import { config } from 'zod/mini';
import en from 'zod/v4/locales/en.js';

config(en());
