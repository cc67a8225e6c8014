import { describe, expect, it } from "vitest";
import { one, render } from "../test/render.js";
import { AGENT_STATUS_PRESENTATION, AGENT_STATUSES } from "./agent-status.js";
import { StatusBadge } from "./status-badge.js";

describe("StatusBadge", () => {
  it.each(AGENT_STATUSES)("shows %s as words, not colour alone", (status) => {
    const root = render(<StatusBadge status={status} />);
    const badge = one(root, ".nora-badge");
    const { label, tone, busy } = AGENT_STATUS_PRESENTATION[status];
    expect(badge.text).toBe(label);
    expect(badge.classList.contains(`nora-badge--${tone}`)).toBe(true);
    expect(badge.classList.contains("nora-badge--busy")).toBe(busy);
    expect(badge.getAttribute("data-status")).toBe(status);
    expect(one(root, ".nora-badge-dot").getAttribute("aria-hidden")).toBe("true");
  });

  it("gives failed and running different tones and different words", () => {
    const failed = one(render(<StatusBadge status="failed" />), ".nora-badge");
    const running = one(render(<StatusBadge status="running" />), ".nora-badge");
    expect(failed.getAttribute("class")).not.toBe(running.getAttribute("class"));
    expect(failed.text).not.toBe(running.text);
  });

  it("shows an unknown status as its own text", () => {
    expect(one(render(<StatusBadge status="hibernating" />), ".nora-badge").text).toBe("hibernating");
  });
});
