// host-update's HostPort, faked: records every command and answers with the test's function.
import type { HostPort, HostTarget } from '../../../src/host/host-access.js';
import type { Captured, Streaming } from '../../../src/os/runner.js';
import { settle } from './engine.js';

export class FakeHost implements HostPort {
  readonly target: HostTarget = { kind: 'nsenter', pid: 1 };
  /** every command, captured, streamed or interactive, in order */
  calls: string[][] = [];

  constructor(
    private readonly answer: (command: readonly string[]) => Captured,
    /** what a streamed command prints before it ends with 0 */
    private readonly streamed = '',
  ) {}

  capture(command: readonly string[]): Promise<Captured> {
    this.calls.push([...command]);
    return settle(() => this.answer(command));
  }
  stream(command: readonly string[], onOutput: (chunk: string) => void): Streaming {
    this.calls.push([...command]);
    if (this.streamed) onOutput(this.streamed);
    return { done: Promise.resolve(0), kill() {} };
  }
  interactive(command: readonly string[]): Promise<number> {
    this.calls.push([...command]);
    return Promise.resolve(0);
  }
}
