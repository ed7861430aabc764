// snapper's CSV output (`snapper --csvout list --columns ...`), parsed by column name, so a
// snapper that orders columns differently still reads right.
import { ToolboxError } from '../core/errors.js';

export interface Snapshot {
  number: number;
  date: string;
  description: string;
  /** the next boot's root */
  default: boolean;
  /** the running root */
  active: boolean;
}

/** Splits CSV as snapper writes it: fields quoted with "" when they hold a comma or a quote. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const fields: string[] = [];
    let field = '';
    let quoted = false;
    for (let i = 0; i < line.length; i++) {
      const ch = line.charAt(i);
      if (quoted) {
        if (ch === '"' && line[i + 1] === '"') {
          field += '"';
          i++;
        } else if (ch === '"') quoted = false;
        else field += ch;
      } else if (ch === '"') quoted = true;
      else if (ch === ',') {
        fields.push(field);
        field = '';
      } else field += ch;
    }
    fields.push(field);
    rows.push(fields);
  }
  return rows;
}

/**
 * The snapshots snapper reported it could not load. snapper 0.10 skips a snapshot whose info.xml
 * it cannot read, says "loading N failed" on stderr and still exits 0: the usual cause is a
 * snapshot being created (its number directory exists before its info.xml does), else a damaged
 * info.xml. libxml2 may add its own lines (":1: parser error : Document is empty"); they are ignored.
 */
export function unreadableSnapshots(stderr: string): number[] {
  const numbers: number[] = [];
  for (const line of stderr.split('\n')) {
    const m = /^loading (\d+) failed$/.exec(line.trim());
    if (m) numbers.push(Number(m[1]));
  }
  return numbers;
}

/**
 * Snapshots from snapper's list; snapshot 0 ("current", the live file system) is left out.
 * The header is the first line naming a "number" column: any line before it is a diagnostic
 * (should snapper's stderr ever reach this text), not data. A list without that header cannot
 * be read, and says so as an expected failure.
 */
export function parseSnapshots(csv: string): Snapshot[] {
  const table = parseCsv(csv);
  const [first] = table;
  if (first === undefined) return [];
  const headerAt = table.findIndex((row) => row.includes('number'));
  const header = table[headerAt];
  if (header === undefined) {
    throw new ToolboxError(`snapper's list has no header line (it printed ${JSON.stringify(first.join(','))})`, {
      hint: "check 'snapper list' on the host",
    });
  }
  const at = (name: string) => header.indexOf(name);
  const [num, def, act, date, desc] = ['number', 'default', 'active', 'date', 'description'].map(at) as [
    number,
    number,
    number,
    number,
    number,
  ];
  const snapshots: Snapshot[] = [];
  for (const row of table.slice(headerAt + 1)) {
    const number = Number(row[num]);
    if (!/^[0-9]+$/.test(row[num] ?? '') || number === 0) continue;
    snapshots.push({
      number,
      date: date >= 0 ? (row[date] ?? '') : '',
      description: desc >= 0 ? (row[desc] ?? '') : '',
      default: def >= 0 && row[def] === 'yes',
      active: act >= 0 && row[act] === 'yes',
    });
  }
  return snapshots;
}
