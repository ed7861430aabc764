// What the redactor looks for, as data: one table of line rules, in order of precedence. Each rule
// marks a secret with a named group: `s` (a bare value), `sd` (inside double quotes) or `sq`
// (inside single quotes); what is around it (the key, the flag, the quotes) stays readable.
// Rules are written against what collectors really print: config files, logs, `ps auxww` lines,
// and command lines (a collector's own argv is redacted as one line, see redactArgv).

export type RedactionRule =
  | 'private-key'
  | 'url-password'
  | 'url-userinfo'
  | 'url-query-token'
  | 'url-query-secret'
  | 'authorization-header'
  | 'bearer-token'
  | 'curl-user'
  | 'cookie'
  | 'htpasswd-password'
  | 'password-flag'
  | 'registration-code'
  | 'secret-option'
  | 'netrc-password'
  | 'password-hash'
  | 'github-token'
  | 'gitlab-token'
  | 'aws-access-key'
  | 'aws-secret-key'
  | 'slack-token'
  | 'jwt'
  | 'secret-assignment';

export interface LineRule {
  rule: RedactionRule;
  /** global, with indices (`gd`); the secret is group s, sd or sq */
  pattern: RegExp;
  /** the rule applies only on a line where this matches too: the command that makes `-p` a password */
  context?: RegExp;
  /** a match to leave alone although the pattern fits (ordinary text that looks like a secret) */
  ignore?: (match: RegExpExecArray) => boolean;
}

// Words that make a name a secret's name when the name ends with them: password, db_password,
// GITHUB_TOKEN, api-key, client_secret, aws_secret_access_key... but not "passwordless",
// "tokenizer" or "gpgkey". "pass" counts only as a whole part of a name (db_pass), never inside
// a word (bypass, compass); "pwd" only after a prefix (MYSQL_PWD), as a bare PWD is the
// working directory (sudo's journal lines, environment dumps).
const WORD = String.raw`(?:password|passwd|passphrase|secret|token|api[_-]?key|apikey|access[_-]?key|private[_-]?key|secret[_-]?key|auth[_-]?key|credentials?|regcode)`;
const KEY = String.raw`(?:[A-Za-z0-9_.-]*${WORD}|(?:[A-Za-z0-9_.-]*[_.-])?pass|[A-Za-z0-9_.-]*[_.-]pwd)`;
const OPTION = String.raw`(?:[A-Za-z0-9-]*${WORD}|(?:[A-Za-z0-9-]*-)?pass|[A-Za-z0-9-]*-pwd)`;
// In a URL's query string, "credentials=NAME" is how zypper names a credentials *file*: not a secret.
const QUERY_KEY = String.raw`[A-Za-z0-9_.-]*(?:password|passwd|passphrase|secret|token|api[_-]?key|apikey|access[_-]?key|private[_-]?key|auth[_-]?key|signature|sig|auth|key|regcode)`;
// A value: quoted whole, or a bare word up to the next separator.
const VALUE = String.raw`(?:"(?<sd>[^"\n]*)"|'(?<sq>[^'\n]*)'|(?<s>[^\s,;"'}\]]+))`;
// An argument value on a command line: quoted, or a word that is not the next option.
const ARG = String.raw`(?:"(?<sd>[^"\n]*)"|'(?<sq>[^'\n]*)'|(?<s>[^\s"'-][^\s"']*))`;
// Where an argument starts: the line's start, a blank, or the quote of a shell word.
const ARG_START = String.raw`(?:^|(?<=[\s"']))`;
// A URL's scheme. Every run of a repeated class is bounded where a match could start at many
// places on one line, so a long line of output costs linear time, never quadratic.
const SCHEME = String.raw`\b[a-z][a-z0-9+.-]{0,31}:\/\/`;
// A positional word on a command line, quoted or bare; and a last one that may start with "-".
const WORD_ARG = String.raw`(?:"[^"\n]*"|'[^'\n]*'|[^\s"'-][^\s"']*)`;
const ARG_ANY = String.raw`(?:"(?<sd>[^"\n]*)"|'(?<sq>[^'\n]*)'|(?<s>[^\s"']+))`;
// htpasswd and its flags (group o): letters in one word or many, -C COST and -r ROUNDS taking a number
const HTPASSWD = String.raw`(?:^|(?<=[\s/"']))htpasswd(?<o>(?:\s+-[A-Za-z0-9]{1,8}(?<=[Cr])\s+\d{1,6}|\s+-[A-Za-z0-9]{1,8}){1,8})`;
// A command named by its last path component, followed by its arguments.
const command = (names: string) => new RegExp(String.raw`(?:^|[\s/"'])(?:${names})(?=[\s"'])`);

const NOT_A_VALUE = /^(?:null|true|false)$/i;

