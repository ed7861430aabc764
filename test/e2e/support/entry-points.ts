// Every way toolbox and host-update can be started, for the tests that attack all of them (the
// inspector). Another packaging (a single executable) adds its own rows here.
import { join } from 'node:path';
import { ROOT } from '../helpers.js';

export interface EntryPoint {
  name: string;
  program: 'toolbox' | 'host-update';
  /** the command line that starts it, before the program's own arguments */
  argv: string[];
  /** node's own options can be given on this command line (false for a single executable) */
  nodeScript: boolean;
  /** NODE_OPTIONS reaches Node (false for a single executable built with execArgvExtension "none") */
  nodeOptions: boolean;
  /**
   * SIGUSR1 stays blocked and pending, never delivered (a single executable built with
   * --disable-sigusr1: Node still blocks the signal in every thread, and nothing waits for it),
   * so it opens nothing and is not passed on to `toolbox run`'s command either.
   */
  sigusr1Blocked?: boolean;
}

export const ENTRY_POINTS: EntryPoint[] = [
  {
    name: 'bin/toolbox.js (npm)',
    program: 'toolbox',
    argv: [process.execPath, join(ROOT, 'bin/toolbox.js')],
    nodeScript: true,
    nodeOptions: true,
  },
  {
    name: 'dist/toolbox.js (bundle)',
    program: 'toolbox',
    argv: [process.execPath, join(ROOT, 'dist/toolbox.js')],
    nodeScript: true,
    nodeOptions: true,
  },
  {
    name: 'bin/host-update.js (npm)',
    program: 'host-update',
    argv: [process.execPath, join(ROOT, 'bin/host-update.js')],
    nodeScript: true,
    nodeOptions: true,
  },
  {
    name: 'dist/host-update.js (bundle)',
    program: 'host-update',
    argv: [process.execPath, join(ROOT, 'dist/host-update.js')],
    nodeScript: true,
    nodeOptions: true,
  },
  {
    name: 'dist/sea/toolbox (single executable)',
    program: 'toolbox',
    argv: [join(ROOT, 'dist/sea/toolbox')],
    nodeScript: false,
    nodeOptions: false,
    sigusr1Blocked: true,
  },
  {
    name: 'dist/sea/host-update (link to the executable)',
    program: 'host-update',
    argv: [join(ROOT, 'dist/sea/host-update')],
    nodeScript: false,
    nodeOptions: false,
    sigusr1Blocked: true,
  },
];
