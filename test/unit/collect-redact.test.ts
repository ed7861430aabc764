import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { redact, redactArgv, StreamRedactor } from '../../src/core/collect/redact.js';

describe('redact', () => {
  it('hides password and token assignments, keeping the key', () => {
    const r = redact('[repo]\npassword=hunter2\nGITHUB_TOKEN = ghp_abc123\nname=fine\n');
    expect(r.text).toBe('[repo]\npassword=<redacted>\nGITHUB_TOKEN = <redacted>\nname=fine\n');
    expect(r.redactions).toEqual([
      { rule: 'secret-assignment', line: 2 },
      { rule: 'secret-assignment', line: 3 },
    ]);
  });

  it('hides quoted values in JSON and YAML, whole', () => {
    const r = redact('{"user": "bob", "client_secret": "a b c"}\napi_key: \'xyz\'\n');
    expect(r.text).toBe('{"user": "bob", "client_secret": "<redacted>"}\napi_key: \'<redacted>\'\n');
    expect(r.redactions.map((x) => x.line)).toEqual([1, 2]);
  });

  it('hides the password of a URL, not the user or host', () => {
    const r = redact('baseurl=https://admin:s3cr3t@mirror.example/repo\nproxy=http://proxy.example:3128/\n');
    expect(r.text).toBe('baseurl=https://admin:<redacted>@mirror.example/repo\nproxy=http://proxy.example:3128/\n');
    expect(r.redactions).toEqual([{ rule: 'url-password', line: 1 }]);
  });

  it('hides authorization headers', () => {
    const r = redact('Authorization: Bearer eyJhbGciOi.x.y\n');
    expect(r.text).toBe('Authorization: Bearer <redacted>\n');
    expect(r.redactions).toEqual([{ rule: 'authorization-header', line: 1 }]);
  });

  it('drops the body of a private key block', () => {
    const r = redact('a\n-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\nBBBB\n-----END OPENSSH PRIVATE KEY-----\nb');
    expect(r.text).toBe(
      'a\n-----BEGIN OPENSSH PRIVATE KEY-----\n<redacted>\n<redacted>\n-----END OPENSSH PRIVATE KEY-----\nb',
    );
    expect(r.redactions).toEqual([{ rule: 'private-key', line: 2 }]);
  });

  it('leaves text without secrets alone', () => {
    const text = 'passwordless login enabled\nrpm: password-store-1.7.4\ntokenizer=on\npassword=\nKEY_SIZE=4096\n';
    expect(redact(text)).toEqual({ text, redactions: [] });
  });

  it('does not report a secret twice', () => {
    const r = redact('url: https://u:p@h/\n');
    expect(r.text).toBe('url: https://u:<redacted>@h/\n');
    expect(r.redactions).toHaveLength(1);
  });
});

