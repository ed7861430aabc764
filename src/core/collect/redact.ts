// The one redactor of a support bundle: every file in it, manifest.json included, goes through
// here before it is written. It removes what looks like a secret (the rules are in
// redact-rules.ts) and reports every change by rule and line, never the secret itself.
//
// It works on a stream: output arrives in chunks of any size, so text is held back until a line
// is complete, and a secret split across chunks is still found. A line is held back up to
// MAX_LINE characters; a longer one is redacted in pieces, cut only where no match spans the cut.
import { StringDecoder } from 'node:string_decoder';
import { LINE_RULES, PEM_BEGIN, PEM_END, TRIGGER, type RedactionRule } from './redact-rules.js';

export type { RedactionRule } from './redact-rules.js';

export interface Redaction {
  rule: RedactionRule;
  /** 1-based line number in the redacted text */
  line: number;
}

const REDACTED = '<redacted>';

/** The longest line held back whole; tests pass a smaller one. */
const MAX_LINE = 1 << 20;
// The most redactions one file lists by line; past that they are only counted. An output with a
// secret on every line would otherwise list millions, and the manifest (and memory) grow with it.
export const MAX_LISTED_REDACTIONS = 1000;
// A piece cut from a longer line leaves MAX_LINE/8 behind, so a match near the cut is seen whole.
const OVERLAP_DIVISOR = 8;
const MAY_HOLD_SECRET = new RegExp(TRIGGER.source, 'i');

interface Hit {
  rule: RedactionRule;
  /** the secret, in the text scanned */
  start: number;
  end: number;
}

interface Scan {
  hits: Hit[];
  /** what to report for this text (a private key is reported once, at its BEGIN line) */
  found: RedactionRule[];
  /** every whole match, kept or not: a piece of a long line is never cut inside one */
  matches: [number, number][];
}

/** Scans one line (or a piece of one) knowing what came before it. */
class LineScanner {
  private inKey = false;
  /** contextual rules whose context has appeared earlier on the current line */
  private readonly seen = new Set<number>();

  newLine(): void {
    this.seen.clear();
  }

  /** Nothing carries over from before: a line without a TRIGGER needs no scan. */
  quiet(): boolean {
    return !this.inKey && this.seen.size === 0;
  }

  /** dryRun: only look (where the matches are), changing nothing the next scan depends on */
  scan(text: string, dryRun = false): Scan {
    // A private key block is dropped whole: its body lines carry nothing to match on.
    if (this.inKey) {
      if (PEM_END.test(text)) {
        if (!dryRun) this.inKey = false;
        return { hits: [], found: [], matches: [] };
      }
      return { hits: text ? [{ rule: 'private-key', start: 0, end: text.length }] : [], found: [], matches: [] };
    }
    if (PEM_BEGIN.test(text)) {
      // The BEGIN line stays, so a reader sees that a key was there; a one-line key goes whole.
      if (PEM_END.test(text))
        return { hits: [{ rule: 'private-key', start: 0, end: text.length }], found: ['private-key'], matches: [] };
      if (!dryRun) this.inKey = true;
      return { hits: [], found: ['private-key'], matches: [] };
    }
    if (this.seen.size === 0 && !MAY_HOLD_SECRET.test(text)) return { hits: [], found: [], matches: [] };
    const hits: Hit[] = [];
    const matches: [number, number][] = [];
    LINE_RULES.forEach((rule, i) => {
      // A contextual rule counts only after its command: in "podman run -u 0:0 x; curl -u a:b",
      // only curl's -u is a password.
      let from = 0;
      if (rule.context && !this.seen.has(i)) {
        const at = text.search(rule.context);
        if (at < 0) return;
        from = at;
        if (!dryRun) this.seen.add(i);
      }
      rule.pattern.lastIndex = from;
      for (let m = rule.pattern.exec(text); m; m = rule.pattern.exec(text)) {
        if (m[0] === '') {
          rule.pattern.lastIndex++;
          continue;
        }
        matches.push([m.index, m.index + m[0].length]);
        // Every rule names its secret's group, and its pattern has the d flag (indices).
        const g = m.indices?.groups ?? {};
        const span = g.s ?? g.sd ?? g.sq;
        if (!span || span[0] === span[1]) continue;
        if (text.slice(span[0], span[1]) === REDACTED || rule.ignore?.(m)) continue;
        hits.push({ rule: rule.rule, start: span[0], end: span[1] });
      }
    });
    const merged = merge(hits);
    return { hits: merged, found: merged.map((h) => h.rule), matches };
  }
}

/** Overlapping secrets become one, named after the rule that comes first; what any covered goes. */
function merge(hits: Hit[]): Hit[] {
  const order = hits.map((h, i) => ({ ...h, i })).sort((a, b) => a.start - b.start || a.i - b.i);
  const out: (Hit & { i: number })[] = [];
  for (const h of order) {
    const last = out[out.length - 1];
    if (last && h.start < last.end) {
      last.end = Math.max(last.end, h.end);
      if (h.i < last.i) {
        last.rule = h.rule;
        last.i = h.i;
      }
    } else out.push({ ...h });
  }
  return out.map(({ rule, start, end }) => ({ rule, start, end }));
}

