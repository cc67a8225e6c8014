import { describe, expect, it } from "vitest";
import { one, render } from "../../../../packages/ui/test/render";
import { FileEditor } from "./file-editor";

const noop = () => {};
const base = { root: "workspace", path: "notes.md", modifiedAt: "t0", binary: false } as const;

describe("files editor", () => {
  it("shows a failed read with the API's message, code and request id", () => {
    const html = render(
      <FileEditor
        state={{
          phase: "failed",
          root: "workspace",
          path: "../x",
          error: {
            title: "Could not read the file",
            message: "Paths may not contain '..'",
            code: "validation_failed",
            requestId: "req-42",
          },
        }}
        readOnlyReason={null}
        downloadHref={null}
        onEdit={noop}
        onSave={noop}
        onRevert={noop}
      />,
    );
    const alert = one(html, "[role=alert]");
    expect(alert.text).toContain("Paths may not contain '..'");
    expect(alert.text).toContain("validation_failed");
    expect(alert.text).toContain("req-42");
  });

  it("marks a dirty file and enables Save", () => {
    const html = render(
      <FileEditor
        state={{ ...base, phase: "ready", original: "a", draft: "ab", error: null }}
        readOnlyReason={null}
        downloadHref="/x"
        onEdit={noop}
        onSave={noop}
        onRevert={noop}
      />,
    );
    expect(one(html, "h3").text).toContain("unsaved changes");
    const save = html.querySelectorAll("button").find((b) => b.text.includes("Save"));
    expect(save?.getAttribute("aria-disabled")).toBeUndefined();
  });

  it("a read-only root disables Save with the reason and makes the text read-only", () => {
    const html = render(
      <FileEditor
        state={{ ...base, phase: "ready", original: "a", draft: "ab", error: null }}
        readOnlyReason="The logs root is read-only."
        downloadHref={null}
        onEdit={noop}
        onSave={noop}
        onRevert={noop}
      />,
    );
    const save = html.querySelectorAll("button").find((b) => b.text.includes("Save"));
    expect(save?.getAttribute("aria-disabled")).toBe("true");
    expect(one(html, "#file-blocked-reason").text).toBe("The logs root is read-only.");
    expect(one(html, "textarea").hasAttribute("readonly")).toBe(true);
  });
});