// Each form the review found leaking, and the common token formats: [what, planted, expected, rules].
const TOKEN = 'ghp_0123456789abcdefghijABCDEFGHIJ012345';
const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U';
const FORMS: [string, string, string, string[]][] = [
  [
    '--password X in the process list',
    'root  1235  0.0  0.1 /usr/bin/app --password hunter2 --verbose',
    'root  1235  0.0  0.1 /usr/bin/app --password <redacted> --verbose',
    ['secret-option'],
  ],
  [
    '--token X and --api-key=X',
    'app --token abc --api-key=k3y --client-secret "a b"',
    'app --token <redacted> --api-key=<redacted> --client-secret "<redacted>"',
    ['secret-option', 'secret-option', 'secret-option'],
  ],
  [
    'mysql -pPASSWORD',
    'root  1234  0.0  0.1 /usr/bin/mysql -uroot -pHunter2 shop',
    'root  1234  0.0  0.1 /usr/bin/mysql -uroot -p<redacted> shop',
    ['password-flag'],
  ],
  [
    'mysqldump -pPASSWORD',
    'mysqldump -h db -pHunter2 --all-databases',
    'mysqldump -h db -p<redacted> --all-databases',
    ['password-flag'],
  ],
  ['sshpass -p PASSWORD', 'sshpass -p hunter2 ssh host', 'sshpass -p <redacted> ssh host', ['password-flag']],
  [
    'podman login -p PASSWORD',
    'root 9 0.0 /usr/bin/podman login -u bob -p hunter2 registry.example',
    'root 9 0.0 /usr/bin/podman login -u bob -p <redacted> registry.example',
    ['password-flag'],
  ],
  [
    'docker login -pPASSWORD',
    'docker --config /c login -pHunter2 -u bob reg',
    'docker --config /c login -p<redacted> -u bob reg',
    ['password-flag'],
  ],
  [
    'skopeo login -p=PASSWORD',
    'skopeo login --tls-verify=false -p=hunter2 reg',
    'skopeo login --tls-verify=false -p=<redacted> reg',
    ['password-flag'],
  ],
  [
    'curl -u user:pass',
    '+ curl -fsS -u deploy:pa55w0rd https://ci.example/api',
    '+ curl -fsS -u deploy:<redacted> https://ci.example/api',
    ['curl-user'],
  ],
  [
    'curl --user "user:pass word"',
    'curl --user "bob:pa ss" https://x',
    'curl --user "bob:<redacted>" https://x',
    ['curl-user'],
  ],
  ['a GitHub token in a log', `push failed with ${TOKEN} (403)`, 'push failed with <redacted> (403)', ['github-token']],
  [
    'gho_ and ghs_ tokens',
    'gho_0123456789abcdefghijABCD ghs_0123456789abcdefghijABCD',
    '<redacted> <redacted>',
    ['github-token', 'github-token'],
  ],
  [
    'a fine-grained GitHub token',
    'github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz0123',
    '<redacted>',
    ['github-token'],
  ],
  ['a GitLab token', 'PRIVATE-TOKEN: glpat-abcdefghij0123456789', 'PRIVATE-TOKEN: <redacted>', ['gitlab-token']],
  ['a GitLab token alone', 'using glpat-abcdefghij0123456789 now', 'using <redacted> now', ['gitlab-token']],
  [
    'SECRET_KEY_BASE=',
    'I, [2026-11-29] env: SECRET_KEY_BASE=9f8e7d6c5b4a39281706f5e4d3c2b1a0 RAILS_ENV=production',
    'I, [2026-11-29] env: SECRET_KEY_BASE=<redacted> RAILS_ENV=production',
    ['secret-assignment'],
  ],
  [
    '*_KEY, *_PASS and *_PWD names',
    'STRIPE_KEY=sk_live_x DB_PASS=x1 MYSQL_PWD=y2',
    'STRIPE_KEY=<redacted> DB_PASS=<redacted> MYSQL_PWD=<redacted>',
    ['secret-assignment', 'secret-assignment', 'secret-assignment'],
  ],
  [
    'an AWS access key id',
    'aws_access_key_id = AKIAIOSFODNN7EXAMPLE',
    'aws_access_key_id = <redacted>',
    ['aws-access-key'],
  ],
  [
    'an AWS secret key',
    'aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    'aws_secret_access_key = <redacted>',
    ['secret-assignment'],
  ],
  ['a Slack token', 'notify via xoxb-123456789012-abcdefghijkl', 'notify via <redacted>', ['slack-token']],
  ['a JWT', `session ${JWT} expired`, 'session <redacted> expired', ['jwt']],
  [
    'a bearer token in a message',
    'got 401 for Bearer 1a2b3c4d5e6f7g8h9i0j',
    'got 401 for Bearer <redacted>',
    ['bearer-token'],
  ],
  [
    'Authorization: Basic in a curl line',
    'curl -H "Authorization: Basic dXNlcjpwYXNz" https://x',
    'curl -H "Authorization: Basic <redacted>" https://x',
    ['authorization-header'],
  ],
  [
    'Proxy-Authorization',
    'Proxy-Authorization: Bearer abc',
    'Proxy-Authorization: Bearer <redacted>',
    ['authorization-header'],
  ],
  [
    'a registration token in a zypper baseurl',
    'baseurl=https://updates.suse.com/SUSE/Updates/SLE-Micro/5.5/x86_64/update?jLkk8Ypz7Wuz2XQ-rT1_abcDEF123456',
    'baseurl=https://updates.suse.com/SUSE/Updates/SLE-Micro/5.5/x86_64/update?<redacted>',
    ['url-query-token'],
  ],
  [
    'a token in a query string',
    'GET https://api.example/v1?user=bob&access_token=abc123&page=2',
    'GET https://api.example/v1?user=bob&access_token=<redacted>&page=2',
    ['url-query-secret'],
  ],
  [
    'a signature in a query string',
    'https://s3.example/b/o?X-Amz-Signature=f00ba4&X-Amz-Expires=60',
    'https://s3.example/b/o?X-Amz-Signature=<redacted>&X-Amz-Expires=60',
    ['url-query-secret'],
  ],
  [
    'a token as the user of a URL',
    `https://${TOKEN}@github.com/o/r.git`,
    'https://<redacted>@github.com/o/r.git',
    ['url-userinfo'],
  ],
  [
    'a zypper credentials file',
    'username=SCC_0123456789abcdef\npassword=0a1b2c3d4e5f',
    'username=SCC_0123456789abcdef\npassword=<redacted>',
    ['secret-assignment'],
  ],
  ['a SUSEConnect system token', 'system_token=4bb7e4c1-9f0b-4c5e', 'system_token=<redacted>', ['secret-assignment']],
  [
    'SUSEConnect --regcode',
    'SUSEConnect --regcode ABCD-1234 -e me@example.com',
    'SUSEConnect --regcode <redacted> -e me@example.com',
    ['secret-option'],
  ],
  [
    'transactional-update register -r',
    'transactional-update register -r ABCD-1234',
    'transactional-update register -r <redacted>',
    ['registration-code'],
  ],
  [
    'a .netrc line',
    'machine example.com login bob password hunter2',
    'machine example.com login bob password <redacted>',
    ['netrc-password'],
  ],
  ['a .netrc password line', '  password hunter2', '  password <redacted>', ['netrc-password']],
  [
    'a one-line private key',
    '"key": "-----BEGIN PRIVATE KEY-----\\nMIIE\\n-----END PRIVATE KEY-----\\n"',
    '<redacted>',
    ['private-key'],
  ],
];

