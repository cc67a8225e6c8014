import { describe, expect, it } from "vitest";
import { one, render } from "../test/render.js";
import { applyThemePreference, readThemePreference, THEME_INIT_SCRIPT, THEME_STORAGE_KEY } from "./theme.js";
import { ThemeToggle } from "./theme-toggle.js";

const storage = (values: Record<string, string>) => ({ getItem: (key: string) => values[key] ?? null });

describe("theme preference", () => {
  it("reads a stored light or dark choice, and falls back to the system for anything else", () => {
    expect(readThemePreference(storage({ [THEME_STORAGE_KEY]: "dark" }))).toBe("dark");
    expect(readThemePreference(storage({ [THEME_STORAGE_KEY]: "light" }))).toBe("light");
    expect(readThemePreference(storage({ [THEME_STORAGE_KEY]: "purple" }))).toBe("system");
    expect(readThemePreference(storage({}))).toBe("system");
    expect(readThemePreference(undefined)).toBe("system");
    const refusing = {
      getItem: () => {
        throw new Error("SecurityError");
      },
    };
    expect(readThemePreference(refusing)).toBe("system");
  });

  it("forces a scheme with data-theme, and removes it to follow the system", () => {
    const root = { dataset: {} as DOMStringMap };
    applyThemePreference(root, "dark");
    expect(root.dataset.theme).toBe("dark");
    applyThemePreference(root, "system");
    expect(root.dataset).toEqual({});
  });

  it("applies the stored choice from the inline script before the first paint", () => {
    const run = (stored: string | null) => {
      const html = { dataset: {} as DOMStringMap };
      new Function("localStorage", "document", THEME_INIT_SCRIPT)(
        { getItem: (key: string) => (key === THEME_STORAGE_KEY ? stored : null) },
        { documentElement: html },
      );
      return html.dataset.theme;
    };
    expect(run("dark")).toBe("dark");
    expect(run("light")).toBe("light");
    expect(run("<script>")).toBeUndefined();
    expect(run(null)).toBeUndefined();
  });
});

describe("ThemeToggle", () => {
  it("is a labelled group of three radios, one checked, each with its visible name", () => {
    const root = render(<ThemeToggle initial="dark" />);
    expect(one(root, "fieldset legend").text).toBe("Theme");
    const radios = root.querySelectorAll("input[type=radio]");
    expect(radios.map((r) => r.getAttribute("value"))).toEqual(["system", "light", "dark"]);
    expect(radios.map((r) => r.hasAttribute("checked"))).toEqual([false, false, true]);
    expect(new Set(radios.map((r) => r.getAttribute("name"))).size).toBe(1);
    expect(root.querySelectorAll("label").map((l) => l.text)).toEqual(["System", "Light", "Dark"]);
    expect(one(root, ".nora-theme-option--checked").text).toBe("Dark");
  });
});
