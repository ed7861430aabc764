import { describe, expect, it } from 'vitest';
import { redact } from '../../src/core/collect/redact.js';

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
    expect(r.text).toBe('a\n-----BEGIN OPENSSH PRIVATE KEY-----\n<redacted>\n<redacted>\n-----END OPENSSH PRIVATE KEY-----\nb');
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