// Ordinary text that looks a little like the forms above, and must stay as it is.
const ORDINARY = [
  'passwordless login enabled; tokenizer=on; password=; rpm: password-store-1.7.4',
  'mkdir -p /tmp/x && cp -pr a b && ssh -p 2222 host && ps -p 1 && tar -pxf mysql-backup.tar',
  'root  812  0.0  0.1 /usr/sbin/mysqld --port 3306 --pid-file=/run/mysqld.pid',
  'mysql -p shop',
  'podman run -u 1000:1000 img; sudo -u root id; curl -u bob https://x',
  'podman run -p 8080:80 img',
  'root 7 0.0 docker run -p 443:443 nginx',
  'podman login --password-stdin reg',
  'Nov 29 sshd[7]: pam_unix(sshd:session): session opened for user bob; systemd-logind: New session 3 of user bob; login -p -f bob',
  'gpgkey=https://download.opensuse.org/repositories/x/repodata/repomd.xml.key',
  'baseurl=https://rmt.example/repo/SUSE/Updates/SLE-Micro/5.5/x86_64/update?credentials=SUSE_Linux_Enterprise_Micro_x86_64',
  'baseurl=http://download.opensuse.org/tumbleweed/repo/oss/?ssl_verify=no',
  'passwd:         files systemd',
  'Failed password for root from 10.0.0.1 port 22 ssh2',
  'PasswordAuthentication no',
  'Apr 10 sudo: root : TTY=pts/0 ; PWD=/root ; USER=root ; COMMAND=/usr/bin/id',
  'http://proxy.example:3128/ ssh://git@host:22/repo.git',
  'the bearer of bad news; Bearer authentication required',
  'token_type=bearer max_tokens=100 bypass=1 KEY_SIZE=4096 OLDPWD=/x',
  'app --password-file /run/pw --password-stdin --token-file=/t --no-password shop',
  '{"token": null, "password": ""}',
  'Accepted publickey for root from 10.0.0.2 port 50022 ssh2: ED25519 SHA256:abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
  'UUID=0b5e1c5c-3a7d-4b0e-9f43-3f0c1a2b3c4d / btrfs subvol=/@/.snapshots/1/snapshot,ro 0 0',
  '-----BEGIN PUBLIC KEY-----',
];

