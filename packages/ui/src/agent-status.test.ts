import { describe, expect, it } from "vitest";
import {
  AGENT_STATUS_PRESENTATION,
  AGENT_STATUSES,
  isAgentStatus,
  presentAgentStatus,
} from "./agent-status.js";

describe("agent statuses", () => {
  it("each have a label and a tone; transitions in progress are marked busy", () => {
    for (const status of AGENT_STATUSES) {
      expect(AGENT_STATUS_PRESENTATION[status].label).not.toBe("");
    }
    const busy = AGENT_STATUSES.filter((status) => AGENT_STATUS_PRESENTATION[status].busy);
    expect(busy).toEqual(["queued", "provisioning", "starting", "stopping", "deleting"]);
    expect(presentAgentStatus("failed").tone).toBe("danger");
    expect(presentAgentStatus("running").tone).toBe("success");
  });

  it("show a status this build does not know as itself, neutral", () => {
    expect(isAgentStatus("hibernating")).toBe(false);
    expect(presentAgentStatus("hibernating")).toEqual({ label: "hibernating", tone: "neutral", busy: false });
  });
});
