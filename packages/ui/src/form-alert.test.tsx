import { describe, expect, it } from "vitest";
import { one, render } from "../test/render.js";
import { FormAlert } from "./form-alert.js";
import { formErrorsFrom, NO_FORM_ERRORS } from "./form-state.js";

const REQUEST_ID = "0b6a6c2e-5a4f-4f1e-9c38-1f2d3e4a5b6c";

describe("FormAlert", () => {
  it("renders nothing while the form has no error", () => {
    expect(render(<FormAlert title="Could not sign in" errors={NO_FORM_ERRORS} />).toString()).toBe("");
  });

  it("is a focusable alert with what failed, the API's message and its request id to copy", () => {
    const errors = formErrorsFrom({
      error: "invalid_credentials",
      message: "Email or password is incorrect",
      requestId: REQUEST_ID,
    });
    const root = render(<FormAlert title="Could not sign in" errors={errors} />);
    const alert = one(root, "[role=alert]");
    expect(alert.getAttribute("tabindex")).toBe("-1");
    expect(one(alert, ".nora-form-alert-title").text).toBe("!Could not sign in");
    expect(one(alert, ".nora-field-error-icon").getAttribute("aria-hidden")).toBe("true");
    expect(one(alert, ".nora-form-alert-message").text).toBe("Email or password is incorrect");
    expect(one(alert, ".nora-form-alert-request code").text).toBe(REQUEST_ID);
    expect(one(alert, ".nora-form-alert-request button").text).toBe("Copy request id");
  });

  it("lists several messages, and points at the fields when the errors are all inline", () => {
    const several = render(
      <FormAlert
        title="Could not save"
        errors={{ fields: {}, form: ["First", "labels.team: Expected string"] }}
      />,
    );
    expect(several.querySelectorAll("li").map((li) => li.text)).toEqual([
      "First",
      "labels.team: Expected string",
    ]);

    const inline = render(
      <FormAlert title="Could not save" errors={{ fields: { email: "Invalid" }, form: [] }} />,
    );
    expect(one(inline, ".nora-form-alert-message").text).toBe("Check the fields marked below.");
    expect(inline.querySelector(".nora-form-alert-request")).toBeNull();
  });
});
