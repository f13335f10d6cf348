import Table from 'cli-table3';
import YAML from 'yaml';
import { CliError } from '../errors.ts';

/** -O for list/describe commands. */
export const OUTPUT_FORMATS = ['table', 'json', 'yaml'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export function parseOutputFormat(text: string): OutputFormat {
  const t = text.toLowerCase();
  if ((OUTPUT_FORMATS as readonly string[]).includes(t)) return t as OutputFormat;
  throw new CliError(`invalid output format '${text}' (use ${OUTPUT_FORMATS.join(', ')})`);
}

export interface Column<T> {
  header: string;
  cell: (row: T) => string | number;
}

/** Fluvio-style borderless table: a header row and space-separated columns. */
export function renderTable<T>(rows: readonly T[], columns: readonly Column<T>[]): string {
  const table = new Table({
    head: columns.map((c) => c.header),
    chars: {
      top: '', 'top-mid': '', 'top-left': '', 'top-right': '', bottom: '', 'bottom-mid': '',
      'bottom-left': '', 'bottom-right': '', left: '', 'left-mid': '', mid: '', 'mid-mid': '',
      right: '', 'right-mid': '', middle: '  ',
    },
    style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0 },
  });
  for (const row of rows) table.push(columns.map((c) => String(c.cell(row))));
  return table.toString().split('\n').map((l) => l.trimEnd()).join('\n') + '\n';
}

/** Prints `data` as JSON or YAML, or rows as a table; `empty` is the table's text for no rows. */
export function printResult<T>(format: OutputFormat, data: unknown, rows: readonly T[], columns: readonly Column<T>[], empty: string): void {
  let text: string;
  if (format === 'json') text = JSON.stringify(data, jsonSafe, 2) + '\n';
  else if (format === 'yaml') text = YAML.stringify(JSON.parse(JSON.stringify(data, jsonSafe)));
  else text = rows.length === 0 ? `${empty}\n` : renderTable(rows, columns);
  process.stdout.write(text);
}

/** Buffers and bigints render as text rather than as byte arrays or throwing. */
function jsonSafe(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (value && typeof value === 'object' && (value as { type?: unknown }).type === 'Buffer' && Array.isArray((value as { data?: unknown }).data)) {
    return Buffer.from((value as { data: number[] }).data).toString('base64');
  }
  return value;
}
