// skopeo reaches the image the way podman's pull does only when told so: it ignores
// CONTAINERS_REGISTRIES_CONF (podman honours it), so a registries.conf mirror named there is
// passed as --registries-conf. Credentials (auth.json), certs.d and policy are the same files.
export function skopeoInspectArgs(image: string, env: NodeJS.ProcessEnv = process.env): string[] {
  const conf = env['CONTAINERS_REGISTRIES_CONF'];
  return [
    ...(conf ? ['--registries-conf', conf] : []),
    'inspect',
    '--no-tags',
    '--format',
    '{{.Digest}}',
    `docker://${image}`,
  ];
}
