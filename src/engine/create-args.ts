// The engine command line that creates a toolbox, as microos-toolbox does, plus labels.
import { UsageError } from '../core/errors.js';
import { HOST_UPDATE_IN_BOX, hostUpdateSource } from '../core/box/host-update-in-box.js';
import type { BoxSpec } from '../core/ports.js';
import type { EngineQuirks } from './engines/quirks.js';
import { ENGINE_REGISTRY } from './engines/registry.js';

/** The keep-alive command: runs forever, dies quietly on `stop`. */
export const KEEP_ALIVE = ['sleep', 'infinity'];

export function createArgs(
  engine: EngineQuirks,
  spec: BoxSpec,
  labels: Record<string, string>,
  rootful: boolean,
  exists: (path: string) => boolean,
  containerName: string = spec.name,
): string[] {
  // toolbox pulls (or not) itself; the engine must never pull behind its back. The hostname is
  // always the toolbox's name, even while an upgrade builds it under another.
  const args = ['create', '--pull', 'never', '--name', containerName, '--hostname', spec.name, '--network', 'host'];
  if (spec.runtime) args.push('--runtime', spec.runtime);
  if (spec.sandbox) {
    // Less privileged than usual: no --privileged, no host pid/ipc, host root read-only.
    args.push('--volume', '/:/media/root:ro,rslave');
  } else {
    args.push(
      '--privileged',
      '--security-opt',
      'label=disable',
      '--pid',
      'host',
      '--ipc',
      'host',
      '--volume',
      '/:/media/root:rslave',
      '--volume',
      '/sys:/sys:rslave',
      ...engine.privilegedCreateArgs,
    );
  }
  // The hostname must resolve (sudo insists), and a host network brings no /etc/hosts entry for it.
  args.push('--add-host', `${spec.name}:127.0.1.1`);
  args.push('--volume', '/etc/machine-id:/etc/machine-id:ro', '--volume', '/etc/localtime:/etc/localtime:ro');
  // This executable as host-update, in every mode: its label says what to mount (core decides).
  const hostUpdate = hostUpdateSource(labels);
  if (hostUpdate) args.push('--volume', `${hostUpdate}:${HOST_UPDATE_IN_BOX}:ro`);
  if (spec.mode === 'user' && spec.user) {
    const u = spec.user;
    args.push('--user', 'root:root', '--volume', '/tmp:/tmp:rslave', '--volume', `${u.home}:${u.home}`);
    const runtimeDir = `/run/user/${u.uid}`;
    if (exists(runtimeDir)) args.push('--volume', `${runtimeDir}:${runtimeDir}:rslave`);
    args.push(...engine.userCreateArgs(rootful));
  }
  for (const [key, value] of Object.entries(labels)) args.push('--label', `${key}=${value}`);
  args.push(...spec.engineArgs);
  args.push(spec.image, ...KEEP_ALIVE);
  return args;
}

/** How --podman-args is read; said in its help, the README and every refusal. */
export const EXTRA_ARGS_RULE = '--podman-args is split on whitespace, with no quoting and never through a shell';

// What toolbox sets itself on create, and why extra arguments must not change it: these make a
// container a toolbox (its name, its io.toolbox.* labels, its keep-alive process) and keep its
// promises (never pull behind toolbox's back, never remove another container).
const OWNED: Record<string, string> = {
  '--name': "the toolbox's name is set with -c NAME",
  '--hostname': "the hostname is always the toolbox's name",
  '-h': "the hostname is always the toolbox's name",
  '--label-file': 'a label file could set the io.toolbox.* labels; use --label KEY=VALUE',
  '--pull': 'toolbox pulls the image itself (-P: do not)',
  // How an image is fetched and verified is podman's configuration, never a create argument:
  // toolbox pulls itself, under the machine's policy.json, registries and certificates.
  '--tls-verify': 'toolbox pulls the image itself, verified as podman is configured',
  '--cert-dir': 'toolbox pulls the image itself, verified as podman is configured',
  '--creds': 'toolbox pulls the image itself, with podman login credentials',
  '--authfile': 'toolbox pulls the image itself, with podman login credentials',
  '--disable-content-trust': 'toolbox pulls the image itself, verified as podman is configured',
  '--signature-policy': 'toolbox pulls the image itself, verified as podman is configured',
  '--replace': 'it would remove another container of the same name',
  '--rm': 'a toolbox is kept between uses',
  '--entrypoint': "the toolbox's keep-alive process must run",
  '--': 'it would end the options, and what follows would become the image',
};
const OWNED_LABEL = 'io.toolbox.';

