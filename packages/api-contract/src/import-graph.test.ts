import { readdirSync, readFileSync } from "node:fs";
import ts from "typescript";
import { describe, expect, it } from "vitest";

/**
 * The contract is browser-safe: every file of the package (tests aside) imports zod and its own files,
 * nothing else: no `pg`, `ioredis`, `node:*`, no other workspace package.
 */
const dir = new URL("./", import.meta.url);
const sources = readdirSync(dir).filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts"));

function importsOf(file: string): string[] {
  const info = ts.preProcessFile(readFileSync(new URL(file, dir), "utf8"), true, true);
  return info.importedFiles.map((i) => i.fileName);
}

describe("@nora/api-contract import graph", () => {
  it("has sources to check", () => {
    expect(sources).toContain("index.ts");
    expect(sources.length).toBeGreaterThan(10);
  });

  it("imports only zod and its own files, statically or dynamically", () => {
    const offending: string[] = [];
    for (const file of sources) {
      for (const target of importsOf(file)) {
        const own =
          /^\.\/[\w-]+\.js$/.test(target) && sources.includes(target.slice(2).replace(/\.js$/, ".ts"));
        if (target !== "zod" && !own) offending.push(`${file} -> ${target}`);
      }
    }
    expect(offending).toEqual([]);
  });

  it("notices a forbidden import (the check is not vacuous)", () => {
    const info = ts.preProcessFile(
      'import { Pool } from "pg";\nexport * from "node:crypto";\nconst r = await import("ioredis");',
      true,
      true,
    );
    expect(info.importedFiles.map((i) => i.fileName)).toEqual(["pg", "node:crypto", "ioredis"]);
  });

  it("every source file is reachable from index.ts", () => {
    const seen = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      for (const target of importsOf(file)) {
        if (target.startsWith("./")) visit(target.slice(2).replace(/\.js$/, ".ts"));
      }
    };
    visit("index.ts");
    expect([...seen].sort()).toEqual([...sources].sort());
  });
});
