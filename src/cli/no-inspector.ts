// No entry point may ever have a Node.js inspector: whoever reaches its port (any local user,
// and a sandboxed toolbox through the shared loopback) runs code as this process, which is root.
// Node opens one on SIGUSR1, and on --inspect* in its options or in NODE_OPTIONS. Each entry
// imports this module first; bin/*.js also install the SIGUSR1 handler as their very first
// statement, before this bundle loads. See SECURITY.md ("The Node.js inspector").

const INSPECTOR_REFUSED =
  "Error: refusing to run with the Node.js inspector enabled: any local user could run code through it as this process. Hint: remove --inspect, --inspect-brk, --inspect-port and --debug-port from NODE_OPTIONS and from node's options";

// Any listener at all replaces Node's own SIGUSR1 handler, the one that starts the inspector.
// Ignored here; `toolbox run` adds its own listener that passes the signal to the command.
if (process.listenerCount('SIGUSR1') === 0) process.on('SIGUSR1', () => {});

// Refuse rather than strip the option and start again: the port was open before this line
// could run, so a silent restart would leave that window open at every call, unnoticed.
// A string test, not node:inspector's url(): loading that module costs 2 ms on every call.
// The single executable (scripts/build-sea.mjs defines __TOOLBOX_SEA__) is built with
// execArgvExtension "none": Node never reads NODE_OPTIONS there, so it is harmless and no reason
// to refuse; its execArgv is fixed at build time and is still checked.
declare const __TOOLBOX_SEA__: boolean | undefined;
const nodeReadsEnv = !(typeof __TOOLBOX_SEA__ === 'boolean' && __TOOLBOX_SEA__);
const options = [...process.execArgv, nodeReadsEnv ? (process.env.NODE_OPTIONS ?? '') : ''].join(' ');
if (/--inspect|--debug-port|--debug-brk/.test(options)) {
  if (process.features.inspector) process.getBuiltinModule('node:inspector').close();
  process.stderr.write(`${INSPECTOR_REFUSED}\n`);
  process.exit(1);
}