export const LINE_RULES: readonly LineRule[] = [
  // scheme://user:PASSWORD@host: zypper repos, proxies, git remotes, database URLs. A password
  // typed with an unencoded "@" ends at the last "@" before the path, as URL parsers read it.
  {
    rule: 'url-password',
    pattern: new RegExp(String.raw`${SCHEME}[^\s:/@?#"']{0,256}:(?<s>[^\s/?#"']{1,256})@`, 'dgi'),
  },
  // scheme://TOKEN@host: a token as the whole user part
  { rule: 'url-userinfo', pattern: new RegExp(String.raw`${SCHEME}(?<s>[A-Za-z0-9_.~%+-]{20,512})@`, 'dgi') },
  // scheme://host/path?TOKEN: a bare token as the whole query, as registered SLE Micro systems
  // keep their registration token in zypper's baseurl
  // (found from the "?", looking back for the URL: only a "?" costs a look, not every URL)
  {
    rule: 'url-query-token',
    pattern: new RegExp(
      String.raw`\?(?<=${SCHEME}[^\s?#"'<>]{1,2048}\?)(?<s>[A-Za-z0-9_.~%+/-]{16,4096}=*)(?![A-Za-z0-9_.~%+/=&-])`,
      'dgi',
    ),
  },
  // ?access_token=X&sig=Y: secret parameters of a query string, up to the next "&"
  { rule: 'url-query-secret', pattern: new RegExp(String.raw`[?&]${QUERY_KEY}=(?<s>[^&#\s"'<>]+)`, 'dgi') },
  {
    rule: 'authorization-header',
    pattern:
      /\b(?:proxy-)?authorization["']?\s*[:=]\s*["']?(?:(?:bearer|basic|token|digest|negotiate|ntlm)\s+)?(?<s>[^\s"',;]+)/dgi,
  },
  // a bearer token outside a header (logs, error messages); it must look like a token, not prose
  { rule: 'bearer-token', pattern: /\b[Bb]earer\s+(?<s>(?=[A-Za-z._~+/-]*[0-9])[A-Za-z0-9._~+/-]{16,}=*)/dg },
  // curl -u user:PASSWORD, --user, --proxy-user / -U
  {
    rule: 'curl-user',
    context: command('curl'),
    pattern: new RegExp(
      String.raw`${ARG_START}(?:-u|-U|--user|--proxy-user)(?:\s+|=)?(?:"[^"\n:]{0,256}:(?<sd>[^"\n]{0,1024})"|'[^'\n:]{0,256}:(?<sq>[^'\n]{0,1024})'|[^\s:"']{0,256}:(?<s>[^\s"']+))`,
      'dg',
    ),
  },
  // curl -b/--cookie NAME=VALUE (without "=" it names a cookie file)
  {
    rule: 'cookie',
    context: command('curl'),
    pattern: new RegExp(
      String.raw`${ARG_START}(?:-b|--cookie)(?:\s+|=)?(?:"(?<sd>[^"\n=]{1,256}=[^"\n]*)"|'(?<sq>[^'\n=]{1,256}=[^'\n]*)'|(?<s>[^\s"'=-][^\s"'=]{0,255}=[^\s"']*))`,
      'dg',
    ),
  },
  // Cookie: a=1; b=2 (every value of the header goes), Set-Cookie: sid=VALUE; Path=/ (the value
  // goes, the attributes stay); in a header, curl's -H, JSON or a log line
  {
    rule: 'cookie',
    pattern: /(?<![A-Za-z0-9-])cookie["']?\s*[:=]\s*["']?(?<s>[^\s"'=;]{1,256}=[^"'\n]{0,8192}?)(?=\s*(?:["']|$))/dgi,
  },
  { rule: 'cookie', pattern: /\bset-cookie["']?\s*[:=]\s*["']?[^\s"'=;]{1,256}=(?<s>[^;\s"']+)/dgi },
  // a Netscape cookie jar (curl -c, wget --save-cookies): the last of seven tab-separated fields
  {
    rule: 'cookie',
    pattern:
      /^(?:#HttpOnly_)?[^\t\n#][^\t\n]*\t(?:TRUE|FALSE)\t[^\t\n]*\t(?:TRUE|FALSE)\t\d+\t[^\t\n]*\t(?<s>[^\t\n]+)$/dg,
  },
  // htpasswd -b FILE USER PASSWORD, -nb USER PASSWORD (the flags in any order or word: -bB, -Bb,
  // -b -C 10, -cb, -bn, ...); without b, htpasswd asks and the command line holds no password
  {
    rule: 'htpasswd-password',
    context: command('htpasswd'),
    pattern: new RegExp(String.raw`${HTPASSWD}(?:\s+${WORD_ARG}){1}\s+${ARG_ANY}`, 'dg'),
    ignore: (m) => !/b/.test(group(m, 'o')) || !/n/.test(group(m, 'o')),
  },
  {
    rule: 'htpasswd-password',
    context: command('htpasswd'),
    pattern: new RegExp(String.raw`${HTPASSWD}(?:\s+${WORD_ARG}){2}\s+${ARG_ANY}`, 'dg'),
    ignore: (m) => !/b/.test(group(m, 'o')) || /n/.test(group(m, 'o')),
  },
  // -pPASSWORD glued to the flag, only for the commands where -p means a password
  {
    rule: 'password-flag',
    context: command(
      String.raw`mysql|mysqldump|mysqladmin|mysqlimport|mysqlshow|mysqlcheck|mysqlpump|mysqlslap|mysqlsh|mariadb|mariadb-dump|mariadb-admin|mariadb-import|mariadb-show|mariadb-check|mariadb-slap`,
    ),
    pattern: new RegExp(String.raw`${ARG_START}-p(?<s>[^\s"']+)`, 'dg'),
  },
  {
    rule: 'password-flag',
    context: command('sshpass'),
    pattern: new RegExp(String.raw`${ARG_START}-p\s*(?<s>[^\s"']+)`, 'dg'),
  },
  // podman/docker/buildah/skopeo login -p PASSWORD (or -pPASSWORD, -p=PASSWORD); only after `login`,
  // as `podman run -p 8080:80` is a port
  {
    rule: 'password-flag',
    context: /(?:^|[\s/"'])(?:podman|docker|buildah|skopeo|nerdctl)(?:\s+\S+){0,8}?\s+login(?=[\s"'])/,
    pattern: new RegExp(String.raw`${ARG_START}-p(?:\s+|=)?${ARG}`, 'dg'),
  },
  // The other commands whose short option takes a password: redis-cli -a, the ldap tools' -w,
  // ipmitool -P. (-p alone is a port, a pid, "parents" or "preserve" far more often: it counts
  // only for the commands named here and above.)
  {
    rule: 'password-flag',
    context: command('redis-cli'),
    pattern: new RegExp(String.raw`${ARG_START}-a(?:\s+|=)?${ARG}`, 'dg'),
  },
  {
    rule: 'password-flag',
    context: command(String.raw`ldapsearch|ldapadd|ldapmodify|ldapdelete|ldappasswd|ldapwhoami|ldapmodrdn|ldapcompare`),
    pattern: new RegExp(String.raw`${ARG_START}-w(?:\s+|=)?${ARG}`, 'dg'),
  },
  {
    rule: 'password-flag',
    context: command('ipmitool'),
    pattern: new RegExp(String.raw`${ARG_START}-P(?:\s+|=)?${ARG}`, 'dg'),
  },
  // Single-dash long options: keytool -storepass X, openssl -passin pass:X (env: and file: name
  // where the password is, not the password)
  {
    rule: 'password-flag',
    context: command('keytool'),
    pattern: new RegExp(
      String.raw`${ARG_START}-(?:storepass|keypass|srcstorepass|deststorepass|srckeypass|destkeypass)\s+${ARG}`,
      'dg',
    ),
  },
  {
    rule: 'password-flag',
    context: command('openssl'),
    pattern: new RegExp(String.raw`${ARG_START}-(?:passin|passout|pass)\s+["']?pass:(?<s>[^\s"']+)`, 'dg'),
  },
  // SUSEConnect -r CODE, transactional-update register -r CODE
  {
    rule: 'registration-code',
    context: /(?:^|[\s/"'])(?:SUSEConnect|suseconnect|transactional-update(?:\s+\S+)*\s+register)(?=[\s"'])/,
    pattern: new RegExp(String.raw`${ARG_START}-r(?:\s+|=)?${ARG}`, 'dg'),
  },
  // --password X, --token=X, --client-secret X (not --password-file, --password-stdin, --no-password)
  { rule: 'secret-option', pattern: new RegExp(String.raw`${ARG_START}--(?!no-)${OPTION}(?:=|\s+)${ARG}`, 'dgi') },
  // ~/.netrc: "machine H login U password P", on one line or one per line
  { rule: 'netrc-password', context: /\bmachine\s+\S/, pattern: /(?:^|(?<=\s))password\s+(?<s>\S+)/dg },
  { rule: 'netrc-password', pattern: /^\s*password\s+(?<s>\S+)\s*$/dg },
  // a crypt(3) password hash (htpasswd, /etc/shadow, a basic-auth label): a dictionary attack
  // away from the password. MD5, bcrypt, SHA-256/512, yescrypt, scrypt, argon2.
  {
    rule: 'password-hash',
    pattern:
      /(?<![A-Za-z0-9$])(?<s>\$(?:apr1|1|2[abxy]|5|6|7|y|gy|argon2(?:id|i|d))\$(?=[0-9./$=,+-]{0,511}[A-Za-z])[A-Za-z0-9./$=,+-]{8,512})(?![A-Za-z0-9./$=,+-])/dg,
  },
  // well-known token formats, wherever they appear
  {
    rule: 'github-token',
    pattern:
      /(?<![A-Za-z0-9_])(?<s>(?:ghp|gho|ghs|ghu|ghr)_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})(?![A-Za-z0-9_])/dg,
  },
  { rule: 'gitlab-token', pattern: /(?<![A-Za-z0-9_-])(?<s>gl(?:pat|ptt|dt|rt|soat|cbt|ft|imt)-[A-Za-z0-9_-]{20,})/dg },
  { rule: 'aws-access-key', pattern: /(?<![A-Za-z0-9])(?<s>(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16})(?![A-Za-z0-9])/dg },
  // the secret that goes with an access key id, after it on its line, by its shape (40
  // characters of base64): an accessKeys.csv row, "AKIA... wJalr..." in a log or a script
  {
    rule: 'aws-secret-key',
    context: /(?<![A-Za-z0-9])(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}(?![A-Za-z0-9])/,
    pattern: /(?<![A-Za-z0-9/+=])(?<s>[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])/dg,
    // a word of 40 letters, or of capitals and digits only, is not one
    ignore: (m) => !/[0-9/+]/.test(group(m, 's')) || !/[a-z]/.test(group(m, 's')),
  },
  // aws configure set aws_secret_access_key X (a blank, not "=", between the name and the value)
  {
    rule: 'aws-secret-key',
    context: /(?:^|[\s/"'])aws\s+configure\s+set(?=\s)/,
    pattern: new RegExp(String.raw`\b(?:aws_secret_access_key|aws_session_token)\s+${ARG}`, 'dg'),
  },
  { rule: 'slack-token', pattern: /(?<![A-Za-z0-9])(?<s>xox[abeoprs]-[A-Za-z0-9-]{10,})/dg },
  { rule: 'jwt', pattern: /(?<![A-Za-z0-9_-])(?<s>eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*)/dg },
  // key=value, key: value, "key": "value", key => value. A key after "?" or "&" is a query
  // parameter (above), one after "://" a URL's user (url-password takes its password, and the
  // host stays). nsswitch.conf's "passwd: files" names a database, not a password.
  {
    rule: 'secret-assignment',
    pattern: new RegExp(
      String.raw`(?<![A-Za-z0-9_.?&-]|:\/\/)(?<q>["']?)(?<k>${KEY})\k<q>(?<sep>\s*(?:=>|[:=])\s*)${VALUE}`,
      'dgi',
    ),
    ignore: (m) =>
      NOT_A_VALUE.test(group(m, 's')) || (group(m, 'k').toLowerCase() === 'passwd' && group(m, 'sep').includes(':')),
  },
  // environment-style names: SECRET_KEY_BASE=, AWS_SECRET_ACCESS_KEY=, STRIPE_KEY= (upper case
  // only: a lower-case "*_key" is as often a path or a key id)
  {
    rule: 'secret-assignment',
    pattern: new RegExp(
      String.raw`(?<![A-Za-z0-9_.-])(?<k>[A-Z][A-Z0-9_]*_KEY|[A-Z0-9_]*SECRET[A-Z0-9_]*)(?![A-Za-z0-9_])\s*[:=]\s*${VALUE}`,
      'dg',
    ),
    ignore: (m) => NOT_A_VALUE.test(group(m, 's')),
  },
];

// Something every rule above needs on a line to match (a key word, a command, a token prefix, a
// URL, a PEM header): a line without any of these is passed without running the rules, which
// keeps the redactor fast on the bulk of a log. A rule added above needs its word here too.
export const TRIGGER =
  /pass|pwd|secret|token|key|credential|regcode|auth|sig|bearer|curl|mysql|mariadb|suseconnect|register|login|cookie|redis-cli|\$(?:apr1|1|2[abxy]|5|6|7|y|gy|argon2i?d?)\$|ldap|ipmitool|keytool|openssl|aws|\t(?:TRUE|FALSE)\t|gh[pousr]_|github_pat_|gl[a-z]{1,4}-|AKIA|ASIA|ABIA|ACCA|xox|eyJ|:\/\/|-----BEGIN/gi;

// A private key block: the BEGIN and END lines stay, every line between goes.
export const PEM_BEGIN = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----/;
export const PEM_END = /-----END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----/;

/** A named group's text; a group that took no part in the match is empty. */
function group(match: RegExpExecArray, name: string): string {
  return match.groups?.[name] ?? '';
}
