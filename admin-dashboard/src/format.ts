/** A timestamp from the API as the operator reads it (local time, minutes); "—" when absent. */
export function formatTime(value: string | null | undefined): string {
  if (!value) return "—";
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return value;
  return date.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

/** A short form of a uuid for dense tables (the full id is in the title). */
export function shortId(id: string | null | undefined): string {
  return id ? id.slice(0, 8) : "—";
}
