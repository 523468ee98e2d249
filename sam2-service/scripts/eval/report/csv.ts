/** RFC 4180 CSV: a header row, comma-separated, fields with a comma, quote or line break quoted. */
export function toCsv(rows: Record<string, unknown>[], columns: string[]): string {
  const field = (v: unknown) => {
    const text =
      v === null || v === undefined
        ? ''
        : Array.isArray(v)
          ? v.join(' ')
          : typeof v === 'object'
            ? JSON.stringify(v)
            : String(v);
    return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  return (
    [columns.join(','), ...rows.map((r) => columns.map((c) => field(r[c])).join(','))].join('\r\n') + '\r\n'
  );
}
