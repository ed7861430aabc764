// Package names as the user types them. Only plain names: they are passed to zypper and rpm
// as arguments (never through a shell), and refusing a leading '-' keeps them from being options.
import { UsageError } from './errors.js';

const NAME = /^[A-Za-z0-9_+][A-Za-z0-9_.+~-]*$/;

export function validatePackages(names: readonly string[]): string[] {
  if (names.length === 0) throw new UsageError('name at least one package');
  for (const n of names) {
    if (!NAME.test(n) || n.length > 200) {
      throw new UsageError(
        `invalid package name ${JSON.stringify(n.slice(0, 80))}`,
        "a package name uses letters, digits and '_', '.', '+', '~', '-', e.g. strace",
      );
    }
  }
  return [...new Set(names)];
}

const ALIAS = /^[A-Za-z0-9_][A-Za-z0-9_.:-]*$/;

export function validateAlias(alias: string): string {
  if (!ALIAS.test(alias) || alias.length > 100) {
    throw new UsageError(
      `invalid repository alias ${JSON.stringify(alias.slice(0, 80))}`,
      "an alias uses letters, digits and '_', '.', ':', '-', e.g. tools",
    );
  }
  return alias;
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
