import { describe, expect, it } from "vitest";
import { one, referenced, render } from "../test/render.js";
import { SelectField } from "./select-field.js";
import { TextAreaField } from "./textarea-field.js";

describe("SelectField", () => {
  it("labels its select, lists the options and wires hint and error", () => {
    const root = render(
      <SelectField
        label="Queue"
        name="queue"
        defaultValue="backups"
        hint="Where the job ran"
        error="Pick a queue"
        options={[
          { value: "deployments", label: "deployments" },
          { value: "backups", label: "backups" },
        ]}
      />,
    );
    const select = one(root, "select");
    expect(one(root, "label").getAttribute("for")).toBe(select.id);
    expect(select.getAttribute("name")).toBe("queue");
    expect(select.querySelectorAll("option").map((o) => o.getAttribute("value"))).toEqual([
      "deployments",
      "backups",
    ]);
    expect(one(root, "option[selected]").getAttribute("value")).toBe("backups");
    expect(select.getAttribute("aria-invalid")).toBe("true");
    expect(referenced(root, select, "aria-describedby").map((el) => el.text)).toEqual([
      "Where the job ran",
      "!Error: Pick a queue",
    ]);
  });
});

describe("TextAreaField", () => {
  it("labels its text area and is valid until given an error", () => {
    const valid = render(<TextAreaField label="Kubeconfig" name="kubeconfig" required />);
    const area = one(valid, "textarea");
    expect(one(valid, "label").getAttribute("for")).toBe(area.id);
    expect(area.hasAttribute("required")).toBe(true);
    expect(area.hasAttribute("aria-invalid")).toBe(false);
    const invalid = render(<TextAreaField label="Kubeconfig" name="kubeconfig" error="exec is refused" />);
    const refused = one(invalid, "textarea");
    expect(refused.getAttribute("aria-invalid")).toBe("true");
    expect(referenced(invalid, refused, "aria-describedby").map((el) => el.text)).toEqual([
      "!Error: exec is refused",
    ]);
  });
});
