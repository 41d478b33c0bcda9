/** One measured value against its target: the table marks the ones that miss. */
export interface Check {
  name: string;
  /** The measured value as printed (a ratio, a size, requests by command...). */
  value: string;
  target: string;
  ok: boolean;
}

export type Cell = string | number | null;
/** One table row: raw values by column key (numbers stay numbers in the JSON). */
export type Row = Record<string, Cell>;

export interface Column {
  key: string;
  label: string;
  /** How a number is printed; plain integers or two decimals otherwise. */
  format?: (value: number) => string;
}

/** One measure's figures: printed as a table and written as JSON, from the same rows. */
export interface Section {
  id: string;
  title: string;
  notes: string[];
  columns: Column[];
  rows: Row[];
  checks: Check[];
}

export const verdict = (ok: boolean) => (ok ? 'ok' : 'MISSED');

/** A number with `digits` decimals and thousands separators, or '-' when it was not measured. */
export function fmt(value: number | null | undefined, digits = 0): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '-';
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export const ratio = (value: number, reference: number) => (reference > 0 ? value / reference : Number.NaN);
export const times = (value: number, digits = 2) => (Number.isFinite(value) ? `${fmt(value, digits)}×` : '-');

/** Column formats. */
export const as = {
  count: (v: number) => fmt(v, 0),
  oneDecimal: (v: number) => fmt(v, 1),
  twoDecimals: (v: number) => fmt(v, 2),
  ratio: (v: number) => times(v),
};

function render(columns: readonly Column[], rows: readonly Row[]): string {
  const text = rows.map((row) =>
    columns.map(({ key, format }) => {
      const cell = row[key] ?? null;
      if (cell === null) return '-';
      if (typeof cell === 'string') return cell;
      return format ? format(cell) : fmt(cell, Number.isInteger(cell) ? 0 : 2);
    }),
  );
  const widths = columns.map((c, i) => Math.max(c.label.length, ...text.map((cells) => (cells[i] ?? '').length)));
  const numeric = columns.map((c) => rows.every((row) => typeof row[c.key] !== 'string'));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (numeric[i] ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(columns.map((c) => c.label)), widths.map((w) => '-'.repeat(w)).join('  '), ...text.map(line)].join('\n');
}

export function renderSection(section: Section): string {
  const parts = [`## ${section.title}`, ...section.notes.map((n) => `   ${n}`), '', render(section.columns, section.rows)];
  if (section.checks.length > 0) {
    const columns = [
      { key: 'name', label: 'target' },
      { key: 'value', label: 'measured' },
      { key: 'target', label: 'wanted' },
      { key: 'verdict', label: 'verdict' },
    ];
    parts.push(
      '',
      render(
        columns,
        section.checks.map((c) => ({ name: c.name, value: c.value, target: c.target, verdict: verdict(c.ok) })),
      ),
    );
  }
  return parts.join('\n');
}

/** The section for the JSON file: its rows with raw values, keyed as the columns are. */
export function sectionJson(section: Section) {
  return {
    id: section.id,
    title: section.title,
    notes: section.notes,
    columns: section.columns.map((c) => ({ key: c.key, label: c.label })),
    rows: section.rows,
    checks: section.checks,
  };
}
