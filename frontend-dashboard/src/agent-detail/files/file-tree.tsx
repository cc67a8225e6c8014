import type { CallOutput } from "@nora/api-client";
import type { agentFileRoutes } from "@nora/api-contract";
import { Button } from "@nora/ui";
import { formatBytes } from "../metrics/metrics-frames";
import { crumbs } from "./file-paths";

export type TreeEntry = CallOutput<typeof agentFileRoutes.fileTree>["entries"][number];

export interface FileTreeProps {
  root: string;
  dir: string;
  entries: readonly TreeEntry[] | null;
  truncated: boolean;
  selected: string | null;
  /** Why changes are refused here, or null. */
  writeBlocked: string | null;
  onOpenDir(path: string): void;
  onOpenFile(path: string): void;
  onRename(entry: TreeEntry): void;
  onDelete(entry: TreeEntry): void;
}

/** One directory level (the API lists one per request), with its breadcrumb and per-entry actions. */
export function FileTree(props: FileTreeProps) {
  const { root, dir, entries, truncated, selected, writeBlocked } = props;
  return (
    <div className="nora-file-tree">
      <nav aria-label="Current directory" className="nora-file-crumbs">
        <button type="button" className="nora-link-button" onClick={() => props.onOpenDir("")}>
          {root}
        </button>
        {crumbs(dir).map((c) => (
          <span key={c.path}>
            {" / "}
            <button type="button" className="nora-link-button" onClick={() => props.onOpenDir(c.path)}>
              {c.name}
            </button>
          </span>
        ))}
      </nav>
      {entries === null ? (
        <p className="nora-loading">Listing…</p>
      ) : entries.length === 0 ? (
        <p className="nora-live-empty">This directory is empty.</p>
      ) : (
        <table className="nora-table nora-file-table">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Size</th>
              <th scope="col">Modified</th>
              <th scope="col">
                <span className="nora-visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {entries.map((entry) => (
              <tr key={entry.path} aria-selected={entry.path === selected || undefined}>
                <td>
                  <button
                    type="button"
                    className="nora-link-button"
                    onClick={() =>
                      entry.type === "directory" ? props.onOpenDir(entry.path) : props.onOpenFile(entry.path)
                    }
                  >
                    {entry.name}
                    {entry.type === "directory" ? "/" : ""}
                    {entry.type === "symlink" ? <span className="nora-live-meta"> (link)</span> : null}
                  </button>
                </td>
                <td>{entry.type === "directory" ? "—" : formatBytes(entry.size)}</td>
                <td>{entry.modifiedAt ? new Date(entry.modifiedAt).toLocaleString() : "—"}</td>
                <td className="nora-file-row-actions">
                  <Button
                    size="sm"
                    variant="secondary"
                    disabled={writeBlocked !== null}
                    title={writeBlocked ?? undefined}
                    onClick={() => props.onRename(entry)}
                  >
                    Rename<span className="nora-visually-hidden"> {entry.name}</span>
                  </Button>
                  <Button
                    size="sm"
                    variant="danger"
                    disabled={writeBlocked !== null}
                    title={writeBlocked ?? undefined}
                    onClick={() => props.onDelete(entry)}
                  >
                    Delete<span className="nora-visually-hidden"> {entry.name}</span>
                  </Button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {truncated ? (
        <p className="nora-live-meta">The listing was cut: the directory holds more entries.</p>
      ) : null}
    </div>
  );
}
