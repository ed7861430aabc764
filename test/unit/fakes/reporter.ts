// A Reporter and a Progress that keep what they were told, for assertions, and print nothing.
import type { Progress } from '../../../src/core/progress.js';
import type { Reporter } from '../../../src/core/ports.js';

export class SilentReporter implements Reporter {
  lines: string[] = [];
  status(message: string): void {
    this.lines.push(`status: ${message}`);
  }
  warn(message: string): void {
    this.lines.push(`warn: ${message}`);
  }
  step(message: string): { done(message?: string): void; fail(message?: string): void } {
    this.lines.push(`step: ${message}`);
    return { done() {}, fail() {} };
  }
}

export class SilentProgress implements Progress {
  lines: string[] = [];
  phase(text: string): void {
    this.lines.push(`phase: ${text}`);
  }
  succeed(text: string): void {
    this.lines.push(`succeed: ${text}`);
  }
  fail(): void {
    this.lines.push('fail');
  }
  detail(line: string): void {
    this.lines.push(`detail: ${line}`);
  }
  warn(text: string): void {
    this.lines.push(`warn: ${text}`);
  }
}
