// For the error-boundary tests only: TOOLBOX_TEST_FAULT="toolbox config list" (or "host-update
// status", any command by its program and path) makes that command throw a TypeError as it
// starts, as a bug in it would. It can only make a command fail, which anyone who sets a
// variable of the caller's can do anyway; it never runs or changes anything. Unset (always, in
// production) it does nothing.
export function injectTestFault(command: string, env: NodeJS.ProcessEnv = process.env): void {
  if (env.TOOLBOX_TEST_FAULT === command) throw new TypeError(`injected fault in ${command} (TOOLBOX_TEST_FAULT)`);
}
