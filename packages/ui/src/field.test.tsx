import { describe, expect, it } from "vitest";
import { one, referenced, render } from "../test/render.js";
import { fieldErrorsFromApiError } from "./api-error.js";
import { Field } from "./field.js";

describe("Field", () => {
  it("labels its input and describes it by the hint alone while valid", () => {
    const root = render(<Field label="Agent name" name="name" hint="Letters, digits and dashes" />);
    const input = one(root, "input");
    const label = one(root, "label");
    expect(input.id).not.toBe("");
    expect(label.getAttribute("for")).toBe(input.id);
    expect(label.text).toBe("Agent name");
    expect(input.getAttribute("name")).toBe("name");
    expect(input.hasAttribute("aria-invalid")).toBe(false);
    expect(referenced(root, input, "aria-describedby").map((el) => el.text)).toEqual([
      "Letters, digits and dashes",
    ]);
  });

  it("marks an error inline: aria-invalid, described by hint then error, announced as an error", () => {
    const root = render(
      <Field label="Email" name="email" id="signup-email" hint="We never share it" error="Invalid email" />,
    );
    const input = one(root, "input");
    expect(input.id).toBe("signup-email");
    expect(input.getAttribute("aria-invalid")).toBe("true");
    const described = referenced(root, input, "aria-describedby");
    expect(described.map((el) => el.id)).toEqual(["signup-email-hint", "signup-email-error"]);
    expect(described[1]?.text).toBe("!Error: Invalid email");
    expect(one(root, ".nora-field-error-icon").getAttribute("aria-hidden")).toBe("true");
  });

  it("without hint or error has no aria-describedby at all", () => {
    const input = one(render(<Field label="Name" name="name" />), "input");
    expect(input.hasAttribute("aria-describedby")).toBe(false);
  });

  it("marks a required field natively, its asterisk hidden from assistive technology", () => {
    const root = render(<Field label="Name" name="name" required />);
    expect(one(root, "input").hasAttribute("required")).toBe(true);
    expect(one(root, ".nora-field-required").getAttribute("aria-hidden")).toBe("true");
  });

  it("gives two fields of the same name distinct ids", () => {
    const root = render(
      <>
        <Field label="A" name="name" />
        <Field label="B" name="name" />
      </>,
    );
    const [a, b] = root.querySelectorAll("input");
    expect(a?.id).not.toBe(b?.id);
  });

  it("shows the field error an API validation_failed body carries for it", () => {
    const body = {
      error: "validation_failed",
      message: "Request is invalid",
      details: [{ path: "email", code: "invalid_format", message: "Invalid email address" }],
      requestId: "req-1",
    };
    const errors = fieldErrorsFromApiError(body, ["email"]);
    const root = render(<Field label="Email" name="email" error={errors.fields.email} />);
    expect(one(root, "input").getAttribute("aria-invalid")).toBe("true");
    expect(one(root, ".nora-field-error").text).toContain("Invalid email address");
  });
});
