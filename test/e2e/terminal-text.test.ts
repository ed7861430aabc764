// Issue 21 F4: text from outside toolbox (an image's labels, an engine's words) reaches the
// terminal with its control characters shown as escapes, never as the sequences themselves.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CLI_SHELL,
  containersNamed,
  isolatedEnv,
  parseJson,
  podman,
  removeContainers,
  RUN_LABEL_ARGS,
  runPrefix,
  TEST_IMAGE,
  toolbox,
  type Result,
} from './helpers.js';

const P = runPrefix('tt-e2e-');
const IMG = `localhost/${P}img:latest`;
const env = isolatedEnv();
/** The red team's label: clear the screen, retitle the window, ring the bell. */
const HOSTILE = '\x1b[2J\x1b]0;PWN\x07';
const SHOWN = '\\x1b[2J\\x1b]0;PWN\\x07';
/** Anything a terminal could act on: C0 but newline and tab, DEL, C1, bidi controls, separators. */
const hasRawControl = (text: string): boolean =>
  Array.from(text).some((c) => {
    const n = c.charCodeAt(0);
    return (
      (n < 0x20 && n !== 0x0a && n !== 0x09) || (n >= 0x7f && n <= 0x9f) || /[\p{Bidi_Control}\u2028\u2029]/u.test(c)
    );
  });

function expectNoRawControls(r: Result): void {
  expect(r.stdout).not.toSatisfy(hasRawControl);
  expect(r.stderr).not.toSatisfy(hasRawControl);
}

beforeAll(() => {
  removeContainers(P);
  const dir = mkdtempSync(join(tmpdir(), `${P}build-`));
  try {
    writeFileSync(join(dir, 'Containerfile'), `FROM ${TEST_IMAGE}\nLABEL io.toolbox.image-id="${HOSTILE}"\n`);
    const r = spawnSync('podman', ['build', '-q', '-t', IMG, dir], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`podman build failed: ${r.stderr}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

afterAll(() => {
  removeContainers(P);
  podman(['rmi', IMG]);
});

describe('issue 21 F4: no raw control characters from labels or the engine', () => {
  it('upgrade --check on a toolbox whose image carries a hostile io.toolbox.image-id label', () => {
    const name = `${P}label`;
    expect(toolbox(['create', '-i', IMG, name], { env }).code).toBe(0);
    const asJson = toolbox(['upgrade', '--check', '--json', name], { env });
    expectNoRawControls(asJson);
    // What the toolbox is compared by, as JSON says it (a parser reads the escapes back).
    const doc = parseJson(asJson.stdout, 'upgrade --check --json') as {
      current: string;
      available: string;
      upToDate: boolean;
    };
    const r = toolbox(['upgrade', '--check', name], { env });
    expectNoRawControls(r);
    expect(r.stderr).toBe('');
    if (doc.upToDate) {
      expect([r.code, r.stdout]).toEqual([0, `toolbox ${name} is up to date with ${IMG}\n`]);
    } else {
      // The label believed (issue 21 F1 and F4 are fixed apart): then it is shown, escaped.
      expect(doc.current).toBe(HOSTILE);
      expect([r.code, r.stdout]).toEqual([
        100,
        `an upgrade is available for toolbox ${name}: ${IMG} is ${doc.available.replace(/^sha256:/, '').slice(0, 12)}, the toolbox has ${SHOWN}\n`,
      ]);
    }
  });

  it("an error line naming an image from a container's spec label shows its escape sequence escaped", () => {
    // A container that claims to be a toolbox, with an image name no podman would accept.
    const name = `${P}spec`;
    const spec = JSON.stringify({ name, image: `localhost/${P}x\x1b[2J:latest` });
    expect(
      podman([
        'create',
        ...RUN_LABEL_ARGS,
        '--label',
        'io.toolbox.managed=true',
        '--label',
        'io.toolbox.mode=system',
        '--label',
        `io.toolbox.spec=${spec}`,
        '--name',
        name,
        TEST_IMAGE,
        'true',
      ]).code,
    ).toBe(0);
    const image = `localhost/${P}x\\x1b[2J:latest`;
    const r = toolbox(['upgrade', '--check', name], { env });
    expect([r.code, r.stdout, r.stderr]).toEqual([
      1,
      '',
      `Error: image not found: ${image} (localhost/ images are never pulled). Hint: build or load it first, e.g. 'podman build -t ${image} .'\n`,
    ]);
    const j = toolbox(['upgrade', '--check', '--json', name], { env });
    expectNoRawControls(j);
    expect(j.code).toBe(1);
    expect(parseJson(j.stdout, 'the failure')).toEqual({
      ok: false,
      result: 'failed',
      error: `image not found: localhost/${P}x\x1b[2J:latest (localhost/ images are never pulled)`,
      hint: `build or load it first, e.g. 'podman build -t localhost/${P}x\x1b[2J:latest .'`,
    });
  });

  it("the engine's error echoing a crafted value (podman create --memory) is one line, escaped", () => {
    const name = `${P}mem`;
    const r = toolbox(['create', '-i', TEST_IMAGE, '--podman-args', '--memory=1\x1b[2Jg', name], { env });
    expect([r.code, r.stdout, r.stderr]).toEqual([
      125,
      '',
      `Error: podman create ${name} failed: invalid value for memory: invalid size: '1\\x1b[2Jg'. Hint: run with -v to see the podman commands\n`,
    ]);
    expect(containersNamed(name)).toEqual([]);
  });

  it('list, list --all and list --json show these toolboxes with nothing raw', () => {
    for (const args of [['list'], ['list', '--all'], ['list', '--json']]) {
      const r = toolbox(args, { env });
      expect(r.code).toBe(0);
      expectNoRawControls(r);
      expect(r.stdout).toContain(`${P}label`);
    }
  });
});

describe('colour: on a terminal only, never with NO_COLOR', () => {
  // `script` gives toolbox a terminal on all three streams; its output is the terminal's.
  const onTerminal = (extra: NodeJS.ProcessEnv) =>
    spawnSync('script', ['-qec', `${CLI_SHELL} rm ${P}missing`, '/dev/null'], {
      encoding: 'utf8',
      env: { ...env, TERM: 'xterm', ...extra },
    });
  const missing = `no such toolbox: ${P}missing.`;
  const hint = "'toolbox list' shows the toolboxes there are";

  it('an error line is red on a terminal', () => {
    const r = onTerminal({ NO_COLOR: '' });
    expect([r.stdout, r.status]).toEqual([`\x1b[31mError:\x1b[39m ${missing} \x1b[1mHint:\x1b[22m ${hint}\r\n`, 1]);
  });

  it('and plain with NO_COLOR, or through a pipe', () => {
    const r = onTerminal({ NO_COLOR: '1' });
    expect([r.stdout, r.status]).toEqual([`Error: ${missing} Hint: ${hint}\r\n`, 1]);
    const piped = toolbox(['rm', `${P}missing`], { env: { ...env, NO_COLOR: '' } });
    expect([piped.stderr, piped.code]).toEqual([`Error: ${missing} Hint: ${hint}\n`, 1]);
  });
});
