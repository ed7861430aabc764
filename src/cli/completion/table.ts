// Flattens the command tree into the tables every shell's completion script walks: which words
// are subcommands, which options take a value, and what each value or positional argument is.
import { allCommands, type CommandNode } from '../command-tree.js';

/** What to offer for a value: fixed words, the names of existing toolboxes, a command, or nothing. */
export type ValueKind =
  { kind: 'choices'; words: string[] } | { kind: 'names' } | { kind: 'command' } | { kind: 'none' };

export interface CompletionEntry {
  /** The command's words, program name first, space-joined: "toolbox", "toolbox config get". */
  key: string;
  subcommands: { name: string; description: string }[];
  options: { flag: string; description: string }[];
  /** Options that consume the next word, mapped to what that word is. */
  values: Map<string, ValueKind>;
  /** Positional arguments in order; the last repeats when `repeatLast`. */
  positionals: ValueKind[];
  repeatLast: boolean;
}

export function completionTable(root: CommandNode): CompletionEntry[] {
  return allCommands(root).map((cmd) => {
    const options: CompletionEntry['options'] = [];
    const values = new Map<string, ValueKind>();
    for (const o of cmd.options) {
      for (const flag of [o.short, o.long]) {
        if (!flag) continue;
        options.push({ flag, description: o.description });
        if (o.valueName !== undefined) values.set(flag, valueKind(o.valueName, o.choices));
      }
    }
    const last = cmd.arguments.at(-1);
    return {
      key: cmd.path.join(' '),
      subcommands: cmd.commands.map((c) => ({ name: c.name, description: c.description })),
      options,
      values,
      positionals: cmd.arguments.map((a) => valueKind(a.name, a.choices)),
      repeatLast: last?.variadic === true,
    };
  });
}

// By convention in program.ts: a toolbox is always called NAME (or <name>), a command CMD.
function valueKind(placeholder: string, choices: string[] | undefined): ValueKind {
  if (choices && choices.length > 0) return { kind: 'choices', words: choices };
  if (/^name$/i.test(placeholder)) return { kind: 'names' };
  if (placeholder === 'CMD') return { kind: 'command' };
  return { kind: 'none' };
}

/** A ValueKind as one shell word: "names", "command", "none" or "choices:a,b,c". */
export function kindWord(v: ValueKind): string {
  return v.kind === 'choices' ? `choices:${v.words.join(',')}` : v.kind;
}

/** Single-quoted for bash and zsh. */
export function shQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}
