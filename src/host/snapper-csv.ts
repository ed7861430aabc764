// snapper's CSV output (`snapper --csvout list --columns ...`), parsed by column name, so a
// snapper that orders columns differently still reads right.

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
      const ch = line[i]!;
      if (quoted) {
        if (ch === '"' && line[i + 1] === '"') (field += '"'), i++;
        else if (ch === '"') quoted = false;
        else field += ch;
      } else if (ch === '"') quoted = true;
      else if (ch === ',') fields.push(field), (field = '');
      else field += ch;
    }
    fields.push(field);
    rows.push(fields);
  }
  return rows;
}

/** Snapshots from snapper's list; snapshot 0 ("current", the live file system) is left out. */
export function parseSnapshots(csv: string): Snapshot[] {
  const [header, ...rows] = parseCsv(csv);
  if (!header) return [];
  const at = (name: string) => header.indexOf(name);
  const [num, def, act, date, desc] = ['number', 'default', 'active', 'date', 'description'].map(at) as [number, number, number, number, number];
  if (num < 0) throw new Error(`snapper list has no number column: ${header.join(',')}`);
  const snapshots: Snapshot[] = [];
  for (const row of rows) {
    const number = Number(row[num]);
    if (!Number.isInteger(number) || number === 0) continue;
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
