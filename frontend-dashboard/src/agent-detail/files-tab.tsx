"use client";

import type { CallOutput } from "@nora/api-client";
import { agentFileRoutes } from "@nora/api-contract";
import { Button, ConfirmDialog, useToast } from "@nora/ui";
import { useCallback, useEffect, useReducer, useRef, useState } from "react";
import { api } from "../api";
import { atLeast } from "../roles";
import { ErrorNotice, type ShownError, shownError } from "../streams/error-notice";
import { useAgentContext } from "./agent-context";
import { editorReducer, isDirty } from "./files/editor-state";
import { FileEditor } from "./files/file-editor";
import { baseName, downloadUrl, joinPath, parentOf, UPLOAD_CAP_BYTES } from "./files/file-paths";
import { FileTree, type TreeEntry } from "./files/file-tree";
import { PathDialog } from "./files/path-dialog";
import { uploadFile } from "./files/upload";

type Root = CallOutput<typeof agentFileRoutes.fileRoots>["roots"][number];
type Listing = { entries: TreeEntry[]; truncated: boolean };
type Dialogs =
  | { kind: "mkdir" }
  | { kind: "rename"; entry: TreeEntry }
  | { kind: "delete"; entry: TreeEntry }
  | null;

const LEAVE_WARNING = "This file has unsaved changes. Leave it and lose them?";

