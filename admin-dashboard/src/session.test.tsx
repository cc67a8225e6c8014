import type { Me } from "@nora/api-client";
import type { Loaded } from "@nora/ui";
import { parse } from "node-html-parser";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { GateView, gateStateOf } from "./session";

const render = (element: React.ReactElement) => parse(renderToStaticMarkup(element));

function me(role: "user" | "admin"): Me {
  return {
    user: { id: "9b0c3a52-3f4e-4c1a-9a57-1d2e3f4a5b6c", email: "bo@example.org", role, displayName: null },
  } as unknown as Me;
}
const ready = (value: Me | null): Loaded<Me | null> => ({ state: "ready", value });

describe("the admin gate", () => {
  it("lets only a platform admin through", () => {
    expect(gateStateOf({ state: "loading" })).toBe("loading");
    expect(gateStateOf({ state: "failed", error: new Error("down") })).toBe("failed");
    expect(gateStateOf(ready(null))).toBe("signed-out");
    expect(gateStateOf(ready(me("user")))).toBe("refused");
    expect(gateStateOf(ready(me("admin")))).toBe("admin");
  });

  it("shows a signed-in non-admin a clear refusal with the way back to /app, and none of the pages", () => {
    const loaded = ready(me("user"));
    const page = render(
      <GateView state={gateStateOf(loaded)} loaded={loaded}>
        <p id="secret">admin page</p>
      </GateView>,
    );
    expect(page.querySelector("h1")?.text).toBe("Administrators only");
    expect(page.text).toContain("bo@example.org");
    expect(page.querySelector("a")?.getAttribute("href")).toBe("/app");
    expect(page.querySelector("#secret")).toBeNull();
  });

  it("renders the pages for an admin, and only a loading line while the session is unknown or gone", () => {
    const admin = ready(me("admin"));
    const child = <p id="secret">admin page</p>;
    expect(
      render(
        <GateView state="admin" loaded={admin}>
          {child}
        </GateView>,
      ).querySelector("#secret"),
    ).not.toBeNull();
    for (const [state, loaded] of [
      ["loading", { state: "loading" }],
      ["signed-out", ready(null)],
    ] as const) {
      const page = render(
        <GateView state={state} loaded={loaded}>
          {child}
        </GateView>,
      );
      expect(page.querySelector("#secret")).toBeNull();
      expect(page.text).toContain("Loading");
    }
    const failed = render(
      <GateView
        state="failed"
        loaded={{ state: "failed", error: new Error("The server could not be reached") }}
      >
        {child}
      </GateView>,
    );
    expect(failed.text).toContain("Nora could not load your session");
    expect(failed.querySelector("#secret")).toBeNull();
  });
});
