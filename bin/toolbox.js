#!/usr/bin/env node
// First, before any module loads: a SIGUSR1 handler, so the signal never opens Node's inspector
// (see src/cli/no-inspector.ts and SECURITY.md). Hence the dynamic import below.
process.on('SIGUSR1', () => {});
await import('../dist/toolbox.js');
