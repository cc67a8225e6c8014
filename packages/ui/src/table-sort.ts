export type SortDirection = "ascending" | "descending";

export interface SortState {
  column: string;
  direction: SortDirection;
}

export type SortValue = string | number | boolean | Date | null | undefined;

// Numeric collation: "agent-2" sorts before "agent-10".
const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });

const isEmpty = (value: SortValue): value is null | undefined => value === null || value === undefined;

/** Compares two values of one column; empty values compare after everything else. */
export function compareSortValues(a: SortValue, b: SortValue): number {
  if (isEmpty(a) || isEmpty(b)) return isEmpty(a) === isEmpty(b) ? 0 : isEmpty(a) ? 1 : -1;
  if (a instanceof Date && b instanceof Date) return a.getTime() - b.getTime();
  if (typeof a === "number" && typeof b === "number") return a - b;
  if (typeof a === "boolean" && typeof b === "boolean") return Number(a) - Number(b);
  return collator.compare(String(a), String(b));
}

/**
 * A sorted copy of `rows`. Stable (equal rows keep their order), and empty values stay last in
 * both directions: a descending sort reverses the values, not the gaps.
 */
export function sortRows<Row>(
  rows: readonly Row[],
  value: (row: Row) => SortValue,
  direction: SortDirection,
): Row[] {
  const sign = direction === "ascending" ? 1 : -1;
  return rows
    .map((row, index) => ({ row, index, key: value(row) }))
    .sort((a, b) => {
      if (isEmpty(a.key) || isEmpty(b.key)) return compareSortValues(a.key, b.key) || a.index - b.index;
      return sign * compareSortValues(a.key, b.key) || a.index - b.index;
    })
    .map((entry) => entry.row);
}

/** The sort after activating a column's header: a new column starts ascending, the same one flips. */
export function nextSort(current: SortState | undefined, column: string): SortState {
  if (current?.column !== column) return { column, direction: "ascending" };
  return { column, direction: current.direction === "ascending" ? "descending" : "ascending" };
}

export interface SortableColumn<Row> {
  key: string;
  /** Makes the column sortable; the value its rows are ordered by. */
  sortValue?: (row: Row) => SortValue;
}

/** Rows in the order `sort` asks for; unchanged when no sort applies or its column cannot sort. */
export function applySort<Row>(
  rows: readonly Row[],
  columns: readonly SortableColumn<Row>[],
  sort: SortState | undefined,
): readonly Row[] {
  const value = sort ? columns.find((column) => column.key === sort.column)?.sortValue : undefined;
  return sort && value ? sortRows(rows, value, sort.direction) : rows;
}
