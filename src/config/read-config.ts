// Reads config.json without writing it (the hot path never writes config). A corrupt file is an
// error that names it; the file is left as it is.
// It is read only when nobody but the caller and root could have written it (trusted-file.ts):
// it holds commands that `collect` runs as root.
import { ToolboxError } from '../core/errors.js';
import { readTrustedFile } from './trusted-file.js';

export type ConfigData = Record<string, unknown>;

export function readConfigFile(file: string): ConfigData {
  let text: string;
  try {
    const read = readTrustedFile(file);
    if (read === undefined) return {};
    text = read;
  } catch (error) {
    if (error instanceof ToolboxError) throw error;
    throw new ToolboxError(`cannot read ${file}: ${(error as Error).message.replace(/^[A-Z]+: /, '')}`, {
      hint: 'fix its permissions, or point XDG_CONFIG_HOME elsewhere',
    });
  }
  if (text.trim() === '') return {};
  try {
    const data = JSON.parse(text) as unknown;
    if (data === null || typeof data !== 'object' || Array.isArray(data)) throw new Error('not a JSON object');
    return data as ConfigData;
  } catch (error) {
    throw new ToolboxError(`${file} is corrupt: ${(error as Error).message}`, {
      hint: `fix the file, or move it away to start over (it was left untouched)`,
    });
  }
}
