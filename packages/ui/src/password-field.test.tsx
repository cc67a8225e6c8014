import { describe, expect, it } from "vitest";
import { one, referenced, render } from "../test/render.js";
import { PasswordField } from "./password-field.js";

describe("PasswordField", () => {
  it("is a labelled password input with a show toggle, and no rules when signing in", () => {
    const root = render(<PasswordField label="Password" name="password" id="pw" required />);
    const input = one(root, "input");
    expect(input.getAttribute("type")).toBe("password");
    expect(input.getAttribute("autocomplete")).toBe("current-password");
    expect(one(root, "label").getAttribute("for")).toBe("pw");
    const toggle = one(root, "button");
    expect(toggle.getAttribute("type")).toBe("button");
    expect(toggle.getAttribute("aria-pressed")).toBe("false");
    expect(toggle.getAttribute("aria-controls")).toBe("pw");
    expect(toggle.text).toBe("Show password");
    expect(root.querySelector(".nora-password-rules")).toBeNull();
    expect(input.hasAttribute("aria-describedby")).toBe(false);
  });

  it("shows a revealed password as text, the toggle pressed", () => {
    const root = render(<PasswordField label="Password" name="password" initiallyVisible />);
    expect(one(root, "input").getAttribute("type")).toBe("text");
    expect(one(root, "button").getAttribute("aria-pressed")).toBe("true");
    expect(one(root, "button").text).toBe("Hide password");
  });

  it("for a new password lists the rules, pending before anything is typed", () => {
    const root = render(<PasswordField label="New password" name="newPassword" id="np" showRules />);
    const input = one(root, "input");
    expect(input.getAttribute("autocomplete")).toBe("new-password");
    const described = referenced(root, input, "aria-describedby");
    expect(described.map((el) => el.id)).toEqual(["np-rules"]);
    expect(one(root, "ul").getAttribute("aria-label")).toBe("Password rules");
    expect(root.querySelectorAll("li").map((li) => li.text)).toEqual([
      "•Not checked yet: At least 10 characters",
      "•Not checked yet: At most 128 characters",
      "•Not checked yet: Not a commonly used password",
    ]);
    expect(one(root, "[aria-live=polite]").text).toBe("");
  });

  it("marks each rule met or not as typed, in words as well as marks, and announces what is missing", () => {
    const root = render(
      <PasswordField label="Password" name="password" showRules initialValue="password123" />,
    );
    const rules = root.querySelectorAll("li");
    expect(rules.map((li) => li.classList.contains("nora-password-rule--met"))).toEqual([true, true, false]);
    expect(rules.map((li) => one(li, ".nora-visually-hidden").text)).toEqual(["Met: ", "Met: ", "Not met: "]);
    expect(
      rules.every((li) => one(li, ".nora-password-rule-mark").getAttribute("aria-hidden") === "true"),
    ).toBe(true);
    expect(one(root, "[aria-live=polite]").text).toBe(
      "Password rules not met: not a commonly used password.",
    );
  });

  it("shows the API's inline error after the rules, described by hint, rules, then error", () => {
    const root = render(
      <PasswordField
        label="Password"
        name="password"
        id="pw"
        hint="Use a passphrase"
        showRules
        initialValue="short"
        error="Password must be at least 10 characters"
      />,
    );
    const input = one(root, "input");
    expect(input.getAttribute("aria-invalid")).toBe("true");
    expect(referenced(root, input, "aria-describedby").map((el) => el.id)).toEqual([
      "pw-hint",
      "pw-rules",
      "pw-error",
    ]);
    expect(one(root, ".nora-field-error").text).toBe("!Error: Password must be at least 10 characters");
    expect(one(root, ".nora-field").classList.contains("nora-field--invalid")).toBe(true);
  });
});
