// A word the user types that must match a pattern and a length: an image, a registry, a package
// name, a repository alias. Each is refused the same way: its kind, the word as typed (cut to 80
// characters, quoted so that odd characters show) and an example of a good one.
import { UsageError } from './errors.js';

export interface WordRule {
  /** "registry", "package name": the message says "invalid <what>" */
  what: string;
  pattern: RegExp;
  max: number;
  hint: string;
}

export function checkWord(word: string, rule: WordRule): string {
  if (!rule.pattern.test(word) || word.length > rule.max) {
    throw new UsageError(`invalid ${rule.what} ${JSON.stringify(word.slice(0, 80))}`, rule.hint);
  }
  return word;
}
