// Which build this is, for `toolbox --version --verbose` and `--version --json`: a bug report
// that quotes it names the exact bytes (version, commit), the Node.js that runs them and whether
// it is the one embedded in the executable or the user's own (the npm form), and the machine.
import { VERSION } from './version.js';

declare const __TOOLBOX_COMMIT__: string | undefined;
declare const __TOOLBOX_SEA__: boolean | undefined;

export interface BuildInfo {
  version: string;
  commit: string;
  form: 'executable' | 'npm';
  node: string;
  arch: string;
  platform: string;
}

export function buildInfo(): BuildInfo {
  return {
    version: VERSION,
    commit: typeof __TOOLBOX_COMMIT__ === 'string' ? __TOOLBOX_COMMIT__ : 'unknown',
    form: typeof __TOOLBOX_SEA__ === 'boolean' && __TOOLBOX_SEA__ ? 'executable' : 'npm',
    node: process.versions.node,
    arch: process.arch,
    platform: process.platform,
  };
}

/** The `--version` words this accepts beyond `--version` alone, or undefined for anything else. */
export function versionRequest(argv: readonly string[]): 'verbose' | 'json' | undefined {
  if (argv.length !== 2 || !argv.includes('--version')) return undefined;
  const other = argv[0] === '--version' ? argv[1] : argv[0];
  if (other === '--verbose') return 'verbose';
  if (other === '--json') return 'json';
  return undefined;
}

export function formatBuildInfo(info: BuildInfo, as: 'verbose' | 'json'): string {
  if (as === 'json') return `${JSON.stringify(info)}\n`;
  const node = `${info.node} (${info.form === 'executable' ? 'embedded' : 'the Node.js that runs it'})`;
  return [
    `toolbox ${info.version}`,
    `commit:   ${info.commit}`,
    `form:     ${info.form}`,
    `node:     ${node}`,
    `arch:     ${info.arch} (${info.platform})`,
    '',
  ].join('\n');
}
