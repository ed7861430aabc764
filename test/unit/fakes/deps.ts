// The ports a use case receives, all faked, typed as the fakes so tests can steer them.
import type { Deps } from '../../../src/core/deps.js';
import { FakeEngine } from './engine.js';
import { SilentReporter } from './reporter.js';
import { MemorySessions } from './sessions.js';

export type FakeDeps = Deps & { engine: FakeEngine; sessions: MemorySessions; reporter: SilentReporter };

export function fakeDeps(
  engine = new FakeEngine(),
  sessions = new MemorySessions(engine),
  reporter = new SilentReporter(),
): FakeDeps {
  return {
    engine,
    sessions,
    reporter,
    version: '9.9.9',
    hostUser: () => ({ uid: 1000, gid: 1000, name: 'alice', group: 'alice', home: '/home/alice' }),
    env: { LANG: 'C.UTF-8', SECRET: 'x' },
    cwd: '/work',
  };
}
