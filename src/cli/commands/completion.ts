// `toolbox completion bash|zsh|fish` prints a completion script drawn from the program's own
// command tree; the hidden `toolbox __names` is what those scripts call for toolbox names.
import type { Command } from 'commander';
import { listBoxes } from '../../core/box/box-admin.js';
import type { GlobalFlags } from '../../core/settings/settings.js';
import { describeCommand, type CommandNode } from '../command-tree.js';
import { bashCompletion } from '../completion/bash.js';
import { fishCompletion } from '../completion/fish.js';
import { zshCompletion } from '../completion/zsh.js';
import { buildContext } from '../context.js';
import type { Shell } from '../grammar.js';
import { print } from '../../ui/print.js';

const RENDERERS: Record<Shell, (tree: CommandNode) => string> = {
  bash: bashCompletion,
  zsh: zshCompletion,
  fish: fishCompletion,
};

export function completionScript(program: Command, shell: Shell): string {
  return RENDERERS[shell](describeCommand(program));
}

export function completionCommand(program: Command, shell: Shell): number {
  process.stdout.write(completionScript(program, shell));
  return 0;
}

/** One toolbox name a line, for completion scripts: nothing else on stdout, ever. */
export async function namesCommand(flags: GlobalFlags): Promise<number> {
  const { deps } = buildContext({ ...flags, quiet: true });
  const boxes = await listBoxes(deps);
  print(boxes.map((l) => `${l.box.name}\n`).join(''));
  return 0;
}
