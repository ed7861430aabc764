// What went wrong between the engine (or skopeo) and a registry, read from its stderr, as one
// line that names the cause and the fix. podman and skopeo share containers/image, so their
// wording is the same; with a registries.conf mirror the text holds every attempt
// ("(Mirrors also failed: [...]): primary: ..."), and the most telling cause wins: a mirror that
// refused a login says more than a primary that cannot be reached, which is why the mirror exists.
import { RegistryError, type RegistryFailure } from '../core/errors.js';

export interface RegistryCause {
  kind: RegistryFailure;
  /** the registry (host[:port]) the cause is about: a mirror when the mirror failed */
  host: string;
  /** the engine's own words for it, short */
  detail: string;
}

// Where the engine names the registry it was talking to, then (lazily) the cause it met there.
const at = String.raw`(?:pinging container registry |reading manifest \S+ in |Get "https?://)([^\s:/"\]]+(?::\d+)?)[^\n\]]*?`;
const rest = String.raw`[^\]\n"]*`;
const rules: readonly { kind: RegistryFailure; re: RegExp }[] = [
  // The policy refused what the registry served: signatures are checked after the fetch.
  { kind: 'signature', re: /()Source image rejected: ([^\n]*)/ },
  { kind: 'certificate', re: new RegExp(`${at}((?:x509|tls): ${rest})`) },
  { kind: 'unauthorized', re: new RegExp(`${at}((?:unauthorized|denied|authentication required)${rest})`, 'i') },
  { kind: 'unknown', re: new RegExp(`${at}((?:manifest|name) unknown${rest})`) },
  {
    kind: 'unreachable',
    re: new RegExp(
      `${at}((?:dial tcp|lookup|i/o timeout|connection refused|no such host|network is unreachable)${rest})`,
    ),
  },
];

/** The registry part of an image reference ("docker.io" when it has none). */
export function registryOf(image: string): string {
  const first = image.replace(/^docker:\/\//, '').split('/')[0] ?? '';
  return image.includes('/') && /[.:]|^localhost$/.test(first) ? first : 'docker.io';
}

export function registryCause(stderr: string, image: string): RegistryCause | undefined {
  const text = stderr.replace(/\\"/g, '"');
  for (const rule of rules) {
    const m = rule.re.exec(text);
    if (!m) continue;
    return { kind: rule.kind, host: m[1] || registryOf(image), detail: shorten(rule.kind, m[2] ?? '') };
  }
  return undefined;
}

function shorten(kind: RegistryFailure, detail: string): string {
  const d = detail.trim();
  if (kind === 'signature') {
    const key = /Fingerprint:"([0-9A-F]+)"/.exec(d)?.[1];
    if (/Invalid GPG signature/.test(d))
      return key ? `signed by key ${key}, which it does not trust` : 'invalid GPG signature';
    if (/signature was required, but no signature exists/.test(d))
      return 'it is not signed, and a signature is required';
    return d;
  }
  if (kind === 'unreachable') {
    // "dial tcp 127.0.0.1:1: connect: connection refused" -> "connection refused"
    return d.split(': ').at(-1) ?? d;
  }
  if (kind === 'unknown') return 'manifest unknown: no such repository or tag';
  return d.replace(/^(unauthorized: )+/, 'unauthorized: ');
}

export interface CauseContext {
  /** what failed: 'pull' (create, upgrade) or 'check' (upgrade --check) */
  verb: 'pull' | 'check';
  image: string;
  /** the command a user logs in with: ['podman'] or ['sudo', 'podman'] */
  engine: readonly string[];
  /** who is logged in to the host in the credentials the engine uses; undefined: unknown */
  login?: string | null | undefined;
}

export function registryFailure(cause: RegistryCause, ctx: CauseContext): RegistryError {
  const { host, detail } = cause;
  const what = `cannot ${ctx.verb} ${ctx.image}`;
  const login = `${ctx.engine.join(' ')} login ${host}`;
  switch (cause.kind) {
    case 'signature':
      return new RegistryError(cause.kind, `${what}: the signature policy refused it (${detail})`, {
        hint: `the image must be signed by a key that podman's policy.json trusts for ${host} (see containers-policy.json(5) and toolbox's docs/signatures.md); toolbox never bypasses it`,
      });
    case 'certificate':
      return new RegistryError(cause.kind, `${what}: the TLS certificate of ${host} is not trusted (${detail})`, {
        hint: `put the CA certificate that signed it in /etc/containers/certs.d/${host}/ca.crt`,
      });
    case 'unauthorized':
      if (ctx.login)
        return new RegistryError(cause.kind, `${what}: ${host} refused the login of ${ctx.login} (${detail})`, {
          hint: `the password or token is wrong or expired: log in again with '${login}'`,
        });
      return new RegistryError(
        cause.kind,
        `${what}: ${host} needs a login${ctx.login === null ? ', and there is none' : ''} (${detail})`,
        { hint: `log in first with '${login}'` },
      );
    case 'unknown':
      return new RegistryError(cause.kind, `image not found: ${ctx.image} (${host}: ${detail})`, {
        hint: 'check the repository and tag given with -i IMAGE (or the image setting)',
      });
    case 'unreachable':
      return new RegistryError(cause.kind, `${what}: the registry ${host} is unreachable (${detail})`, {
        hint:
          ctx.verb === 'pull'
            ? // Only a missing image is ever pulled to the end of an error (a present one falls
              // back to the local copy), so -P cannot help here: say what can.
              `check the network; there is no local copy of the image (see '${ctx.engine.join(' ')} images'), so load one or choose another with -i`
            : 'check the network, or the mirrors in registries.conf',
      });
  }
}
