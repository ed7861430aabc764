// Writes dist/completions/{bash/toolbox,zsh/_toolbox,fish/toolbox.fish} with the built CLI's own
// `toolbox completion SHELL`, named as each shell's completion directory expects.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

const root = resolve(new URL('..', import.meta.url).pathname);
const files = { bash: 'bash/toolbox', zsh: 'zsh/_toolbox', fish: 'fish/toolbox.fish' };
for (const [shell, file] of Object.entries(files)) {
  const script = execFileSync(process.execPath, [join(root, 'bin/toolbox.js'), 'completion', shell], {
    encoding: 'utf8',
  });
  const target = join(root, 'dist/completions', file);
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, script);
}
