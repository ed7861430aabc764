// Custom collectors declared in config.json under "collectors": [{ "name", "command", "timeout"? }].
// Commands are argv arrays, run as they are: never a shell string of ours to splice into.
import { ToolboxError } from '../errors.js';
import type { Collector } from './profiles.js';

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export function customCollectors(config: Record<string, unknown>, configPath: string): Collector[] {
  const raw = config.collectors;
  if (raw === undefined) return [];
  const bad = (what: string) =>
    new ToolboxError(`invalid "collectors" in ${configPath}: ${what}`, {
      hint: 'give a list of {"name": "...", "command": ["prog", "arg", ...], "timeout": SECONDS}',
    });
  if (!Array.isArray(raw)) throw bad('not a list');
  const seen = new Set<string>();
  return raw.map((item: unknown, i): Collector => {
    if (item === null || typeof item !== 'object' || Array.isArray(item)) throw bad(`entry ${i + 1} is not an object`);
    const { name, command, timeout, ...rest } = item as Record<string, unknown>;
    const unknown = Object.keys(rest);
    if (unknown.length) throw bad(`entry ${i + 1} has unknown key ${JSON.stringify(unknown[0])}`);
    if (typeof name !== 'string' || !NAME.test(name))
      throw bad(`entry ${i + 1} needs a "name" of letters, digits, ".", "_" or "-"`);
    if (seen.has(name)) throw bad(`the name ${name} is used twice`);
    seen.add(name);
    if (
      !Array.isArray(command) ||
      command.length === 0 ||
      !command.every((a) => typeof a === 'string') ||
      command[0] === ''
    ) {
      throw bad(`${name}: "command" must be a non-empty list of strings (an argv, not a shell line)`);
    }
    if (timeout !== undefined && (typeof timeout !== 'number' || !Number.isFinite(timeout) || timeout <= 0)) {
      throw bad(`${name}: "timeout" must be a positive number of seconds`);
    }
    return { profile: 'custom', name, command, timeoutSeconds: timeout };
  });
}