describe('13.7: one redactor for every form the review found, and the common token formats', () => {
  it.each(FORMS)('%s', (_what, planted, expected, rules) => {
    const r = redact(planted);
    expect(r.text).toBe(expected);
    expect(r.redactions.map((x) => x.rule)).toEqual(rules);
  });

  it.each(ORDINARY)('leaves ordinary text alone: %s', (text) => {
    expect(redact(text)).toEqual({ text, redactions: [] });
  });

  it('reports each redaction with its line, never the secret', () => {
    const r = redact('ok\nmysql -pHunter2\n\ncurl -u a:b https://x\n');
    expect(r.redactions).toEqual([
      { rule: 'password-flag', line: 2 },
      { rule: 'curl-user', line: 4 },
    ]);
    expect(JSON.stringify(r.redactions)).not.toContain('Hunter2');
  });

  it('is idempotent: redacted text stays as it is', () => {
    const once = redact(FORMS.map((f) => f[1]).join('\n')).text;
    expect(redact(once)).toEqual({ text: once, redactions: [] });
  });
});

describe('13.7: a command line, redacted across its arguments', () => {
  it('redacts a flag and its value in separate arguments, and values with blanks whole', () => {
    const r = redactArgv([
      'mysql',
      '-uroot',
      '-pHunter2',
      '--password',
      'hunter 2',
      '-H',
      'Authorization: Bearer abc',
      'password=x',
      'plain',
    ]);
    expect(r.argv).toEqual([
      'mysql',
      '-uroot',
      '-p<redacted>',
      '--password',
      '<redacted>',
      '-H',
      'Authorization: Bearer <redacted>',
      'password=<redacted>',
      'plain',
    ]);
    expect(r.redactions).toEqual([
      { rule: 'password-flag', arg: 2 },
      { rule: 'secret-option', arg: 4 },
      { rule: 'authorization-header', arg: 6 },
      { rule: 'secret-assignment', arg: 7 },
    ]);
  });

  it('redacts inside a multi-line script argument, and leaves ordinary commands alone', () => {
    const r = redactArgv(['sh', '-c', 'echo x\n-----BEGIN PRIVATE KEY-----\nAAA\n-----END PRIVATE KEY-----\n', 'y']);
    expect(r.argv).toEqual([
      'sh',
      '-c',
      'echo x\n-----BEGIN PRIVATE KEY-----\n<redacted>\n-----END PRIVATE KEY-----\n',
      'y',
    ]);
    expect(r.redactions).toEqual([{ rule: 'private-key', arg: 2 }]);
    const plain = ['nsenter', '--target=1', '--mount', '--', 'snapper', '--no-dbus', 'list'];
    expect(redactArgv(plain)).toEqual({ argv: plain, redactions: [] });
  });
});

/** Feeds `chunks` to a stream redactor and returns what it emitted. */
function streamed(chunks: (string | Buffer)[], maxLine?: number, end: { dropPartialLine?: boolean } = {}) {
  let out = '';
  const r = new StreamRedactor((t) => (out += t), maxLine);
  for (const c of chunks) r.write(c);
  r.end(end);
  return { text: out, redactions: r.redactions };
}

describe('13.11: the redactor works on a stream', () => {
  const text = `${FORMS.map((f) => f[1]).join('\n')}\n${ORDINARY.join('\n')}\n`;
  const whole = redact(text);

  it('catches a secret split across two chunks, at every split point', () => {
    const sample =
      'x\nmysql -uroot -pHunter2 db\npassword=hunter2\ncurl -u a:pa55 https://x\nAuthorization: Bearer abc\n';
    const expected = redact(sample);
    for (let i = 1; i < sample.length; i++) {
      expect(streamed([sample.slice(0, i), sample.slice(i)])).toEqual(expected);
    }
  });

  it('gives the same result one byte at a time as in one piece, multi-byte characters included', () => {
    const bytes = Buffer.from(`é ${text}ü password=naïve€\n`);
    const expected = redact(bytes.toString('utf8'));
    expect(expected.text).toContain('password=<redacted>\n');
    expect(streamed([...bytes].map((b) => Buffer.from([b])))).toEqual(expected);
    expect(streamed([text])).toEqual(whole);
  });

  it('cuts a line longer than it holds where no secret spans the cut', () => {
    // Lines of 3000 characters with no newline, held 256 at most: a token and an assignment sit
    // across every multiple of 256, so a careless cut would leave part of them readable.
    const long = Array.from(
      { length: 40 },
      (_, i) => `${'a'.repeat(200 + (i % 7))} token=${'s3cr3t'.repeat(5)} ${TOKEN} `,
    ).join('');
    const r = streamed(long.match(/.{1,97}/gs)!, 256);
    expect(r.text).not.toMatch(/s3cr3t|ghp_|0123456789abcdefghij/);
    expect(r.text).toBe(redact(long).text);
    expect(r.redactions).toHaveLength(80);
    expect(new Set(r.redactions.map((x) => x.line))).toEqual(new Set([1]));
  });

  it('keeps a context seen earlier on a long line: mysql ... -pX past a cut', () => {
    const line = `mysql ${'-v '.repeat(200)}-pHunter2 db`;
    expect(streamed([line], 64).text).toBe(`mysql ${'-v '.repeat(200)}-p<redacted> db`);
  });

  it('drops a partial last line when the output was cut short', () => {
    expect(streamed(['a\npassword=hun'], undefined, { dropPartialLine: true })).toEqual({
      text: 'a\n',
      redactions: [],
    });
    expect(streamed(['a\npassword=hun'])).toEqual({
      text: 'a\npassword=<redacted>',
      redactions: [{ rule: 'secret-assignment', line: 2 }],
    });
  });
});

