// Package names as the user types them. Only plain names: they are passed to zypper and rpm
// as arguments (never through a shell), and refusing a leading '-' keeps them from being options.
import { UsageError } from '../errors.js';
import { checkWord } from '../word-rule.js';

const NAME = /^[A-Za-z0-9_+][A-Za-z0-9_.+~-]*$/;

export function validatePackages(names: readonly string[]): string[] {
  if (names.length === 0) throw new UsageError('name at least one package');
  for (const n of names) {
    checkWord(n, {
      what: 'package name',
      pattern: NAME,
      max: 200,
      hint: "a package name uses letters, digits and '_', '.', '+', '~', '-', e.g. strace",
    });
  }
  return [...new Set(names)];
}

const ALIAS = /^[A-Za-z0-9_][A-Za-z0-9_.:-]*$/;

export function validateAlias(alias: string): string {
  return checkWord(alias, {
    what: 'repository alias',
    pattern: ALIAS,
    max: 100,
    hint: "an alias uses letters, digits and '_', '.', ':', '-', e.g. tools",
  });
}

export function validateRepoUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(
      `invalid repository URL ${JSON.stringify(url.slice(0, 120))}`,
      'give a full URL, e.g. https://download.opensuse.org/repositories/NAME/openSUSE_Tumbleweed/',
    );
  }
  if (!['http:', 'https:', 'ftp:', 'file:', 'dir:'].includes(parsed.protocol)) {
    throw new UsageError(
      `unsupported repository URL scheme ${parsed.protocol} in ${url}`,
      'use an http, https, ftp or file URL',
    );
  }
  return url;
}
