// The entry point: Node's inspector guard first, then the CLI (src/cli/toolbox.ts). Only the
// guard is imported statically because esbuild orders a bundle's chunk imports its own way (a
// shared chunk of the CLI came before the guard's), and nothing may run before the guard.
import './no-inspector.js';
await import('./toolbox.js');
