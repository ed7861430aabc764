// Running collectors against a fake toolbox: deadlines, failures, redaction and checksums.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { customCollectors } from '../../src/core/collect/custom-collectors.js';
import { identityCommand, parseIdentity } from '../../src/core/collect/identity.js';
import { builtinCollectors, commandFor, type Collector } from '../../src/core/collect/profiles.js';
import { MAX_LISTED_REDACTIONS } from '../../src/core/collect/redact.js';
import { runCollectors, type BoxExec } from '../../src/core/collect/run-collectors.js';
import { MemoryBundle } from './fakes/memory-bundle.js';

const target = { root: '/proc/42/root', pid: 42 };
const sha = (s: string | Buffer) => createHash('sha256').update(s).digest('hex');

interface Answer {
  exitCode: number;
  stdout?: string | Buffer;
  stderr?: string;
  timedOut?: boolean;
  /** the size of the pieces the output arrives in */
  chunk?: number;
}

function fakeExec(answers: Record<string, Answer | Error>): {
  exec: BoxExec;
  calls: { command: string[]; timeoutMs: number }[];
} {
  const calls: { command: string[]; timeoutMs: number }[] = [];
  const exec: BoxExec = (command, timeoutMs, sinks) => {
    calls.push({ command, timeoutMs });
    const answer = answers[command.join(' ')];
    if (answer instanceof Error) return Promise.reject(answer);
    const a = answer ?? { exitCode: 0 };
    const feed = (data: string | Buffer | undefined, sink: (c: Buffer) => void) => {
      const buf = Buffer.from(data ?? '');
      const size = a.chunk ?? (buf.length || 1);
      for (let i = 0; i < buf.length; i += size) sink(buf.subarray(i, i + size));
    };
    feed(a.stdout, (c) => {
      sinks.stdout(c);
    });
    feed(a.stderr, (c) => {
      sinks.stderr(c);
    });
    return Promise.resolve({ exitCode: a.exitCode, timedOut: a.timedOut });
  };
  return { exec, calls };
}

const custom = (name: string, command: string[], timeoutSeconds?: number): Collector => ({
  profile: 'custom',
  name,
  command,
  timeoutSeconds,
});
const MB = 1 << 20;

