// The toolbox.fleet collection by the book, without any host: ansible-lint (Debian's 6.13.1,
// production profile, ansible/.ansible-lint) passes with no violation; ansible-doc documents the
// module and every role's entry points (meta/argument_specs.yml); the collection builds and
// installs with ansible-galaxy; and a variable of the wrong type stops each playbook before any
// host is contacted (the inventory's host does not exist: the failure is the validation's).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installFleetCollection, type InstalledCollection } from '../fixtures/fleet/collection.js';
import { ROOT, parseJson, runPrefix } from './helpers.js';

const state = mkdtempSync(`/tmp/${runPrefix('flint-')}`);
let collection: InstalledCollection;

function run(cmd: string, args: string[], cwd = state, env: Record<string, string> = {}) {
  const r = spawnSync(cmd, args, {
    encoding: 'utf8',
    cwd,
    env: {
      PATH: process.env.PATH,
      HOME: state,
      LANG: 'C.UTF-8',
      ANSIBLE_NOCOLOR: '1',
      ANSIBLE_COLLECTIONS_PATH: collection.collections,
      ANSIBLE_LOCAL_TEMP: join(state, 'ansible-tmp'),
      ...env,
    },
    timeout: 300_000,
    killSignal: 'SIGKILL',
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  collection = installFleetCollection(join(state, 'galaxy'));
}, 300_000);

afterAll(() => {
  rmSync(state, { recursive: true, force: true });
});

describe('toolbox.fleet by the book', () => {
  it('passes ansible-lint with the production profile and no violation', () => {
    const r = run('ansible-lint', ['--offline', '--nocolor'], join(ROOT, 'ansible'));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('');
    // The WARNING line is a log line of ansible-lint 6.13, not a violation: it cannot resolve a
    // module of the collection it lints (ansible/ansible-lint#2741).
    expect(r.stderr).toMatch(
      /^WARNING {2}Unable to resolve FQCN for module toolbox\.fleet\.bundle_verify\n\nPassed with production profile: 0 failure\(s\), 0 warning\(s\) on \d+ files\.\n$/,
    );
  }, 300_000);

  it('builds a tarball with every role, its argument specs, the playbooks and the module', () => {
    const list = run('tar', ['-tzf', collection.tarball]);
    expect(list.code).toBe(0);
    const files = list.stdout.split('\n').filter((f) => f && !f.endsWith('/'));
    for (const f of [
      'MANIFEST.json',
      'FILES.json',
      'CHANGELOG.md',
      'meta/runtime.yml',
      'plugins/modules/bundle_verify.py',
      'playbooks/collect.yml',
      'playbooks/host_update.yml',
      'playbooks/install.yml',
      'roles/collect/meta/argument_specs.yml',
      'roles/host_update/meta/argument_specs.yml',
      'roles/install/meta/argument_specs.yml',
      'roles/install/tasks/main.yml',
    ])
      expect(files).toContain(f);
    expect(collection.tarball).toMatch(/\/toolbox-fleet-1\.0\.0\.tar\.gz$/);
  });

  it('documents the module in ansible-doc', () => {
    const r = run('ansible-doc', ['-t', 'module', '--json', 'toolbox.fleet.bundle_verify']);
    expect(r.code, r.stderr).toBe(0);
    const doc = parseJson(r.stdout, 'ansible-doc --json') as Record<
      string,
      { doc: { module: string; options: Record<string, { type: string; required: boolean }> }; examples: string }
    >;
    const m = doc['toolbox.fleet.bundle_verify']!;
    expect(m.doc.module).toBe('bundle_verify');
    expect(Object.keys(m.doc.options).sort()).toEqual(['path', 'sha256']);
    expect([m.doc.options.path!.type, m.doc.options.path!.required]).toEqual(['path', true]);
    expect([m.doc.options.sha256!.type, m.doc.options.sha256!.required]).toEqual(['str', true]);
    expect(m.examples).toContain('toolbox.fleet.bundle_verify:');
    const text = run('ansible-doc', ['-t', 'module', 'toolbox.fleet.bundle_verify']);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout.split('\n')[0]).toMatch(/^> TOOLBOX\.FLEET\.BUNDLE_VERIFY {4}\(.*\/bundle_verify\.py\)$/);
  });

  it('documents every role entry point in ansible-doc, from its argument specs', () => {
    const entryPoints: Record<string, string[]> = {
      collect: ['main', 'summary'],
      host_update: ['precheck', 'rollout'],
      install: ['main'],
    };
    for (const [role, points] of Object.entries(entryPoints)) {
      const r = run('ansible-doc', ['-t', 'role', '--json', `toolbox.fleet.${role}`]);
      expect(r.code, r.stderr).toBe(0);
      const doc = parseJson(r.stdout, 'ansible-doc -t role --json') as Record<
        string,
        { entry_points: Record<string, { options: Record<string, unknown> }> }
      >;
      expect(Object.keys(doc[`toolbox.fleet.${role}`]!.entry_points).sort()).toEqual(points);
    }
  });

  it('stops toolbox.fleet.install with method rpm and no repository before any host is contacted', () => {
    const inventory = join(state, 'nowhere-rpm.ini');
    writeFileSync(inventory, 'nowhere.invalid ansible_host=192.0.2.1 ansible_port=9 ansible_user=root\n');
    const r = run('ansible-playbook', ['-i', inventory, 'toolbox.fleet.install', '-e', 'fleet_install_method=rpm']);
    expect(r.code, r.stdout).toBe(2);
    expect(r.stdout).toContain(
      'fatal: [nowhere.invalid]: FAILED! => {"assertion": "fleet_install_repo_url | length > 0", "changed": false, "evaluated_to": false, "msg": "fleet_install_repo_url and fleet_install_repo_key (the repository\'s public key file on the controller) are needed to install the RPM"}',
    );
    expect(r.stdout).not.toContain('UNREACHABLE');
  });

  it.each([
    [
      'collect',
      { fleet_collect_timeout: 'soon' },
      "argument 'fleet_collect_timeout' is of type <class 'str'> and we were unable to convert to int",
    ],
    [
      'host_update',
      { fleet_health_command: { not: 'a list' } },
      "argument 'fleet_health_command' is of type <class 'dict'> and we were unable to convert to list",
    ],
    [
      'install',
      { fleet_install_method: 'yum' },
      'value of fleet_install_method must be one of: auto, rpm, executable, got: yum',
    ],
  ])('stops toolbox.fleet.%s on a variable of the wrong type before any host is contacted', (name, vars, message) => {
    const inventory = join(state, 'nowhere.ini');
    // A host that cannot be reached: any task that touched it would say "unreachable".
    writeFileSync(inventory, 'nowhere.invalid ansible_host=192.0.2.1 ansible_port=9 ansible_user=root\n');
    const r = run('ansible-playbook', ['-i', inventory, `toolbox.fleet.${name}`, '-e', JSON.stringify(vars)]);
    expect(r.code, r.stdout).toBe(2);
    expect(r.stdout).toContain(message);
    expect(r.stdout).not.toContain('UNREACHABLE');
    expect(r.stdout).toMatch(/nowhere\.invalid +: ok=\d+ +changed=0 +unreachable=0 +failed=1 /);
  });
});
