// The order `toolbox list` shows toolboxes in: String.prototype.localeCompare's, without its cost.
// The first localeCompare of a process builds ICU's collator: about 68 M instructions, more than
// the rest of `list` after podman answers. Names the engine accepts hold only letters, digits,
// '_', '.' and '-', and for those the collation of the root locale (and English's) is simple:
// '_' < '-' < '.' < digits < letters, letters compared without case first, then a lowercase
// letter before its capital at the first place where case alone differs. compareNames gives
// exactly that; for any other name, or a process whose locale may tailor the order (Danish
// sorts "aa" after "z"), it asks localeCompare itself. test/unit/name-order.test.ts checks the
// two agree.

const RANK = new Map<string, number>();
for (const c of '_-.0123456789') RANK.set(c, RANK.size);
for (const c of 'abcdefghijklmnopqrstuvwxyz') {
  const rank = RANK.size;
  RANK.set(c, rank);
  RANK.set(c.toUpperCase(), rank);
}
const NAME = /^[A-Za-z0-9_.-]*$/;
/** The variables ICU takes the default locale from; unset, C, POSIX and English collate as the root locale. */
const LOCALE_VARIABLES = ['LC_ALL', 'LC_MESSAGES', 'LC_COLLATE', 'LC_CTYPE', 'LANG'];
const ROOT_LIKE = /^(?:C|POSIX|en)(?:[_.@-]|$)/;

/** A comparator that sorts names as `a.localeCompare(b)` does in a process with this environment. */
export function nameOrder(env: NodeJS.ProcessEnv): (a: string, b: string) => number {
  const plain = LOCALE_VARIABLES.every((v) => !env[v] || ROOT_LIKE.test(env[v]));
  if (!plain) return (a, b) => a.localeCompare(b);
  return (a, b) => (NAME.test(a) && NAME.test(b) ? compareNames(a, b) : a.localeCompare(b));
}

function compareNames(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = (RANK.get(a[i] ?? '') ?? 0) - (RANK.get(b[i] ?? '') ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  if (a.length !== b.length) return a.length < b.length ? -1 : 1;
  // Equal but for case: lowercase first, and lowercase letters have the higher code.
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return (a[i] ?? '') > (b[i] ?? '') ? -1 : 1;
  return 0;
}
