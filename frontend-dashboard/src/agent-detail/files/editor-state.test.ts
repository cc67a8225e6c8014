import { describe, expect, it } from "vitest";
import { type EditorState, editorReducer, isDirty } from "./editor-state";

const error = {
  title: "Could not save",
  message: "The file is too large",
  code: "file_too_large",
  requestId: "req-1",
};

function opened(content = "a"): EditorState {
  let s = editorReducer({ phase: "empty" }, { type: "open", root: "workspace", path: "notes.md" });
  s = editorReducer(s, { type: "loaded", content, encoding: "utf8", modifiedAt: "t0" });
  return s;
}

describe("files editor state", () => {
  it("is dirty while the draft differs from what was read, and clean again once saved", () => {
    let s = opened("a");
    expect(isDirty(s)).toBe(false);
    s = editorReducer(s, { type: "edit", draft: "ab" });
    expect(isDirty(s)).toBe(true);
    s = editorReducer(s, { type: "save" });
    expect(s.phase).toBe("saving");
    s = editorReducer(s, { type: "saved", modifiedAt: "t1" });
    expect(s).toMatchObject({ phase: "ready", original: "ab", modifiedAt: "t1" });
    expect(isDirty(s)).toBe(false);
  });

  it("keeps the draft and shows the error when a save fails", () => {
    let s = editorReducer(opened("a"), { type: "edit", draft: "changed" });
    s = editorReducer(editorReducer(s, { type: "save" }), { type: "failed", error });
    expect(s).toMatchObject({ phase: "ready", draft: "changed", error });
    expect(isDirty(s)).toBe(true);
  });

  it("a failed read is its own state, with the request id", () => {
    let s = editorReducer({ phase: "empty" }, { type: "open", root: "config", path: "x" });
    s = editorReducer(s, { type: "failed", error });
    expect(s).toEqual({ phase: "failed", root: "config", path: "x", error });
  });

  it("does not edit binary content or save a clean file", () => {
    let s = editorReducer({ phase: "empty" }, { type: "open", root: "workspace", path: "img.png" });
    s = editorReducer(s, { type: "loaded", content: "AAEC", encoding: "base64", modifiedAt: "t0" });
    expect(editorReducer(s, { type: "edit", draft: "x" })).toBe(s);
    expect(editorReducer(opened(), { type: "save" }).phase).toBe("ready");
  });
});
