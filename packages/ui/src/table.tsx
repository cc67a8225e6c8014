"use client";
import { type ReactNode, useId, useState } from "react";
import { cx } from "./class-names.js";
import { applySort, nextSort, type SortableColumn, type SortState } from "./table-sort.js";

export interface Column<Row> extends SortableColumn<Row> {
  header: ReactNode;
  cell: (row: Row) => ReactNode;
  align?: "start" | "end";
  /** The column that names each row (rendered as a row header). */
  rowHeader?: boolean;
}

export interface TableProps<Row> {
  /** Names the table (and its scrollable region); `captionHidden` keeps it for screen readers only. */
  caption: ReactNode;
  captionHidden?: boolean;
  columns: readonly Column<Row>[];
  rows: readonly Row[];
  rowKey: (row: Row) => string;
  loading?: boolean;
  loadingMessage?: ReactNode;
  emptyMessage?: ReactNode;
  /** The initial sort when the table keeps its own. */
  defaultSort?: SortState;
  /** A controlled sort: the table shows it and reports activations through `onSortChange`. */
  sort?: SortState;
  onSortChange?: (sort: SortState) => void;
  /** The rows arrive already in `sort` order (the API sorted them): the table does not reorder them. */
  presorted?: boolean;
}

const SORT_INDICATOR = { ascending: "▲", descending: "▼", none: "↕" } as const;

export function Table<Row>({
  caption,
  captionHidden = false,
  columns,
  rows,
  rowKey,
  loading = false,
  loadingMessage = "Loading…",
  emptyMessage = "Nothing to show yet.",
  defaultSort,
  sort: controlledSort,
  onSortChange,
  presorted = false,
}: TableProps<Row>) {
  const captionId = useId();
  const [ownSort, setOwnSort] = useState<SortState | undefined>(defaultSort);
  const sort = controlledSort ?? ownSort;
  const shown = presorted ? rows : applySort(rows, columns, sort);

  const activate = (column: string) => {
    const next = nextSort(sort, column);
    if (controlledSort === undefined) setOwnSort(next);
    onSortChange?.(next);
  };

  let placeholder: ReactNode;
  if (shown.length === 0) placeholder = loading ? loadingMessage : emptyMessage;

  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a region that scrolls must be reachable by keyboard (WCAG 2.1.1).
    <section className="nora-table-wrap" aria-labelledby={captionId} tabIndex={0}>
      <table className="nora-table" aria-busy={loading || undefined}>
        <caption id={captionId} className={cx(captionHidden && "nora-visually-hidden")}>
          {caption}
        </caption>
        <thead>
          <tr>
            {columns.map((column) => {
              const direction = sort?.column === column.key ? sort.direction : undefined;
              return (
                <th
                  key={column.key}
                  scope="col"
                  aria-sort={column.sortValue ? direction : undefined}
                  className={cx(column.align === "end" && "nora-cell--end")}
                >
                  {column.sortValue ? (
                    <button type="button" className="nora-table-sort" onClick={() => activate(column.key)}>
                      {column.header}
                      <span className="nora-sort-indicator" aria-hidden="true">
                        {SORT_INDICATOR[direction ?? "none"]}
                      </span>
                    </button>
                  ) : (
                    column.header
                  )}
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody>
          {placeholder === undefined ? (
            shown.map((row) => (
              <tr key={rowKey(row)}>
                {columns.map((column) => {
                  const className = cx(column.align === "end" && "nora-cell--end");
                  return column.rowHeader ? (
                    <th key={column.key} scope="row" className={className}>
                      {column.cell(row)}
                    </th>
                  ) : (
                    <td key={column.key} className={className}>
                      {column.cell(row)}
                    </td>
                  );
                })}
              </tr>
            ))
          ) : (
            <tr>
              <td colSpan={columns.length} className="nora-table-placeholder">
                {placeholder}
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </section>
  );
}
