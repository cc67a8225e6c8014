import type { Rotation } from "../types";

/** How far a rotation is: values re-sealed out of all it has to re-seal (0–1; 1 when nothing to do). */
export function rotationFraction(rotation: Rotation): number {
  let done = 0;
  let total = 0;
  for (const column of rotation.progress) {
    done += column.resealed;
    total += column.resealed + column.remaining;
  }
  return total === 0 ? 1 : done / total;
}

/** The values per key id, over every column (a key no longer configured still shows here). */
export function totalsByKey(usage: ReadonlyArray<{ byKeyId: Record<string, number> }>): Map<string, number> {
  const totals = new Map<string, number>();
  for (const column of usage) {
    for (const [keyId, count] of Object.entries(column.byKeyId))
      totals.set(keyId, (totals.get(keyId) ?? 0) + count);
  }
  return totals;
}
