// Can this process reach the host at all? A rootless toolbox runs in a user namespace and an
// unprivileged one lacks CAP_SYS_ADMIN: both make nsenter fail with an opaque EPERM, so say why first.
import { ToolboxError } from '../core/errors.js';

const CAP_SYS_ADMIN = 21n;
const CAP_SYS_CHROOT = 18n;
const ROOTFUL_HINT = "use a rootful toolbox: 'toolbox -r' (or run toolbox as root), without --sandbox";

export interface ProcessFacts {
  uid: number;
  /** /proc/self/uid_map */
  uidMap: string;
  /** /proc/self/status */
  status: string;
}

/** The initial user namespace maps the whole uid range onto itself. */
export function isRootless(uidMap: string): boolean {
  const first = uidMap.trim().split('\n')[0]?.trim().split(/\s+/) ?? [];
  return !(first[0] === '0' && first[1] === '0' && first[2] === '4294967295');
}

export function effectiveCaps(status: string): bigint {
  const hex = /^CapEff:\s*([0-9a-f]+)/im.exec(status)?.[1];
  return hex ? BigInt(`0x${hex}`) : 0n;
}

/** Throws the refusal that explains why this process cannot drive the host. */
export function checkPrivileges(facts: ProcessFacts, via: 'nsenter' | 'chroot'): void {
  if (facts.uid !== 0) {
    throw new ToolboxError('host-update must run as root inside the toolbox', { hint: ROOTFUL_HINT });
  }
  if (isRootless(facts.uidMap)) {
    throw new ToolboxError('this toolbox is rootless (it runs in a user namespace), so it cannot change the host', {
      hint: ROOTFUL_HINT,
    });
  }
  const caps = effectiveCaps(facts.status);
  const needed = via === 'nsenter' ? CAP_SYS_ADMIN : CAP_SYS_CHROOT;
  if ((caps & (1n << needed)) === 0n) {
    const cap = via === 'nsenter' ? 'CAP_SYS_ADMIN' : 'CAP_SYS_CHROOT';
    throw new ToolboxError(`this toolbox is unprivileged (it lacks ${cap}), so it cannot enter the host`, {
      hint: ROOTFUL_HINT,
    });
  }
}
