import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { type Browser, chromium, type Page } from "playwright-core";

/** Debian's Chromium (`apt-get install chromium`; .ci/run installs it). Never a downloaded browser. */
export const CHROMIUM = "/usr/bin/chromium";

/**
 * Browser tests skip where Chromium is not installed, except under NORA_CI=1: there a missing browser
 * fails the run instead of passing it unchecked. `note` goes in the suite's title.
 */
export const chromiumMissing = !existsSync(CHROMIUM) && process.env.NORA_CI !== "1";
export const chromiumNote = chromiumMissing
  ? ` (skipped: ${CHROMIUM} is not installed; apt-get install chromium)`
  : "";

/** Headless, with nothing that reaches past loopback on its own. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--no-first-run",
    ],
  });
}

/** Serious and critical axe-core findings in `scope` (a selector), or in the whole document. */
export async function axeViolations(page: Page, scope?: string): Promise<string[]> {
  const source = await readFile(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
  await page.evaluate(source);
  // Runs in the page; typed without the DOM library, since Node-side tests import this file too.
  const results = await page.evaluate(async (selector) => {
    const page = globalThis as unknown as {
      document: unknown;
      axe: {
        run(
          context: unknown,
          options: object,
        ): Promise<{ violations: Array<{ id: string; impact: string | null; nodes: unknown[] }> }>;
      };
    };
    return page.axe.run(selector ? { include: [selector] } : page.document, { resultTypes: ["violations"] });
  }, scope);
  return results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => {
      const targets = JSON.stringify(v.nodes.map((n) => (n as { target?: unknown }).target)).slice(0, 300);
      return `${v.id} (${v.impact}, ${v.nodes.length} nodes: ${targets})`;
    });
}
