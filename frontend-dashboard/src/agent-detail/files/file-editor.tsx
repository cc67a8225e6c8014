import { Button } from "@nora/ui";
import { ErrorNotice } from "../../streams/error-notice";
import { type EditorState, isDirty } from "./editor-state";

export interface FileEditorProps {
  state: EditorState;
  /** Why this file cannot be saved (read-only root, viewer), or null. */
  readOnlyReason: string | null;
  downloadHref: string | null;
  onEdit(draft: string): void;
  onSave(): void;
  onRevert(): void;
}

/** The open file: its text to edit, save while dirty, or why it cannot be (binary, read-only, error). */
export function FileEditor({
  state,
  readOnlyReason,
  downloadHref,
  onEdit,
  onSave,
  onRevert,
}: FileEditorProps) {
  if (state.phase === "empty") return <p className="nora-live-empty">Choose a file to view it.</p>;
  const title = `${state.root}/${state.path}`;
  if (state.phase === "loading") return <p className="nora-loading">Reading {title}…</p>;
  if (state.phase === "failed") return <ErrorNotice error={state.error} />;
  const dirty = isDirty(state);
  const blocked = readOnlyReason ?? (state.binary ? "Binary file: download it to see it." : null);
  return (
    <div className="nora-file-editor">
      <div className="nora-live-toolbar">
        <h3 className="nora-file-title">
          {title}
          {dirty ? <span className="nora-file-dirty"> (unsaved changes)</span> : null}
        </h3>
        {downloadHref ? (
          <a className="nora-button nora-button--secondary nora-button--sm" href={downloadHref} download>
            Download
          </a>
        ) : null}
        <Button
          variant="secondary"
          size="sm"
          disabled={!dirty || state.phase === "saving"}
          onClick={onRevert}
        >
          Revert
        </Button>
        <Button
          size="sm"
          disabled={!dirty || blocked !== null}
          loading={state.phase === "saving"}
          onClick={onSave}
          aria-describedby={blocked ? "file-blocked-reason" : undefined}
        >
          Save
        </Button>
      </div>
      {blocked ? (
        <p id="file-blocked-reason" className="nora-live-meta">
          {blocked}
        </p>
      ) : null}
      {state.error ? <ErrorNotice error={state.error} /> : null}
      <label className="nora-visually-hidden" htmlFor="file-content">
        Content of {title}
      </label>
      <textarea
        id="file-content"
        className="nora-file-text"
        spellCheck={false}
        value={state.binary ? "(binary content)" : state.draft}
        readOnly={blocked !== null}
        onChange={(e) => onEdit(e.currentTarget.value)}
        onKeyDown={(e) => {
          if ((e.ctrlKey || e.metaKey) && e.key === "s") {
            e.preventDefault();
            if (dirty && blocked === null) onSave();
          }
        }}
      />
    </div>
  );
}
