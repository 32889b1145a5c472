/** RFC 4180 CSV text with a header line, as the demo report endpoints serve it. */
export function toCsv(columns: string[], rows: Record<string, unknown>[]): string {
  const quote = (value: unknown): string => {
    const text = String(value ?? '');
    return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  return (
    [columns.join(','), ...rows.map((row) => columns.map((column) => quote(row[column])).join(','))].join('\n') + '\n'
  );
}
