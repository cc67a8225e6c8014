import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import type { AgentVersionSource } from "./config.js";

/** `version` of a package.json, or null when it is missing or unreadable. */
export function packageJsonVersion(path: string): string | null {
  try {
    const parsed = z.object({ version: z.string() }).safeParse(JSON.parse(readFileSync(path, "utf8")));
    return parsed.success ? parsed.data.version : null;
  } catch {
    return null;
  }
}

/** The version in `<distribution>-<version>.dist-info` below `<prefix>/lib/python*\/site-packages`. */
function pythonDistVersion(prefix: string, distribution: string): string | null {
  const lib = join(prefix, "lib");
  try {
    for (const python of readdirSync(lib).filter((name) => name.startsWith("python"))) {
      const sitePackages = join(lib, python, "site-packages");
      for (const entry of readdirSync(sitePackages)) {
        if (entry.startsWith(`${distribution}-`) && entry.endsWith(".dist-info"))
          return entry.slice(distribution.length + 1, -".dist-info".length);
      }
    }
  } catch {
    // no installation here
  }
  return null;
}

export function readAgentVersion(source: AgentVersionSource | null): string | null {
  if (source === null) return null;
  return source.kind === "package-json"
    ? packageJsonVersion(source.path)
    : pythonDistVersion(source.prefix, source.distribution);
}
