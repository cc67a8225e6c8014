import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const read = (name: string) => readFile(fileURLToPath(new URL(name, import.meta.url)), "utf8");
const SHEETS = ["styles.css", "styles/tokens.css", "styles/base.css", "styles/components.css"];

type Tokens = Map<string, string>;

/** The custom properties of each innermost rule in tokens.css, by selector. */
async function tokenRules(): Promise<Map<string, Tokens>> {
  const css = (await read("styles/tokens.css")).replace(/\/\*[\s\S]*?\*\//g, "");
  const rules = new Map<string, Tokens>();
  for (const [, selector = "", body = ""] of css.matchAll(/([^{}]+)\{([^{}]*)\}/g)) {
    const tokens = rules.get(selector.trim()) ?? new Map<string, string>();
    for (const [, name = "", value = ""] of body.matchAll(/(--[\w-]+)\s*:\s*([^;]+);/g))
      tokens.set(name, value.trim());
    rules.set(selector.trim(), tokens);
  }
  return rules;
}

/** Splits `light-dark(a, b)` at its top-level comma (a colour may itself hold commas, e.g. rgb(...)). */
function lightDark(value: string): [string, string] | undefined {
  const inner = /^light-dark\((.*)\)$/.exec(value)?.[1];
  if (inner === undefined) return undefined;
  let depth = 0;
  for (let i = 0; i < inner.length; i++) {
    const c = inner[i];
    if (c === "(") depth++;
    else if (c === ")") depth--;
    else if (c === "," && depth === 0) return [inner.slice(0, i).trim(), inner.slice(i + 1).trim()];
  }
  return undefined;
}

/** Each theme's colour values: the palette is written once, as light-dark(<light>, <dark>) pairs. */
async function themes() {
  const rules = await tokenRules();
  const root = new Map([...(rules.get(":root") ?? [])]);
  if (!rules.has(':root[data-theme="dark"]') || !rules.has(':root[data-theme="light"]')) {
    throw new Error("tokens.css lost a data-theme rule");
  }
  const light = new Map<string, string>();
  const dark = new Map<string, string>();
  const unpaired: string[] = [];
  for (const [name, value] of root) {
    const pair = lightDark(value);
    if (/^--nora-(color|tone)-/.test(name) && !pair) unpaired.push(name);
    light.set(name, pair?.[0] ?? value);
    dark.set(name, pair?.[1] ?? value);
  }
  return { light, dark, unpaired };
}

const colourNames = (tokens: Tokens) =>
  [...tokens.keys()].filter((name) => /^--nora-(color|tone)-/.test(name)).sort();

function luminance(hex: string): number {
  const match = /^#([0-9a-f]{6})$/i.exec(hex);
  if (!match?.[1]) throw new Error(`not a #rrggbb colour: ${hex}`);
  const channels = [0, 2, 4].map((i) => Number.parseInt(match[1]?.slice(i, i + 2) ?? "", 16) / 255);
  const [r = 0, g = 0, b = 0] = channels.map((c) =>
    c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4,
  );
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** WCAG 2 contrast ratio of two opaque colours. */
function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

const TONES = ["neutral", "info", "success", "warning", "danger"];
// [foreground, background, minimum]: 4.5 for text (AA), 3 for focus rings, borders and icons.
const PAIRS: Array<[string, string, number]> = [
  ["text", "bg", 4.5],
  ["text", "surface", 4.5],
  ["text", "surface-raised", 4.5],
  ["text-muted", "bg", 4.5],
  ["text-muted", "surface", 4.5],
  ["text-muted", "surface-raised", 4.5],
  ["link", "bg", 4.5],
  ["danger-text", "bg", 4.5],
  ["danger-text", "surface-raised", 4.5],
  ["on-accent", "accent", 4.5],
  ["on-accent", "accent-hover", 4.5],
  ["on-secondary", "secondary", 4.5],
  ["on-secondary", "secondary-hover", 4.5],
  ["on-danger", "danger", 4.5],
  ["on-danger", "danger-hover", 4.5],
  ["focus", "bg", 3],
  ["focus", "surface-raised", 3],
  ["border-strong", "bg", 3],
  ["border-strong", "surface-raised", 3],
];

describe("design tokens", () => {
  it("give every colour a value in both themes, written once as a light-dark() pair", async () => {
    const { light, dark, unpaired } = await themes();
    expect(unpaired).toEqual([]);
    expect(colourNames(dark)).toEqual(colourNames(light));
    expect(colourNames(light).length).toBeGreaterThan(20);
  });

  it("let data-theme force either scheme, and follow the system otherwise", async () => {
    const rules = await tokenRules();
    const css = await read("styles/tokens.css");
    expect(css).toMatch(/:root\s*\{\s*color-scheme:\s*light dark;/);
    expect(rules.has(':root[data-theme="dark"]')).toBe(true);
    expect(css).toMatch(/:root\[data-theme="dark"\]\s*\{\s*color-scheme:\s*dark;\s*\}/);
    expect(css).toMatch(/:root\[data-theme="light"\]\s*\{\s*color-scheme:\s*light;\s*\}/);
  });

  it.each(["light", "dark"] as const)("meet WCAG AA contrast in the %s theme", async (theme) => {
    const tokens = (await themes())[theme];
    const colour = (name: string) => {
      const value = tokens.get(`--nora-${name}`);
      if (!value) throw new Error(`no --nora-${name}`);
      return value;
    };
    const failures: string[] = [];
    const check = (fg: string, bg: string, min: number) => {
      const ratio = contrast(colour(fg), colour(bg));
      if (ratio < min) failures.push(`${fg} on ${bg}: ${ratio.toFixed(2)} < ${min}`);
    };
    for (const [fg, bg, min] of PAIRS) check(`color-${fg}`, `color-${bg}`, min);
    for (const tone of TONES) {
      check(`tone-${tone}-fg`, `tone-${tone}-bg`, 4.5);
      check(`tone-${tone}-fg`, "color-surface-raised", 3);
    }
    expect(failures).toEqual([]);
  });

  it("define every custom property the stylesheets use", async () => {
    const { light } = await themes();
    const missing = new Set<string>();
    for (const sheet of SHEETS) {
      for (const [, name = ""] of (await read(sheet)).matchAll(/var\((--[\w-]+)/g)) {
        if (!light.has(name)) missing.add(`${sheet}: ${name}`);
      }
    }
    expect([...missing]).toEqual([]);
  });
});

describe("stylesheets", () => {
  it("load nothing from anywhere: no fonts, no urls, only the package's own files imported", async () => {
    for (const sheet of SHEETS) {
      const css = await read(sheet);
      expect(css, sheet).not.toMatch(/url\(|@font-face|https?:|\/\//);
      for (const [, target = ""] of css.matchAll(/@import\s+"([^"]+)"/g))
        expect(target).toMatch(/^\.\/styles\/[\w-]+\.css$/);
    }
  });

  it("styles.css brings in tokens, base and components, tokens first, then each area's sheet", async () => {
    const imports = [...(await read("styles.css")).matchAll(/@import\s+"([^"]+)"/g)].map((m) => m[1]);
    expect(imports.slice(0, 3)).toEqual([
      "./styles/tokens.css",
      "./styles/base.css",
      "./styles/components.css",
    ]);
    for (const area of imports.slice(3)) expect(area).toMatch(/^\.\/styles\/[a-z-]+\.css$/);
  });
});