// Every engine's create options, since --podman-args is read before the engine is known; no
// option takes a value with one engine and none with the other.
const SWITCHES = new Set(ENGINE_REGISTRY.flatMap((q) => q.createOptions.switches));
const VALUED = new Set(ENGINE_REGISTRY.flatMap((q) => q.createOptions.values));

/** What the word after an option is: its value, or something the engine would misread. */
type After = { kind: 'value' } | { kind: 'nothing' } | { kind: 'switch' | 'unknown'; option: string };

/**
 * One --podman-args value as the words it becomes, or a usage error: for an argument toolbox
 * owns, and for a word that is neither an option nor an option's value (a value with a space,
 * which the whitespace split has cut in two). A word is a value only after an option that takes
 * one: after one that takes none (--tty), the engine would take the word for the image and run
 * another image than the toolbox's; after one toolbox does not know (a newer engine's), whether
 * it is a value is unknown, so only its --option=value form is accepted.
 */
export function checkExtraCreateArgs(value: string): string[] {
  const words = value.split(/\s+/).filter(Boolean);
  const refuse = (why: string): never => {
    throw new UsageError(
      `--podman-args ${JSON.stringify(value)}: ${why}`,
      `${EXTRA_ARGS_RULE}; each argument is its own word, e.g. --podman-args '--env A=1 --volume /srv:/srv'`,
    );
  };
  const owned = (option: string) => OWNED[option] && refuse(`${option} is toolbox's own: ${OWNED[option]}`);
  const label = (text: string | undefined) =>
    text?.startsWith(OWNED_LABEL) &&
    refuse(`the ${OWNED_LABEL}* labels are toolbox's own: they mark and describe the toolbox`);
  const takes = (option: string): After =>
    VALUED.has(option) ? { kind: 'value' } : { kind: SWITCHES.has(option) ? 'switch' : 'unknown', option };
  let after: After = { kind: 'nothing' };
  for (const [i, word] of words.entries()) {
    if (word.startsWith('--')) {
      const eq = word.indexOf('=');
      const option = eq < 0 ? word : word.slice(0, eq);
      owned(option);
      if (option === '--label') label(eq < 0 ? words[i + 1] : word.slice(eq + 1));
      after = eq < 0 ? takes(option) : { kind: 'nothing' };
    } else if (word.startsWith('-') && word.length > 1) {
      // A group such as -it: switches, then at most one letter that takes the rest of the word,
      // or the next word, as its value.
      after = { kind: 'switch', option: word };
      for (let j = 1; j < word.length; j++) {
        const letter = `-${word.charAt(j)}`;
        if (SWITCHES.has(letter)) continue;
        owned(letter);
        const inline = word.slice(j + 1).replace(/^=/, '');
        if (letter === '-l') label(inline || words[i + 1]);
        after = inline === '' ? takes(letter) : { kind: 'nothing' };
        break;
      }
    } else {
      if (after.kind === 'switch')
        refuse(
          `${JSON.stringify(word)} follows ${after.option}, which takes no value: the engine would take it for the image`,
        );
      if (after.kind === 'unknown') {
        const joined = after.option.startsWith('--') ? `${after.option}=${word}` : `${after.option}${word}`;
        refuse(
          `${JSON.stringify(word)} follows ${after.option}, which toolbox does not know: write ${joined} if it is its value`,
        );
      }
      if (after.kind === 'nothing') refuse(`${JSON.stringify(word)} is neither an option nor an option's value`);
      after = { kind: 'nothing' };
    }
  }
  return words;
}