/** The agent's files: its roots, one directory at a time, a text editor, and the changes editors may make. */
export function FilesTab() {
  const { agent, role } = useAgentContext();
  const toast = useToast();
  const [roots, setRoots] = useState<Root[] | null>(null);
  const [root, setRoot] = useState<string | null>(null);
  const [dir, setDir] = useState("");
  const [listing, setListing] = useState<Listing | null>(null);
  const [failure, setFailure] = useState<ShownError | null>(null);
  const [editor, dispatch] = useReducer(editorReducer, { phase: "empty" });
  const [dialog, setDialog] = useState<Dialogs>(null);
  const [busy, setBusy] = useState(false);
  const upload = useRef<HTMLInputElement>(null);
  const params = { agentId: agent.id };
  const rootInfo = roots?.find((r) => r.name === root);
  const writeBlocked = !atLeast(role, "editor")
    ? "Changing files needs the editor role."
    : rootInfo && !rootInfo.writable
      ? `The ${rootInfo.name} root is read-only.`
      : null;
  const dirty = isDirty(editor);

  useEffect(() => {
    api.call(agentFileRoutes.fileRoots, { params: { agentId: agent.id } }).then(
      (answer) => {
        setRoots(answer.roots);
        setRoot((r) => r ?? answer.roots[0]?.name ?? null);
      },
      (error: unknown) => setFailure(shownError("Could not list the agent's file roots", error)),
    );
  }, [agent.id]);

  const list = useCallback(async () => {
    if (!root) return;
    setListing(null);
    try {
      const answer = await api.call(agentFileRoutes.fileTree, {
        params: { agentId: agent.id },
        query: { root, path: dir },
      });
      setListing({ entries: answer.entries, truncated: answer.truncated });
      setFailure(null);
    } catch (error) {
      setListing({ entries: [], truncated: false });
      setFailure(shownError(`Could not list ${root}/${dir}`, error));
    }
  }, [agent.id, root, dir]);
  useEffect(() => {
    void list();
  }, [list]);

  // Leaving the page with unsaved text asks first.
  useEffect(() => {
    if (!dirty) return;
    const warn = (event: BeforeUnloadEvent) => event.preventDefault();
    window.addEventListener("beforeunload", warn);
    return () => window.removeEventListener("beforeunload", warn);
  }, [dirty]);
  const mayLeave = () => !dirty || window.confirm(LEAVE_WARNING);

  const openFile = async (path: string) => {
    if (!root || !mayLeave()) return;
    dispatch({ type: "open", root, path });
    try {
      const file = await api.call(agentFileRoutes.fileContent, { params, query: { root, path } });
      dispatch({
        type: "loaded",
        content: file.content,
        encoding: file.encoding,
        modifiedAt: file.modifiedAt,
      });
    } catch (error) {
      dispatch({ type: "failed", error: shownError(`Could not read ${root}/${path}`, error) });
    }
  };

  const save = async () => {
    if (editor.phase !== "ready" || !isDirty(editor)) return;
    const { root: r, path, draft, modifiedAt } = editor;
    dispatch({ type: "save" });
    try {
      // Conflict check: the file changed on the agent since it was read? Ask before overwriting.
      const now = await api
        .call(agentFileRoutes.fileContent, { params, query: { root: r, path } })
        .catch(() => null);
      if (
        now &&
        now.modifiedAt !== modifiedAt &&
        !window.confirm(`${path} changed on the agent since you opened it. Overwrite it?`)
      ) {
        dispatch({
          type: "failed",
          error: {
            title: "Not saved",
            message: "The file changed on the agent; reopen it to see the new version.",
            code: null,
            requestId: null,
          },
        });
        return;
      }
      await api.call(agentFileRoutes.writeFileContent, {
        params,
        body: { root: r, path, content: draft, encoding: "utf8" },
      });
      const after = await api
        .call(agentFileRoutes.fileContent, { params, query: { root: r, path } })
        .catch(() => null);
      dispatch({ type: "saved", modifiedAt: after?.modifiedAt ?? modifiedAt });
      toast.show({ tone: "success", title: `Saved ${path}` });
      void list();
    } catch (error) {
      dispatch({ type: "failed", error: shownError(`Could not save ${path}`, error) });
    }
  };

  const runChange = async (title: string, action: () => Promise<unknown>): Promise<ShownError | null> => {
    try {
      await action();
      void list();
      return null;
    } catch (error) {
      const shown = shownError(title, error);
      toast.show({
        tone: "error",
        title,
        message: shown.message,
        ...(shown.requestId ? { requestId: shown.requestId } : {}),
      });
      return shown;
    }
  };

  const onUpload = async (files: FileList | null) => {
    const file = files?.[0];
    if (!file || !root) return;
    setBusy(true);
    const failed = await runChange(`Could not upload ${file.name}`, () =>
      uploadFile(agent.id, root, joinPath(dir, file.name), file),
    );
    setBusy(false);
    if (failed) setFailure(failed);
    else toast.show({ tone: "success", title: `Uploaded ${file.name}` });
    if (upload.current) upload.current.value = "";
  };

  if (!roots) {
    return failure ? (
      <ErrorNotice error={failure} />
    ) : (
      <p className="nora-loading">Loading the agent's files…</p>
    );
  }

  return (
    <section className="nora-live-tab" aria-labelledby="files-heading">
      <div className="nora-live-toolbar">
        <h2 id="files-heading">Files</h2>
        <label className="nora-inline-field">
          Root
          <select
            value={root ?? ""}
            onChange={(e) => {
              if (!mayLeave()) return;
              dispatch({ type: "close" });
              setRoot(e.currentTarget.value);
              setDir("");
            }}
          >
            {roots.map((r) => (
              <option key={r.name} value={r.name}>
                {r.name}
                {r.writable ? "" : " (read-only)"}
              </option>
            ))}
          </select>
        </label>
        <Button size="sm" variant="secondary" disabled={dir === ""} onClick={() => setDir(parentOf(dir))}>
          Up
        </Button>
        <Button size="sm" variant="secondary" onClick={() => void list()}>
          Refresh
        </Button>
        <Button
          size="sm"
          variant="secondary"
          disabled={writeBlocked !== null}
          onClick={() => setDialog({ kind: "mkdir" })}
        >
          New directory
        </Button>
        <Button
          size="sm"
          variant="secondary"
          disabled={writeBlocked !== null}
          loading={busy}
          onClick={() => upload.current?.click()}
        >
          Upload
        </Button>
        <input
          ref={upload}
          type="file"
          hidden
          aria-label="File to upload"
          onChange={(e) => void onUpload(e.currentTarget.files)}
        />
        <span className="nora-live-meta">
          {writeBlocked ?? `Uploads up to ${UPLOAD_CAP_BYTES / 1048576} MiB go into the current directory.`}
        </span>
      </div>
      {failure ? <ErrorNotice error={failure} /> : null}
      <div className="nora-files-layout">
        <FileTree
          root={root ?? ""}
          dir={dir}
          entries={listing?.entries ?? null}
          truncated={listing?.truncated ?? false}
          selected={editor.phase === "empty" ? null : editor.path}
          writeBlocked={writeBlocked}
          onOpenDir={(path) => setDir(path)}
          onOpenFile={(path) => void openFile(path)}
          onRename={(entry) => setDialog({ kind: "rename", entry })}
          onDelete={(entry) => setDialog({ kind: "delete", entry })}
        />
        <FileEditor
          state={editor}
          readOnlyReason={writeBlocked}
          downloadHref={
            editor.phase === "ready" || editor.phase === "saving"
              ? downloadUrl(agent.id, editor.root, editor.path)
              : null
          }
          onEdit={(draft) => dispatch({ type: "edit", draft })}
          onSave={() => void save()}
          onRevert={() => editor.phase === "ready" && dispatch({ type: "edit", draft: editor.original })}
        />
      </div>
      <PathDialog
        open={dialog?.kind === "mkdir"}
        title="New directory"
        label="Directory name or path"
        hint={`Created inside ${root}/${dir}`}
        initial=""
        submitLabel="Create"
        onClose={() => setDialog(null)}
        onSubmit={(name) =>
          runChange("Could not create the directory", () =>
            api.call(agentFileRoutes.makeDirectory, {
              params,
              body: { root: root ?? "", path: joinPath(dir, name) },
            }),
          )
        }
      />
      {dialog?.kind === "rename" ? (
        <PathDialog
          open
          title={`Move or rename ${dialog.entry.name}`}
          label="New path (inside the root)"
          initial={dialog.entry.path}
          submitLabel="Move"
          onClose={() => setDialog(null)}
          onSubmit={(to) =>
            runChange(`Could not move ${dialog.entry.name}`, () =>
              api.call(agentFileRoutes.moveFile, {
                params,
                body: { root: root ?? "", from: dialog.entry.path, to },
              }),
            )
          }
        />
      ) : null}
      {dialog?.kind === "delete" ? (
        <ConfirmDialog
          open
          title={`Delete ${dialog.entry.name}?`}
          description={
            dialog.entry.type === "directory"
              ? "The directory and everything in it are deleted."
              : "The file is deleted from the agent."
          }
          confirmationText={baseName(dialog.entry.path)}
          confirmLabel="Delete"
          busy={busy}
          onClose={() => setDialog(null)}
          onConfirm={async () => {
            setBusy(true);
            const failed = await runChange(`Could not delete ${dialog.entry.name}`, () =>
              api.call(agentFileRoutes.deleteFile, {
                params,
                query: { root: root ?? "", path: dialog.entry.path },
              }),
            );
            setBusy(false);
            if (!failed) {
              if (editor.phase !== "empty" && editor.path === dialog.entry.path) dispatch({ type: "close" });
              setDialog(null);
            }
          }}
        />
      ) : null}
    </section>
  );
}
