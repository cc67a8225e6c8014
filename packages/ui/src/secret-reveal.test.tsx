import { describe, expect, it } from "vitest";
import { one, render } from "../test/render.js";
import { SecretReveal } from "./secret-reveal.js";

describe("SecretReveal", () => {
  it("shows the secret with its warning and a labelled copy button", () => {
    const root = render(<SecretReveal label="API key" value="nora_abc123" />);
    expect(one(root, "section").getAttribute("aria-label")).toBe("API key");
    expect(one(root, ".nora-secret-value").text).toBe("nora_abc123");
    expect(one(root, ".nora-secret-warning").text).toContain("shown once");
    expect(one(root, "button").text).toBe("Copy API key");
  });

  it("puts the value nowhere but the box: no input value, no attribute, no link", () => {
    const html = render(<SecretReveal label="API key" value="nora_abc123" />).toString();
    expect(html.split("nora_abc123")).toHaveLength(2);
    expect(html).not.toMatch(/value=|href=/);
  });
});
