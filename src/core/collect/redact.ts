// Removes obvious secrets from collected text before it goes into a bundle that will be attached
// to tickets. Pure: the same text always gives the same result, and every change is reported by
// rule and line so the manifest can say what was taken out (never the secret itself).

export interface Redaction {
  rule: RedactionRule;
  /** 1-based line number in the collected output */
  line: number;
}

export type RedactionRule = 'private-key' | 'url-password' | 'authorization-header' | 'secret-assignment';

export const REDACTED = '<redacted>';

// A key that names a secret, as the last part of an identifier: password, db_password,
// GITHUB_TOKEN, api-key, client_secret... but not "passwordless" or "tokenizer".
const SECRET_KEY = String.raw`[A-Za-z0-9_.-]*(?:passw(?:or)?d|passwd|pass|pwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|credentials?|auth[_-]?key)`;
// key = value, key: value, "key": "value", key=value with optional quotes; the value runs to the
// end of the quoted string, or of the word.
const ASSIGNMENT = new RegExp(
  String.raw`(^|[^A-Za-z0-9_.-])(["']?)(${SECRET_KEY})\2(\s*[:=]\s*)(?:"([^"\n]*)"|'([^'\n]*)'|([^\s,;"'}\]]+))`,
  'gi',
);
// scheme://user:password@host (zypper repos, proxies)
const URL_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@]+:)([^\s@/]+)(@)/gi;
const AUTHORIZATION = /\b(authorization\s*:\s*(?:bearer|basic|token)\s+)(\S+)/gi;
const PEM_BEGIN = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/;
const PEM_END = /-----END [A-Z0-9 ]*PRIVATE KEY-----/;

export function redact(text: string): { text: string; redactions: Redaction[] } {
  const redactions: Redaction[] = [];
  const lines = text.split('\n');
  let inKey = false;
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i]!;
    const note = (rule: RedactionRule) => redactions.push({ rule, line: i + 1 });
    // A private key block is dropped whole: its body lines carry no key names to match on.
    if (inKey) {
      if (PEM_END.test(line)) inKey = false;
      else lines[i] = REDACTED;
      continue;
    }
    if (PEM_BEGIN.test(line)) {
      note('private-key');
      // The BEGIN line stays, so a reader sees that a key was there; a one-line key goes whole.
      if (PEM_END.test(line)) lines[i] = REDACTED;
      else inKey = true;
      continue;
    }
    line = line.replace(AUTHORIZATION, (_m, head: string, value: string) => (value === REDACTED ? _m : (note('authorization-header'), `${head}${REDACTED}`)));
    line = line.replace(URL_PASSWORD, (_m, head: string, _pw: string, at: string) => (note('url-password'), `${head}${REDACTED}${at}`));
    line = line.replace(ASSIGNMENT, (m, before: string, quote: string, key: string, sep: string, dq?: string, sq?: string, bare?: string) => {
      const value = dq ?? sq ?? bare ?? '';
      // Nothing to hide: an empty value, or one already redacted by a rule above.
      if (value === '' || value === REDACTED || value.includes(REDACTED)) return m;
      note('secret-assignment');
      const shown = dq !== undefined ? `"${REDACTED}"` : sq !== undefined ? `'${REDACTED}'` : REDACTED;
      return `${before}${quote}${key}${quote}${sep}${shown}`;
    });
    lines[i] = line;
  }
  return { text: lines.join('\n'), redactions };
}
