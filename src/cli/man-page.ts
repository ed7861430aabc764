// Renders a man page (roff, man(7) macros) from the command tree that also drives --help and the
// completions, so the page cannot tell a different story from the program.
import type { ArgumentNode, CommandNode, OptionNode } from './command-tree.js';

export interface ManPageMeta {
  version: string;
  /** One line for NAME; the program's description when absent. */
  summary?: string;
  seeAlso: string[];
}

/** Escapes text for roff: backslashes, minus signs, and control characters at a line's start. */
export function roff(text: string): string {
  return text
    .replace(/\\/g, '\\e')
    .replace(/-/g, '\\-')
    .split('\n')
    .map((line) => (/^[.']/.test(line) ? `\\&${line}` : line))
    .join('\n');
}

const flagsRoff = (o: OptionNode): string => {
  const [names = '', value] = o.flags.split(/ (?=[<[])/);
  return `.B ${roff(names)}${value ? ` \\fI${roff(value)}\\fR` : ''}`;
};
const optionItem = (o: OptionNode): string =>
  `.TP\n${flagsRoff(o)}\n${roff(o.description)}${o.choices ? ` (one of: ${roff(o.choices.join(', '))})` : ''}`;
const argumentItem = (a: ArgumentNode): string =>
  `.TP\n.I ${roff(a.name)}${a.variadic ? '...' : ''}\n${roff(a.description)}${a.choices ? ` (one of: ${roff(a.choices.join(', '))})` : ''}`;

// An after-help text is blocks separated by blank lines; a block whose first line is a heading
// ("Examples:") becomes its own section, printed as typed; anything else is a paragraph of NOTES.
function afterHelpSections(text: string): { title: string; body: string }[] {
  const sections: { title: string; body: string }[] = [];
  for (const block of text
    .split(/\n\s*\n/)
    .map((b) => b.replace(/^\n+|\s+$/g, ''))
    .filter(Boolean)) {
    const [first = '', ...rest] = block.split('\n');
    const title = /^(\S[^:]*):$/.exec(first)?.[1];
    if (title !== undefined && rest.length > 0) {
      // (a line that is not blank has a character other than a space: its leading spaces end there)
      const indent = Math.min(...rest.filter((l) => l.trim()).map((l) => l.search(/[^ ]/)));
      sections.push({
        title: title.toUpperCase(),
        body: `.nf\n${roff(rest.map((l) => l.slice(indent)).join('\n'))}\n.fi`,
      });
    } else {
      sections.push({ title: 'NOTES', body: `.PP\n${roff(block.replace(/\s*\n\s*/g, ' '))}` });
    }
  }
  return sections;
}

const isHelp = (o: OptionNode): boolean => o.long === '--help' || o.long === '--version';

// Most commands repeat the program's options (addGlobalOptions); those are listed once, in OPTIONS.
function commandSection(cmd: CommandNode, globals: OptionNode[]): string {
  const has = new Set(cmd.options.map((o) => o.flags));
  const takesGlobals = globals.length > 0 && globals.every((g) => has.has(g.flags));
  const own = cmd.options.filter((o) => !isHelp(o) && !(takesGlobals && globals.some((g) => g.flags === o.flags)));
  const parts = [`.SS "${roff(`${cmd.path.join(' ')} ${cmd.usage}`.trim())}"`, roff(cmd.description)];
  if (cmd.arguments.length) parts.push('.RS', ...cmd.arguments.map(argumentItem), '.RE');
  if (own.length) parts.push('.RS', ...own.map(optionItem), '.RE');
  if (takesGlobals)
    parts.push('.IP', own.length ? 'It also takes the options in OPTIONS.' : 'It takes the options in OPTIONS.');
  if (cmd.afterHelp) parts.push('.IP', roff(cmd.afterHelp.replace(/\s*\n\s*/g, ' ')));
  return [parts.join('\n'), ...cmd.commands.map((c) => commandSection(c, globals))].join('\n');
}

export function renderManPage(root: CommandNode, meta: ManPageMeta): string {
  const name = root.name;
  const globals = root.options.filter((o) => !isHelp(o));
  const usages = root.usage.split('\n').map((u) => u.trim().replace(new RegExp(`^${name} `), ''));
  const out = [
    `.\\" Generated from ${name}'s command definitions by scripts/gen-man.mjs; edit those, not this.`,
    `.TH ${name.toUpperCase().replace(/-/g, '\\-')} 1 "" "${roff(`${name} ${meta.version}`)}" "User Commands"`,
    '.SH NAME',
    `${roff(name)} \\- ${roff(meta.summary ?? root.description)}`,
    '.SH SYNOPSIS',
    usages.map((u) => `.B ${roff(name)}\n${roff(u)}`).join('\n.br\n'),
    '.SH DESCRIPTION',
    roff(root.description),
  ];
  if (root.arguments.length) out.push('.SH ARGUMENTS', ...root.arguments.map(argumentItem));
  if (root.options.length) out.push('.SH OPTIONS', ...root.options.map(optionItem));
  if (root.commands.length) out.push('.SH COMMANDS', ...root.commands.map((c) => commandSection(c, globals)));
  for (const s of afterHelpSections(root.afterHelp)) out.push(`.SH ${s.title}`, s.body);
  if (meta.seeAlso.length)
    out.push('.SH SEE ALSO', meta.seeAlso.map((s) => s.replace(/^(.*)\((\d)\)$/, '.BR $1 ($2)')).join(',\n'));
  return `${out.join('\n')}\n`;
}
