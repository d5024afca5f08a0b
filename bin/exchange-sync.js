#!/usr/bin/env node
// The package's CLI entry. The sources are TypeScript run through tsx, so there is no build step
// between a checkout and a working CLI.
import { register } from 'tsx/esm/api';

register();
await import('../cli/main.ts');
