/** A timestamp as people read it in their locale; `—` when there is none. */
export function formatTime(value: string | null | undefined): string {
  if (!value) return "—";
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? value : date.toLocaleString();
}

/** For sorting a column of optional timestamps: missing ones first. */
export function timeValue(value: string | null | undefined): number {
  return value ? new Date(value).getTime() : 0;
}
