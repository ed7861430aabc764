// Toolbox names and image references: defaults and validation.
import { UsageError } from '../errors.js';
import type { Mode } from '../ports.js';
import { checkWord } from '../word-rule.js';

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

export function validateName(name: string, what = 'toolbox name'): string {
  const shown = JSON.stringify(name.length > 70 ? `${name.slice(0, 67)}...` : name);
  if (name.length === 0) throw new UsageError(`invalid ${what}: it is empty`);
  if (name.length > 63) throw new UsageError(`invalid ${what} ${shown}: longer than 63 characters (${name.length})`);
  if (!NAME.test(name)) {
    throw new UsageError(
      `invalid ${what} ${shown}: use letters, digits, '_', '.' and '-', starting with a letter or digit`,
    );
  }
  return name;
}

export function validateTag(tag: string): string {
  if (!/^[A-Za-z0-9_.-]+$/.test(tag)) {
    throw new UsageError(`invalid tag ${JSON.stringify(tag)}: use letters, digits, '_', '.' and '-'`);
  }
  return tag;
}

export function defaultName(base: string, mode: Mode, tag: string | undefined): string {
  let name = mode === 'user' ? `${base}-user` : base;
  if (tag) name += `-${tag}`;
  return name;
}

const COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
// A registry host has a dot or a port, or is localhost; otherwise the first part is a path.
const HOST = '(?:[A-Za-z0-9-]+(?:\\.[A-Za-z0-9-]+)+(?::[0-9]+)?|[A-Za-z0-9-]+:[0-9]+|localhost(?::[0-9]+)?)';
const REFERENCE = new RegExp(
  `^(?:${HOST}/)?${COMPONENT}(?:/${COMPONENT})*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$`,
);

const REGISTRY = new RegExp(`^(?:${HOST}|${COMPONENT})(?:/${COMPONENT})*$`);

/** A registry, maybe with a namespace: what -R, TOOLBOX_REGISTRY and REGISTRY name. */
export function validateRegistry(registry: string): string {
  return checkWord(registry, {
    what: 'registry',
    pattern: REGISTRY,
    max: 255,
    hint: 'a registry looks like registry.opensuse.org or localhost:5000',
  });
}

export function validateImage(image: string): string {
  return checkWord(image, {
    what: 'image reference',
    pattern: REFERENCE,
    max: 255,
    hint: 'an image looks like registry.opensuse.org/opensuse/toolbox:latest',
  });
}

/** REGISTRY + IMAGE as microos-toolbox composes them; an IMAGE that names its own registry wins. */
export function composeImage(registry: string, image: string): string {
  const first = image.split('/')[0] ?? '';
  if (image.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost')) return image;
  return registry ? `${registry.replace(/\/+$/, '')}/${image}` : image;
}

/** localhost/ images exist only here and are never pulled. */
export function isLocalImage(image: string): boolean {
  return image.startsWith('localhost/');
}
