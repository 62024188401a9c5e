#!/usr/bin/env node
// Runs the TypeScript sources through tsx's loader; the Docker image runs the compiled dist/.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
