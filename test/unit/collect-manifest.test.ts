// manifest.json through the one redactor: argv redacted as command lines, listed by line.
import { describe, expect, it } from 'vitest';
import type { CommandRecord, Manifest } from '../../src/core/collect/manifest.js';
import { renderManifest } from '../../src/core/collect/render-manifest.js';

const file = (path: string) => ({ path, bytes: 0, sha256: 'e3b0', truncated: false, producedBytes: 0 });

function command(name: string, argv: string[], redactions: CommandRecord['redactions'] = []): CommandRecord {
  return {
    id: `custom/${name}`,
    profile: 'custom',
    name,
    command: argv,
    status: 'ok',
    exitCode: 0,
    timedOut: false,
    timeoutSeconds: 30,
    durationMs: 1,
    output: file(`custom/${name}.txt`),
    stderr: null,
    truncated: false,
    redactions,
  };
}

function draft(commands: CommandRecord[], os = 'openSUSE MicroOS'): Manifest {
  return {
    format: 'toolbox-collect/1',
    createdAt: '2026-11-29T22:00:00.000Z',
    finishedAt: '2026-11-29T22:00:01.000Z',
    toolbox: {
      name: 'tb',
      id: 'f'.repeat(64),
      image: 'localhost/toolbox-test:latest',
      version: '0.1.0',
      generation: 1,
    },
    host: {
      hostname: 'node-1',
      machineId: null,
      os,
      osId: null,
      osVersion: null,
      kernel: null,
      root: '/media/root',
      pid: 1,
    },
    profiles: ['custom'],
    maxOutputBytes: 1024,
    commands,
    redacted: commands.flatMap((c) => c.redactions),
    failed: [],
    truncated: [],
  };
}

describe('13.7: manifest.json goes through the redactor', () => {
  it("redacts each collector's argv as a command line and lists every redaction by its line", () => {
    const fromOutput = { file: 'custom/api.txt', rule: 'jwt' as const, line: 3 };
    const { manifest, text } = renderManifest(
      draft([
        command('plain', ['uname', '-a']),
        command(
          'api',
          [
            'curl',
            '-fsS',
            '-u',
            'deploy:pa55w0rd',
            '-H',
            'Authorization: Bearer abc123',
            'https://x/?access_token=t0k3n',
          ],
          [fromOutput],
        ),
        command('db', ['mysql', '-uroot', '-pHunter2', '--password', 'hunter 2', 'password=s3cr3t']),
      ]),
    );
    const json = text.toString('utf8');
    for (const secret of ['pa55w0rd', 'abc123', 't0k3n', 'Hunter2', 'hunter 2', 's3cr3t'])
      expect(json).not.toContain(secret);
    expect(manifest.commands.map((c) => c.command)).toEqual([
      ['uname', '-a'],
      [
        'curl',
        '-fsS',
        '-u',
        'deploy:<redacted>',
        '-H',
        'Authorization: Bearer <redacted>',
        'https://x/?access_token=<redacted>',
      ],
      ['mysql', '-uroot', '-p<redacted>', '--password', '<redacted>', 'password=<redacted>'],
    ]);
    expect(JSON.parse(json)).toEqual(manifest);
    // Each listed line of manifest.json is the line of the argument it names.
    const lines = json.split('\n');
    const at = (line: number) => lines[line - 1]!.trim();
    const own = manifest.redacted.filter((r) => r.file === 'manifest.json');
    expect(own.map((r) => [r.rule, at(r.line)])).toEqual([
      ['curl-user', '"deploy:<redacted>",'],
      ['authorization-header', '"Authorization: Bearer <redacted>",'],
      ['url-query-secret', '"https://x/?access_token=<redacted>"'],
      ['password-flag', '"-p<redacted>",'],
      ['secret-option', '"<redacted>",'],
      ['secret-assignment', '"password=<redacted>"'],
    ]);
    expect(manifest.commands[1]!.redactions).toEqual([...own.slice(0, 3), fromOutput]);
    expect(manifest.redacted).toEqual(manifest.commands.flatMap((c) => c.redactions));
  });

  it('catches what else got into the manifest, and lists it too', () => {
    const { manifest, text } = renderManifest(draft([command('plain', ['uname', '-a'])], 'MicroOS token=leaked0'));
    const json = text.toString('utf8');
    expect(json).not.toContain('leaked0');
    expect(manifest.redacted).toEqual([
      {
        file: 'manifest.json',
        rule: 'secret-assignment',
        line: json.split('\n').findIndex((l) => l.includes('"os": "MicroOS token=<redacted>"')) + 1,
      },
    ]);
    expect(JSON.parse(json)).toEqual(manifest);
    expect(manifest.host.os).toBe('MicroOS token=<redacted>');
  });

  it('leaves a manifest without secrets as JSON.stringify writes it', () => {
    const d = draft([command('plain', ['uname', '-a'])]);
    const { manifest, text } = renderManifest(d);
    expect(manifest).toEqual(d);
    expect(text.toString('utf8')).toBe(`${JSON.stringify(d, null, 2)}\n`);
  });
});
