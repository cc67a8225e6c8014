import { describe, expect, it, vi } from "vitest";
import { one, referenced, render } from "../test/render.js";
import { Button } from "./button.js";
import { ConfirmDialog, ConfirmForm } from "./confirm-dialog.js";
import { confirmationMatches } from "./confirmation.js";
import { Dialog } from "./dialog.js";

const noop = () => {};

describe("Dialog", () => {
  it("is a native dialog, labelled by its title and described by its description", () => {
    const root = render(
      <Dialog
        open
        onClose={noop}
        title="Rename agent"
        description="The runtime keeps running."
        actions={<Button>Save</Button>}
      >
        <p>Body</p>
      </Dialog>,
    );
    const dialog = one(root, "dialog");
    expect(dialog.getAttribute("aria-modal")).toBe("true");
    expect(dialog.hasAttribute("role")).toBe(false);
    // Opened with showModal() on the client, never by the `open` attribute (which would be non-modal).
    expect(dialog.hasAttribute("open")).toBe(false);
    expect(referenced(root, dialog, "aria-labelledby").map((el) => [el.tagName, el.text])).toEqual([
      ["H2", "Rename agent"],
    ]);
    expect(referenced(root, dialog, "aria-describedby").map((el) => el.text)).toEqual([
      "The runtime keeps running.",
    ]);
    expect(one(root, ".nora-dialog-close").getAttribute("aria-label")).toBe("Close");
    expect(one(root, ".nora-dialog-close span").getAttribute("aria-hidden")).toBe("true");
    expect(one(root, ".nora-dialog-actions button").text).toBe("Save");
  });

  it("mounts no content while closed, so a reopened dialog starts fresh", () => {
    const dialog = one(render(<Dialog open={false} onClose={noop} title="Rename agent" />), "dialog");
    expect(dialog.childNodes).toHaveLength(0);
  });

  it("without a description has no aria-describedby", () => {
    const dialog = one(render(<Dialog open onClose={noop} title="Rename agent" />), "dialog");
    expect(dialog.hasAttribute("aria-describedby")).toBe(false);
  });

  it("marks its close button unavailable while not dismissible", () => {
    const root = render(<Dialog open onClose={noop} title="Saving" dismissible={false} />);
    expect(one(root, ".nora-dialog-close").getAttribute("aria-disabled")).toBe("true");
  });
});

describe("ConfirmDialog", () => {
  const dialog = (busy = false) =>
    render(
      <ConfirmDialog
        open
        onClose={noop}
        onConfirm={noop}
        title="Delete agent billing-bot?"
        description="Its runtime, volumes and backups are removed. This cannot be undone."
        confirmationText="billing-bot"
        confirmLabel="Delete agent"
        busy={busy}
      />,
    );

  it("is an alertdialog asking for the name, its input labelled and focused first", () => {
    const root = dialog();
    expect(one(root, "dialog").getAttribute("role")).toBe("alertdialog");
    const input = one(root, "input");
    const label = one(root, `label[for="${input.id}"]`);
    expect(label.text).toBe("Type billing-bot to confirm");
    expect(input.hasAttribute("data-autofocus")).toBe(true);
    expect(input.getAttribute("autocomplete")).toBe("off");
    expect(input.getAttribute("spellcheck")).toBe("false");
  });

  it("keeps the danger button disabled until the phrase is typed", () => {
    const danger = one(dialog(), ".nora-button--danger");
    expect(danger.getAttribute("type")).toBe("submit");
    expect(danger.text).toBe("Delete agent");
    expect(danger.getAttribute("aria-disabled")).toBe("true");
  });

  it("enables it once the typed text matches, and shows the action in flight while busy", () => {
    const form = (typed: string, busy = false) =>
      render(
        <ConfirmForm
          confirmationText="billing-bot"
          confirmLabel="Delete agent"
          cancelLabel="Cancel"
          busy={busy}
          onCancel={noop}
          onConfirm={vi.fn()}
          initialTyped={typed}
        />,
      );
    expect(one(form("billing-bo"), ".nora-button--danger").getAttribute("aria-disabled")).toBe("true");
    expect(one(form("billing-bot"), ".nora-button--danger").hasAttribute("aria-disabled")).toBe(false);
    const busy = form("billing-bot", true);
    expect(one(busy, ".nora-button--danger").getAttribute("aria-busy")).toBe("true");
    expect(one(busy, ".nora-button--secondary").getAttribute("aria-disabled")).toBe("true");
  });

  it("cannot be dismissed while busy", () => {
    expect(one(dialog(true), ".nora-dialog-close").getAttribute("aria-disabled")).toBe("true");
  });
});

describe("confirmationMatches", () => {
  it("needs the exact phrase, case and all", () => {
    expect(confirmationMatches("billing-bot", "billing-bot")).toBe(true);
    expect(confirmationMatches("Billing-bot", "billing-bot")).toBe(false);
    expect(confirmationMatches("billing-bo", "billing-bot")).toBe(false);
    expect(confirmationMatches("billing-bot!", "billing-bot")).toBe(false);
    expect(confirmationMatches("", "billing-bot")).toBe(false);
  });

  it("ignores whitespace around a pasted phrase", () => {
    expect(confirmationMatches(" billing-bot\n", "billing-bot")).toBe(true);
    expect(confirmationMatches("billing - bot", "billing-bot")).toBe(false);
  });

  it("never confirms an empty phrase", () => {
    expect(confirmationMatches("", "")).toBe(false);
    expect(confirmationMatches("  ", " ")).toBe(false);
  });
});
