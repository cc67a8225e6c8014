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

async function themes() {
  const rules = await tokenRules();
  const light = rules.get(":root");
  const systemDark = rules.get(':root:not([data-theme="light"])');
  const forcedDark = rules.get(':root[data-theme="dark"]');
  if (!light || !systemDark || !forcedDark) throw new Error("tokens.css lost one of its theme rules");
  return { light, dark: new Map([...light, ...systemDark]), systemDark, forcedDark };
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
  it("write the dark palette identically for the system preference and for data-theme=dark", async () => {
    const { systemDark, forcedDark } = await themes();
    expect(Object.fromEntries(forcedDark)).toEqual(Object.fromEntries(systemDark));
  });

  it("give every colour a value in both themes", async () => {
    const { light, systemDark } = await themes();
    expect(colourNames(systemDark)).toEqual(colourNames(light));
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

  it("styles.css brings in tokens, base and components, tokens first", async () => {
    const imports = [...(await read("styles.css")).matchAll(/@import\s+"([^"]+)"/g)].map((m) => m[1]);
    expect(imports).toEqual(["./styles/tokens.css", "./styles/base.css", "./styles/components.css"]);
  });
});
