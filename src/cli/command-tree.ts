// A plain description of a commander program: the one source that --help, the man pages and the
// shell completions are all drawn from, so none of them can drift from the others.
import type { Argument, Command, Option } from 'commander';

export interface OptionNode {
  short?: string;
  long?: string;
  /** As written in help, e.g. "-c, --container <name>". */
  flags: string;
  /** The value's placeholder without brackets ("name"), when the option takes a value. */
  valueName?: string;
  choices?: string[];
  description: string;
}

export interface ArgumentNode {
  name: string;
  required: boolean;
  variadic: boolean;
  choices?: string[];
  description: string;
}

export interface CommandNode {
  name: string;
  /** Words from the program name down to this command, e.g. ["toolbox", "config", "get"]. */
  path: string[];
  /** The usage line as --help prints it, without the program path. */
  usage: string;
  description: string;
  /** Text that --help prints after the generated part (examples, notes), trimmed. */
  afterHelp: string;
  options: OptionNode[];
  arguments: ArgumentNode[];
  commands: CommandNode[];
}

export function describeCommand(cmd: Command, parentPath: string[] = []): CommandNode {
  const help = cmd.createHelp();
  const path = [...parentPath, cmd.name()];
  return {
    name: cmd.name(),
    path,
    usage: cmd.usage(),
    description: cmd.description(),
    afterHelp: afterHelpText(cmd),
    options: help.visibleOptions(cmd).map(optionNode),
    arguments: cmd.registeredArguments.map(argumentNode),
    // The implicit `help` command is commander's, not ours: it has no options worth completing.
    commands: help
      .visibleCommands(cmd)
      .filter((c) => !isImplicitHelp(cmd, c))
      .map((c) => describeCommand(c, path)),
  };
}

// addHelpText() leaves no trace but an event listener, so the full help is captured and the
// generated part cut off.
function afterHelpText(cmd: Command): string {
  let text = '';
  const saved = { ...cmd.configureOutput() };
  cmd.configureOutput({ writeOut: (s) => void (text += s), writeErr: (s) => void (text += s) });
  try {
    cmd.outputHelp();
  } finally {
    cmd.configureOutput(saved);
  }
  const generated = cmd.helpInformation();
  const at = text.indexOf(generated);
  return at < 0 ? '' : text.slice(at + generated.length).trim();
}

function isImplicitHelp(parent: Command, c: Command): boolean {
  return c.name() === 'help' && !parent.commands.includes(c);
}

function optionNode(o: Option): OptionNode {
  const node: OptionNode = { flags: o.flags, description: o.description };
  if (o.short) node.short = o.short;
  if (o.long) node.long = o.long;
  const value = /[<[]([^>\]]+)[>\]]/.exec(o.flags);
  if (value?.[1] !== undefined) node.valueName = value[1];
  if (o.argChoices) node.choices = [...o.argChoices];
  return node;
}

function argumentNode(a: Argument): ArgumentNode {
  const node: ArgumentNode = { name: a.name(), required: a.required, variadic: a.variadic, description: a.description };
  if (a.argChoices) node.choices = [...a.argChoices];
  return node;
}

/** Every command in the tree, depth first, the root included. */
export function allCommands(root: CommandNode): CommandNode[] {
  return [root, ...root.commands.flatMap(allCommands)];
}
