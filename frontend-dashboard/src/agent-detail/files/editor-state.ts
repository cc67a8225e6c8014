import type { ShownError } from "../../streams/error-notice";

/**
 * The open file of the Files tab. `original` is what the agent had when it was read (or last saved):
 * the draft is dirty while it differs, and leaving then asks first. `modifiedAt` is the file's time
 * at read; a save warns when the file changed on the agent since (checked by reading it again).
 */
export type EditorState =
  | { phase: "empty" }
  | { phase: "loading"; root: string; path: string }
  | {
      phase: "ready" | "saving";
      root: string;
      path: string;
      original: string;
      draft: string;
      modifiedAt: string;
      /** base64 content: shown as not editable here (download it instead). */
      binary: boolean;
      error: ShownError | null;
    }
  | { phase: "failed"; root: string; path: string; error: ShownError };

export type EditorAction =
  | { type: "open"; root: string; path: string }
  | { type: "loaded"; content: string; encoding: "utf8" | "base64"; modifiedAt: string }
  | { type: "edit"; draft: string }
  | { type: "save" }
  | { type: "saved"; modifiedAt: string }
  | { type: "failed"; error: ShownError }
  | { type: "close" };

export function editorReducer(state: EditorState, action: EditorAction): EditorState {
  switch (action.type) {
    case "open":
      return { phase: "loading", root: action.root, path: action.path };
    case "loaded":
      if (state.phase !== "loading") return state;
      return {
        phase: "ready",
        root: state.root,
        path: state.path,
        original: action.content,
        draft: action.content,
        modifiedAt: action.modifiedAt,
        binary: action.encoding === "base64",
        error: null,
      };
    case "edit":
      return state.phase === "ready" && !state.binary ? { ...state, draft: action.draft } : state;
    case "save":
      return state.phase === "ready" && isDirty(state) ? { ...state, phase: "saving", error: null } : state;
    case "saved":
      return state.phase === "saving"
        ? { ...state, phase: "ready", original: state.draft, modifiedAt: action.modifiedAt }
        : state;
    case "failed":
      if (state.phase === "saving" || state.phase === "ready")
        return { ...state, phase: "ready", error: action.error };
      if (state.phase === "loading")
        return { phase: "failed", root: state.root, path: state.path, error: action.error };
      return state;
    case "close":
      return { phase: "empty" };
  }
}

export function isDirty(state: EditorState): boolean {
  return (state.phase === "ready" || state.phase === "saving") && state.draft !== state.original;
}
