import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  AGENT_STATUS_PRESENTATION,
  AGENT_STATUSES,
  isAgentStatus,
  presentAgentStatus,
} from "./agent-status.js";

const MIGRATIONS = fileURLToPath(new URL("../../core/migrations/", import.meta.url));

/** The statuses the newest migration that constrains `agents.status` allows. */
async function statusesInSchema(): Promise<string[]> {
  let latest: string[] | undefined;
  for (const file of (await readdir(MIGRATIONS)).filter((name) => name.endsWith(".sql")).sort()) {
    const sql = await readFile(join(MIGRATIONS, file), "utf8");
    if (!/\bagents\b/.test(sql)) continue;
    for (const match of sql.matchAll(/CHECK \(status IN \(([^)]*)\)\)/g)) {
      latest = [...(match[1] ?? "").matchAll(/'([^']+)'/g)].map((m) => m[1] ?? "");
    }
  }
  if (!latest) throw new Error("no CHECK (status IN (...)) on agents in the migrations");
  return latest;
}

describe("agent statuses", () => {
  it("are exactly the ones the database allows", async () => {
    expect([...AGENT_STATUSES].sort()).toEqual((await statusesInSchema()).sort());
  });

  it("each have a label and a tone; transitions in progress are marked busy", () => {
    for (const status of AGENT_STATUSES) {
      expect(AGENT_STATUS_PRESENTATION[status].label).not.toBe("");
    }
    const busy = AGENT_STATUSES.filter((status) => AGENT_STATUS_PRESENTATION[status].busy);
    expect(busy).toEqual(["queued", "provisioning", "deleting"]);
    expect(presentAgentStatus("failed").tone).toBe("danger");
    expect(presentAgentStatus("running").tone).toBe("success");
  });

  it("show a status this build does not know as itself, neutral", () => {
    expect(isAgentStatus("hibernating")).toBe(false);
    expect(presentAgentStatus("hibernating")).toEqual({ label: "hibernating", tone: "neutral", busy: false });
  });
});