describe('runCollectors', () => {
  it('records each command: status, exit code, deadline, redacted output and its checksum', async () => {
    const { exec, calls } = fakeExec({
      'cat conf': { exitCode: 0, stdout: 'user=a\npassword=hunter2\n' },
      false: { exitCode: 3, stdout: 'partial\n', stderr: 'broken\n' },
      'sleep 600': { exitCode: 143, timedOut: true },
      gone: new Error('podman exec failed'),
    });
    let clock = 1000;
    const seen: string[] = [];
    const bundle = new MemoryBundle();
    const records = await runCollectors(
      exec,
      bundle,
      [
        custom('conf', ['cat', 'conf']),
        custom('fails', ['false']),
        custom('hang', ['sleep', '600'], 2),
        custom('gone', ['gone']),
      ],
      {
        target,
        timeoutSeconds: 30,
        maxOutputBytes: MB,
        parallel: 2,
        now: () => (clock += 5),
        onDone: (d, t, r) => seen.push(`${d}/${t} ${r.id}`),
      },
    );
    expect(calls.map((c) => c.timeoutMs)).toEqual([30_000, 30_000, 2000, 30_000]);
    expect(seen.map((s) => s.split(' ')[0])).toEqual(['1/4', '2/4', '3/4', '4/4']);
    expect(records.map((r) => [r.id, r.status, r.exitCode, r.timedOut, r.timeoutSeconds, r.truncated])).toEqual([
      ['custom/conf', 'ok', 0, false, 30, false],
      ['custom/fails', 'failed', 3, false, 30, false],
      ['custom/hang', 'timeout', null, true, 2, false],
      ['custom/gone', 'failed', null, false, 30, false],
    ]);
    expect(records[0]!.output).toEqual({
      path: 'custom/conf.txt',
      bytes: 27,
      sha256: sha('user=a\npassword=<redacted>\n'),
      truncated: false,
      producedBytes: 24,
    });
    expect(records[0]!.stderr).toBeNull();
    expect(records[0]!.redactions).toEqual([{ file: 'custom/conf.txt', rule: 'secret-assignment', line: 2 }]);
    expect(records[1]!.stderr).toEqual({
      path: 'custom/fails.stderr.txt',
      bytes: 7,
      sha256: sha('broken\n'),
      truncated: false,
      producedBytes: 7,
    });
    expect(records[2]!.stderr?.path).toBe('custom/hang.stderr.txt');
    expect(bundle.text('custom/hang.stderr.txt')).toBe('toolbox collect: killed after 2s\n');
    expect(bundle.text('custom/gone.stderr.txt')).toBe('podman exec failed\n');
    expect(bundle.text('custom/conf.txt')).toBe('user=a\npassword=<redacted>\n');
    for (const r of records) expect(r.durationMs).toBeGreaterThanOrEqual(0);
    // Every recorded checksum matches the bytes that go into the bundle, and every file is ended.
    const listed = records.flatMap((r) => [r.output, r.stderr]).filter((x) => x !== null);
    expect([...bundle.files.keys()].sort()).toEqual(listed.map((f) => f.path).sort());
    expect([...bundle.ended].sort()).toEqual(listed.map((f) => f.path).sort());
    for (const f of listed) {
      const data = bundle.data(f.path);
      expect({ bytes: f.bytes, sha256: f.sha256 }).toEqual({ bytes: data.length, sha256: sha(data) });
    }
  });

  it('13.11: keeps at most the cap of an output, reads the rest, and records the cut, not a failure', async () => {
    // 3 MB of numbered lines in 64 KiB chunks, against a 1 MB cap; the command exits 0.
    const lines = Array.from({ length: 300_000 }, (_, i) => `line ${String(i).padStart(6, '0')}\n`).join('');
    const { exec } = fakeExec({ big: { exitCode: 0, stdout: lines, stderr: 'warn\n', chunk: 65536 } });
    const bundle = new MemoryBundle();
    const [r] = await runCollectors(exec, bundle, [custom('big', ['big'])], {
      target,
      timeoutSeconds: 30,
      maxOutputBytes: MB,
      parallel: 4,
      now: () => 0,
    });
    const kept = bundle.text('custom/big.txt');
    // Cut at the last whole line within the cap.
    const whole = lines.slice(0, MB);
    expect(kept).toBe(whole.slice(0, whole.lastIndexOf('\n') + 1));
    expect(r!).toMatchObject({ status: 'ok', exitCode: 0, timedOut: false, truncated: true });
    expect(r!.output).toEqual({
      path: 'custom/big.txt',
      bytes: kept.length,
      sha256: sha(kept),
      truncated: true,
      producedBytes: lines.length,
    });
    expect(bundle.text('custom/big.stderr.txt')).toBe(
      `warn\ntoolbox collect: stdout cut at ${MB} of ${lines.length} bytes (--max-output)\n`,
    );
    expect(r!.stderr).toMatchObject({ truncated: false, producedBytes: 5 });
  });

  it('13.11: an output with a secret on each of 200 000 lines lists the first 1000 and counts the rest, not a crash', async () => {
    // `yes password=x | head -c 300M` kept to 64 MB holds 1.4 million secrets. Pushing them as
    // spread arguments overflowed the stack; listing them all took 3.5 GB and a 130 MB manifest.
    const line = 'password=vfBIG\n';
    const count = 200_000;
    const { exec } = fakeExec({ yes: { exitCode: 0, stdout: line.repeat(count), chunk: 1 << 16 } });
    const bundle = new MemoryBundle();
    const [r] = await runCollectors(exec, bundle, [custom('yes', ['yes'])], {
      target,
      timeoutSeconds: 30,
      maxOutputBytes: 64 * MB,
      parallel: 1,
      now: () => 0,
    });
    expect(r!.status).toBe('ok');
    expect(r!.redactions.length).toBe(MAX_LISTED_REDACTIONS);
    expect(r!.redactions[MAX_LISTED_REDACTIONS - 1]).toEqual({
      file: 'custom/yes.txt',
      rule: 'secret-assignment',
      line: MAX_LISTED_REDACTIONS,
    });
    expect(r!.output.unlistedRedactions).toBe(count - MAX_LISTED_REDACTIONS);
    expect(bundle.text('custom/yes.txt')).toBe('password=<redacted>\n'.repeat(count));
    // 200 000 lines through every rule: seconds on a quiet machine, more on a busy one; a limit,
    // not a measurement.
  }, 60_000);

  it('13.11: catches a secret split across the chunks the output arrives in', async () => {
    const out = 'a\nmysql -uroot -pHunter2 db\nexport GITHUB_TOKEN=ghp_0123456789abcdefghijABCDEFGHIJ012345\n';
    for (const chunk of [1, 2, 3, 5, 7, 11]) {
      const { exec } = fakeExec({ ps: { exitCode: 0, stdout: out, chunk } });
      const bundle = new MemoryBundle();
      const [r] = await runCollectors(exec, bundle, [custom('ps', ['ps'])], {
        target,
        timeoutSeconds: 30,
        maxOutputBytes: MB,
        parallel: 1,
        now: () => 0,
      });
      expect(bundle.text('custom/ps.txt')).toBe('a\nmysql -uroot -p<redacted> db\nexport GITHUB_TOKEN=<redacted>\n');
      expect(r!.redactions).toEqual([
        { file: 'custom/ps.txt', rule: 'password-flag', line: 2 },
        { file: 'custom/ps.txt', rule: 'github-token', line: 3 },
      ]);
    }
  });
});

