import { afterEach, describe, expect, it, vi } from 'vitest';
import { EngineError, errorJson, ToolboxError, UsageError } from '../../src/core/errors.js';
import { commanderMessage, reportFailure, reportUsage } from '../../src/ui/error-boundary.js';

function program(name: string) {
  const out: string[] = [];
  const err: string[] = [];
  const sink = (lines: string[]) => ({ write: (text: string) => lines.push(text) });
  return { out, err, program: { name, out: sink(out), err: sink(err), failureJson: errorJson } };
}

/** What the reporter writes to stderr (process.stderr is not a terminal here: no colour). */
function stderrLines(): string[] {
  const lines: string[] = [];
  vi.spyOn(process.stderr, 'write').mockImplementation((text) => {
    lines.push(String(text));
    return true;
  });
  return lines;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('the error boundary both programs share', () => {
  it('an expected failure is one line with its hint, and its exit code', () => {
    const stderr = stderrLines();
    const p = program('toolbox');
    expect(reportFailure(p.program, new EngineError('podman failed.', 'is podman installed?'), false)).toBe(125);
    expect(stderr).toEqual(['Error: podman failed. Hint: is podman installed?\n']);
    expect([p.out, p.err]).toEqual([[], []]);
  });

  it('with --json, the failure is also an object on stdout', () => {
    stderrLines();
    const p = program('host-update');
    expect(reportFailure(p.program, new ToolboxError('no snapshot', { hint: 'make one' }), true)).toBe(1);
    expect(p.out).toEqual(['{"ok":false,"result":"failed","error":"no snapshot","hint":"make one"}\n']);
  });

  it('a usage error exits 2', () => {
    const stderr = stderrLines();
    const p = program('host-update');
    expect(reportUsage(p.program, 'unknown option --x', "run 'host-update --help' for usage", false)).toBe(2);
    expect(stderr).toEqual(["Error: unknown option --x. Hint: run 'host-update --help' for usage\n"]);
    expect(reportFailure(p.program, new UsageError('bad'), false)).toBe(2);
  });

  it('anything else is an internal error, named for the program, with its stack', () => {
    const p = program('host-update');
    const bug = new TypeError('x is undefined');
    expect(reportFailure(p.program, bug, false)).toBe(1);
    expect(p.err).toEqual([`Internal error (a bug in host-update; please report it): ${bug.stack ?? ''}\n`]);
    expect(p.out).toEqual([]);
    const q = program('toolbox');
    reportFailure(q.program, 'thrown text', false);
    expect(q.err).toEqual(['Internal error (a bug in toolbox; please report it): thrown text\n']);
  });

  it('with --json, an internal error is a failure document on stdout too, and the stack on stderr', () => {
    const p = program('toolbox');
    const bug = new TypeError("Cannot read properties of undefined (reading 'x')");
    expect(reportFailure(p.program, bug, true)).toBe(1);
    expect(p.out).toEqual([
      `${JSON.stringify({
        ok: false,
        result: 'failed',
        error: "internal error: TypeError: Cannot read properties of undefined (reading 'x')",
        hint: 'a bug in toolbox; please report it with the stack trace on stderr',
      })}\n`,
    ]);
    expect(p.err).toEqual([`Internal error (a bug in toolbox; please report it): ${bug.stack ?? ''}\n`]);
    const q = program('host-update');
    expect(reportFailure(q.program, 'thrown\ntext', true)).toBe(1);
    expect(q.out).toEqual([
      '{"ok":false,"result":"failed","error":"internal error: thrown","hint":"a bug in host-update; please report it with the stack trace on stderr"}\n',
    ]);
  });

  it("commander's message is its first line, without its prefix or full stop", () => {
    const fallback = new Error('fallback.');
    expect(commanderMessage("error: unknown option '--x'.\n(Did you mean --y?)\n", fallback)).toBe(
      "unknown option '--x'",
    );
    expect(commanderMessage('', fallback)).toBe('fallback');
  });
});
