// Reads the public key a user names with `repo add --key`: a file on the host, or an http(s) URL.
// It is checked to be an armored OpenPGP public key before it goes anywhere near the toolbox.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ToolboxError } from '../core/errors.js';
import type { RepoKey } from '../core/tools/manage-repos.js';

const ARMOR = '-----BEGIN PGP PUBLIC KEY BLOCK-----';

export async function readKey(source: string, cwd = process.cwd()): Promise<RepoKey> {
  let data: string;
  if (/^https?:\/\//i.test(source)) {
    let response: Response;
    try {
      response = await fetch(source, { signal: AbortSignal.timeout(30_000) });
    } catch (error) {
      throw new ToolboxError(`cannot fetch the key ${source}: ${(error as Error).message}`, {
        hint: 'check the URL and the network, or download the key and give its path',
      });
    }
    if (!response.ok)
      throw new ToolboxError(`cannot fetch the key ${source}: HTTP ${response.status}`, {
        hint: 'check the URL, or download the key and give its path',
      });
    data = await response.text();
  } else {
    try {
      data = readFileSync(resolve(cwd, source), 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      throw new ToolboxError(`cannot read the key ${source}: ${code}`, {
        hint: "give the path of the repository's public key file, or its URL",
      });
    }
  }
  if (!data.includes(ARMOR)) {
    throw new ToolboxError(`${source} is not an armored OpenPGP public key`, {
      hint: `a key file starts with ${ARMOR}; repositories publish it as repodata/repomd.xml.key`,
    });
  }
  return { source, data };
}