describe('profiles', () => {
  it('fills in the host root and PID, and keeps the declared order', () => {
    const basic = builtinCollectors(['basic']);
    expect(basic.map((c) => c.name)).toEqual([
      'os-release',
      'hostname',
      'kernel',
      'uptime',
      'processes',
      'disk-free',
      'mounts',
      'journal',
      'failed-units',
      'rpms',
    ]);
    const rpms = basic.find((c) => c.name === 'rpms')!;
    expect(commandFor(rpms, target)).toEqual([
      'env',
      '-i',
      'PATH=/usr/sbin:/usr/bin:/sbin:/bin',
      'LC_ALL=C.UTF-8',
      'chroot',
      '/proc/42/root',
      'rpm',
      '-qa',
    ]);
    expect(
      commandFor(
        basic.find((c) => c.name === 'failed-units')!,
        target,
      ),
    ).toEqual([
      'env',
      '-i',
      'PATH=/usr/sbin:/usr/bin:/sbin:/bin',
      'LC_ALL=C.UTF-8',
      'nsenter',
      '--target=42',
      '--mount',
      '--',
      'systemctl',
      'list-units',
      '--failed',
      '--no-pager',
    ]);
    expect(builtinCollectors(['updates', 'storage']).map((c) => c.profile)).toEqual([
      'storage',
      'storage',
      'storage',
      'updates',
      'updates',
      'updates',
      'updates',
      'updates',
    ]);
    expect(builtinCollectors(['custom'])).toEqual([]);
  });

  it('passes host paths to constant scripts as arguments, never in the script', () => {
    for (const c of builtinCollectors(['basic', 'network', 'storage', 'updates'])) {
      if (c.command[0] !== 'sh') continue;
      const argv = commandFor(c, { root: '/media/root', pid: 1 });
      expect(argv[1]).toBe('-c');
      expect(argv[2]).not.toContain('/media/root');
      expect(argv.slice(4)[0]).toBe('/media/root');
    }
  });
});

describe('customCollectors', () => {
  it('reads argv collectors with optional deadlines', () => {
    expect(
      customCollectors(
        {
          collectors: [
            { name: 'hang', command: ['sleep', '600'], timeout: 2 },
            { name: 'lsmod', command: ['lsmod'] },
          ],
        },
        '/c.json',
      ),
    ).toEqual([
      { profile: 'custom', name: 'hang', command: ['sleep', '600'], timeoutSeconds: 2 },
      { profile: 'custom', name: 'lsmod', command: ['lsmod'], timeoutSeconds: undefined },
    ]);
    expect(customCollectors({}, '/c.json')).toEqual([]);
  });

  it('refuses shell strings, bad names, duplicates and bad deadlines, naming the file', () => {
    const cases: [unknown, string][] = [
      [{ name: 'x', command: 'ls -l' }, 'x: "command" must be a non-empty list of strings (an argv, not a shell line)'],
      [{ name: '../x', command: ['ls'] }, 'entry 1 needs a "name" of letters, digits, ".", "_" or "-"'],
      [{ name: 'x', command: ['ls'], timeout: 0 }, 'x: "timeout" must be a positive number of seconds'],
      [{ name: 'x', command: ['ls'], shell: true }, 'entry 1 has unknown key "shell"'],
    ];
    for (const [entry, why] of cases) {
      expect(() => customCollectors({ collectors: [entry] }, '/c.json')).toThrow(
        `invalid "collectors" in /c.json: ${why}`,
      );
    }
    expect(() =>
      customCollectors(
        {
          collectors: [
            { name: 'a', command: ['x'] },
            { name: 'a', command: ['y'] },
          ],
        },
        '/c.json',
      ),
    ).toThrow('the name a is used twice');
    expect(() => customCollectors({ collectors: {} }, '/c.json')).toThrow(
      'invalid "collectors" in /c.json: not a list',
    );
  });
});

describe('host identity', () => {
  it('parses the identity script output, unquoting os-release without sourcing it', () => {
    const out =
      'hostname\tnode-1\nmachine-id\tabc123\nkernel\t6.4.0\nos\tNAME="openSUSE MicroOS"\nos\tID="opensuse-microos"\nos\tVERSION_ID="20261120"\nos\tPRETTY_NAME="openSUSE MicroOS $(reboot)"\n';
    expect(parseIdentity(out)).toEqual({
      hostname: 'node-1',
      machineId: 'abc123',
      os: 'openSUSE MicroOS $(reboot)',
      osId: 'opensuse-microos',
      osVersion: '20261120',
      kernel: '6.4.0',
    });
    expect(parseIdentity('hostname\t\n')).toEqual({
      hostname: null,
      machineId: null,
      os: null,
      osId: null,
      osVersion: null,
      kernel: null,
    });
  });

  it('passes the root and PID as arguments', () => {
    expect(identityCommand(target).slice(3)).toEqual(['host-identity', '/proc/42/root', '42']);
  });
});