/**
 * A corpus file: cases apart by blank lines, each its "<" lines (the text), ">" lines (what the
 * bundle holds) and "=" line (the rules reported, in order); "#" lines are comments.
 */
function corpus(file: string): { text: string; expected: string; rules: string[]; line: number }[] {
  const lines = readFileSync(join(import.meta.dirname, '../fixtures/redact', file), 'utf8').split('\n');
  const cases: { text: string; expected: string; rules: string[]; line: number }[] = [];
  let current: { input: string[]; output: string[]; rules: string[]; line: number } | undefined;
  const close = () => {
    if (current)
      cases.push({
        text: `${current.input.join('\n')}\n`,
        expected: `${current.output.join('\n')}\n`,
        rules: current.rules,
        line: current.line,
      });
    current = undefined;
  };
  lines.forEach((l, i) => {
    if (l.startsWith('#')) return;
    if (l === '') {
      close();
      return;
    }
    current ??= { input: [], output: [], rules: [], line: i + 1 };
    const body = l.slice(2);
    if (l.startsWith('<')) current.input.push(l === '<' ? '' : body);
    else if (l.startsWith('>')) current.output.push(l === '>' ? '' : body);
    else if (l.startsWith('= ')) current.rules = body.split(', ');
    else throw new Error(`${file}:${i + 1}: a line of a case starts with "<", ">" or "="`);
  });
  close();
  return cases;
}

const SECRETS = corpus('secrets.txt');
const LOOK_ALIKES = readFileSync(join(import.meta.dirname, '../fixtures/redact/look-alikes.txt'), 'utf8')
  .split('\n')
  .filter((l) => l !== '' && !l.startsWith('#'));

describe('issue 21: the corpus of real secrets, each with its exact redaction', () => {
  it('holds at least 40 lines of secrets and 20 look-alikes', () => {
    expect(SECRETS.reduce((n, c) => n + c.text.split('\n').length - 1, 0)).toBeGreaterThanOrEqual(40);
    expect(SECRETS.length).toBeGreaterThanOrEqual(40);
    expect(LOOK_ALIKES.length).toBeGreaterThanOrEqual(20);
  });

  it.each(SECRETS.map((c) => [`secrets.txt:${c.line}`, c] as const))('%s', (_where, c) => {
    const r = redact(c.text);
    expect(r.text).toBe(c.expected);
    expect(r.redactions.map((x) => x.rule)).toEqual(c.rules);
  });

  it.each(LOOK_ALIKES)('leaves a look-alike byte for byte: %s', (text) => {
    expect(redact(`${text}\n`)).toEqual({ text: `${text}\n`, redactions: [] });
  });

  it('gives the same on a stream, one byte at a time, with key blocks across the chunks, and is idempotent', () => {
    const text = [...SECRETS.map((c) => c.text), ...LOOK_ALIKES.map((l) => `${l}\n`)].join('');
    const whole = redact(text);
    expect(whole.text).toBe([...SECRETS.map((c) => c.expected), ...LOOK_ALIKES.map((l) => `${l}\n`)].join(''));
    expect(streamed([...Buffer.from(text)].map((b) => Buffer.from([b])))).toEqual(whole);
    // Redacted again, it stays as it is; a key block's BEGIN line, which stays, is named again.
    const again = redact(whole.text);
    expect(again.text).toBe(whole.text);
    expect(new Set(again.redactions.map((x) => x.rule))).toEqual(new Set(['private-key']));
  });
});
