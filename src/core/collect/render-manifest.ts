// manifest.json goes through the redactor like every other file of the bundle. Each command's
// argv is first redacted as the command line it is (a flag and its value are two arguments),
// and listed by the line of manifest.json it lands on; then the rendered text as a whole goes
// through the redactor too, as a last net for anything else that got into the manifest.
import type { CommandRecord, Manifest, RedactionRecord } from './manifest.js';
import { redact, redactArgv } from './redact.js';

const FILE = 'manifest.json';

export function renderManifest(draft: Manifest): { manifest: Manifest; text: Buffer } {
  // Each redacted argument is first rendered as a marker, to learn the line it lands on.
  const marker = (i: number, k: number) => `\u0001${i}:${k}\u0001`;
  const redacted = draft.commands.map((record) => ({ record, ...redactArgv(record.command) }));
  const withMarkers = withArgv(
    draft,
    redacted.map((r, i) => ({
      record: r.record,
      argv: r.argv.map((arg, k) => (r.redactions.some((x) => x.arg === k) ? marker(i, k) : arg)),
      found: r.redactions.map((x) => ({ file: FILE, rule: x.rule, line: 0 })),
    })),
  );
  const lines = render(withMarkers).split('\n');
  const lineOf = (i: number, k: number) =>
    lines.findIndex((l) => l.includes(JSON.stringify(marker(i, k)).slice(1, -1))) + 1;
  let manifest = withArgv(
    draft,
    redacted.map((r, i) => ({
      record: r.record,
      argv: r.argv,
      found: r.redactions.map((x) => ({ file: FILE, rule: x.rule, line: lineOf(i, x.arg) })),
    })),
  );

  // The last net: whatever it finds is listed too. `redacted` comes after everything that could
  // hold a secret (toolbox, host, commands), so adding to it moves none of those lines.
  const net = redact(render(manifest)).redactions;
  if (net.length)
    manifest = { ...manifest, redacted: [...manifest.redacted, ...net.map((r) => ({ file: FILE, ...r }))] };
  const text = redact(render(manifest)).text;
  // What the caller reports (the --json summary) is what the bundle holds, redacted.
  return { manifest: JSON.parse(text) as Manifest, text: Buffer.from(text, 'utf8') };
}

function render(manifest: Manifest): string {
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

/** The draft with each command's argv replaced and its argv redactions listed first. */
function withArgv(
  draft: Manifest,
  changed: { record: CommandRecord; argv: string[]; found: RedactionRecord[] }[],
): Manifest {
  const commands: CommandRecord[] = changed.map(({ record, argv, found }) => ({
    ...record,
    command: argv,
    redactions: [...found, ...record.redactions],
  }));
  return { ...draft, commands, redacted: commands.flatMap((c) => c.redactions) };
}