function newlines(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = text.indexOf('\n', from); i !== -1 && i < to; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

function apply(text: string, hits: readonly Hit[]): string {
  let out = '';
  let at = 0;
  for (const h of hits) {
    out += text.slice(at, h.start) + REDACTED;
    at = h.end;
  }
  return out + text.slice(at);
}

/**
 * Redacts a stream of output: write() the chunks as they come, then end(). The redacted text goes
 * to `emit`, in order; `redactions` lists what was taken out.
 */
export class StreamRedactor {
  readonly redactions: Redaction[] = [];
  /** redactions made past maxListed: counted, not listed */
  unlisted = 0;
  private readonly scanner = new LineScanner();
  private readonly decoder = new StringDecoder('utf8');
  private pending = '';
  private line = 1;
  private ended = false;

  constructor(
    private readonly emit: (text: string) => void,
    private readonly maxLine = MAX_LINE,
    private readonly maxListed = MAX_LISTED_REDACTIONS,
  ) {}

  write(chunk: Buffer | string): void {
    if (this.ended) return;
    const piece = typeof chunk === 'string' ? chunk : this.decoder.write(chunk);
    let text = this.pending + piece;
    // Only the new piece can hold a newline: what is pending has none.
    const inPiece = piece.lastIndexOf('\n');
    const lastNewline = inPiece === -1 ? -1 : this.pending.length + inPiece;
    if (lastNewline !== -1) {
      this.emit(this.redactLines(text.slice(0, lastNewline + 1)));
      text = text.slice(lastNewline + 1);
    }
    while (text.length > this.maxLine) text = this.cutLongLine(text);
    this.pending = text;
  }

  /** Flushes what is held back. dropPartialLine: an output cut short ends at its last whole line. */
  end(options: { dropPartialLine?: boolean } = {}): void {
    if (this.ended) return;
    this.ended = true;
    const rest = options.dropPartialLine ? '' : this.pending + this.decoder.end();
    this.pending = '';
    if (rest) this.emit(this.redactPiece(rest, false));
  }

  /**
   * Whole lines, each ending in a newline. Most output holds nothing that could begin a secret:
   * such lines pass as they are, and only a line with a TRIGGER in it is scanned rule by rule.
   */
  private redactLines(block: string): string {
    let out = '';
    let at = 0;
    while (at < block.length) {
      if (this.scanner.quiet()) {
        TRIGGER.lastIndex = at;
        const m = TRIGGER.exec(block);
        const start = !m ? block.length : m.index === 0 ? 0 : block.lastIndexOf('\n', m.index - 1) + 1;
        if (start > at) {
          this.line += newlines(block, at, start);
          out += block.slice(at, start);
          at = start;
          if (!m) break;
        }
      }
      const nl = block.indexOf('\n', at);
      out += this.redactPiece(block.slice(at, nl), true);
      at = nl + 1;
    }
    return out;
  }

  private redactPiece(text: string, endOfLine: boolean): string {
    const { hits, found } = this.scanner.scan(text);
    for (const rule of found) {
      if (this.redactions.length < this.maxListed) this.redactions.push({ rule, line: this.line });
      else this.unlisted++;
    }
    const out = apply(text, hits);
    if (!endOfLine) return out;
    this.line++;
    this.scanner.newLine();
    return `${out}\n`;
  }

  /** Emits the head of a line too long to hold, cut where no match spans the cut; returns the rest. */
  private cutLongLine(text: string): string {
    const limit = text.length - Math.floor(this.maxLine / OVERLAP_DIVISOR);
    const { matches } = this.scanner.scan(text, true);
    let cut = limit;
    for (let moved = true; moved;) {
      moved = false;
      for (const [s, e] of matches) {
        if (s < cut && cut < e) {
          cut = s;
          moved = true;
        }
      }
    }
    // One match longer than the line limit: cut it rather than hold it all.
    if (cut === 0) cut = limit;
    this.emit(this.redactPiece(text.slice(0, cut), false));
    return text.slice(cut);
  }
}

/** Redacts a whole text at once (tests, small files). */
export function redact(text: string): { text: string; redactions: Redaction[] } {
  let out = '';
  const r = new StreamRedactor((t) => (out += t));
  r.write(text);
  r.end();
  return { text: out, redactions: r.redactions };
}

/**
 * Redacts an argv as the command line it is, so that `--password X` and `mysql -pX` are seen
 * across arguments. An argument with blanks is quoted in that line, so a value is taken whole.
 * Each redaction names the argument it starts in.
 */
export function redactArgv(argv: readonly string[]): {
  argv: string[];
  redactions: { rule: RedactionRule; arg: number }[];
} {
  // Where each argument's own text sits in the joined line.
  const spans: { arg: string; start: number; end: number }[] = [];
  let joined = '';
  argv.forEach((arg, i) => {
    if (i > 0) joined += ' ';
    const quote = /[\s]/.test(arg) ? (!arg.includes('"') ? '"' : !arg.includes("'") ? "'" : '') : '';
    joined += quote;
    spans.push({ arg, start: joined.length, end: joined.length + arg.length });
    joined += arg + quote;
  });
  const argAt = (pos: number) =>
    Math.max(
      0,
      spans.findIndex(({ end }) => pos <= end),
    );

  const scanner = new LineScanner();
  const hits: Hit[] = [];
  const redactions: { rule: RedactionRule; arg: number }[] = [];
  let offset = 0;
  for (const line of joined.split('\n')) {
    const scan = scanner.scan(line);
    for (const h of scan.hits) hits.push({ rule: h.rule, start: h.start + offset, end: h.end + offset });
    // found[j] is hits[j]'s rule; a private key's BEGIN line is found with nothing to cut.
    scan.found.forEach((rule, j) => {
      redactions.push({ rule, arg: argAt(offset + (scan.hits[j]?.start ?? 0)) });
    });
    scanner.newLine();
    offset += line.length + 1;
  }

  const out = spans.map(({ arg, start: s, end: e }) => {
    let text = arg;
    // From the last hit back, so earlier positions stay valid.
    for (const h of [...hits].reverse()) {
      const a = Math.max(h.start, s);
      const b = Math.min(h.end, e);
      if (a < b) text = text.slice(0, a - s) + REDACTED + text.slice(b - s);
    }
    return text;
  });
  return { argv: out, redactions };
}
