// What a toolbox should contain beyond its image: the repositories and tools the user asked for.
// Kept in toolbox's config so that `upgrade` can rebuild the toolbox from a newer image.

export interface DeclaredRepo {
  alias: string;
  url: string;
  /** where the key came from, as the user named it (display only) */
  key?: string | undefined;
  /** the armored public key itself, so a rebuild does not depend on the file still being there */
  keyData?: string | undefined;
}

export interface DeclaredBox {
  repos: DeclaredRepo[];
  tools: string[];
}

/** Reads and changes the declared state of toolboxes; every change is one atomic write. */
export interface DeclaredStore {
  get(box: string): DeclaredBox;
  update(box: string, change: (current: DeclaredBox) => DeclaredBox): DeclaredBox;
}

export function withTools(box: DeclaredBox, names: readonly string[]): DeclaredBox {
  const tools = [...box.tools];
  for (const n of names) if (!tools.includes(n)) tools.push(n);
  return { ...box, tools };
}

export function withoutTools(box: DeclaredBox, names: readonly string[]): DeclaredBox {
  return { ...box, tools: box.tools.filter((t) => !names.includes(t)) };
}

export function withRepo(box: DeclaredBox, repo: DeclaredRepo): DeclaredBox {
  return { ...box, repos: [...box.repos.filter((r) => r.alias !== repo.alias), repo] };
}

export function withoutRepo(box: DeclaredBox, alias: string): DeclaredBox {
  return { ...box, repos: box.repos.filter((r) => r.alias !== alias) };
}

/** Tolerates a hand-edited config: anything malformed reads as nothing declared. */
export function parseDeclared(raw: unknown): DeclaredBox {
  if (!raw || typeof raw !== 'object') return { repos: [], tools: [] };
  const o = raw as Record<string, unknown>;
  const tools = Array.isArray(o.tools) ? o.tools.filter((t): t is string => typeof t === 'string') : [];
  const repos = Array.isArray(o.repos)
    ? o.repos
        .filter(
          (r): r is Record<string, unknown> =>
            !!r &&
            typeof r === 'object' &&
            typeof (r as DeclaredRepo).alias === 'string' &&
            typeof (r as DeclaredRepo).url === 'string',
        )
        .map((r) => ({
          alias: r.alias as string,
          url: r.url as string,
          ...(typeof r.key === 'string' ? { key: r.key } : {}),
          ...(typeof r.keyData === 'string' ? { keyData: r.keyData } : {}),
        }))
    : [];
  return { repos, tools };
}
