import { describe, expect, it } from "vitest";
import type { z } from "zod";
import { isJsonResponse, pathParamNames } from "./route.js";
import { API, ROUTES } from "./routes.js";

const keysOf = (schema: z.ZodType | undefined): string[] => {
  const shape = (schema as { shape?: Record<string, unknown> } | undefined)?.shape;
  return shape ? Object.keys(shape).sort() : [];
};

describe("the route table", () => {
  it("lists every route once", () => {
    const ids = ROUTES.map((r) => `${r.method} ${r.path}`);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBeGreaterThan(60);
    expect(ROUTES.length).toBe(Object.values(API).reduce((n, g) => n + Object.keys(g).length, 0));
  });

  it("gives every route a requirement, a summary and a success answer", () => {
    for (const route of ROUTES) {
      const id = `${route.method} ${route.path}`;
      expect(route.requirement.kind, id).toMatch(
        /^(public|session|authenticated|platformAdmin|workspace|agent)$/,
      );
      expect(route.summary.length, id).toBeGreaterThan(5);
      expect(
        Object.keys(route.responses).some((s) => Number(s) >= 200 && Number(s) < 400),
        id,
      ).toBe(true);
    }
  });

  it("declares exactly the path's parameters in its params schema", () => {
    for (const route of ROUTES) {
      expect(keysOf(route.params), `${route.method} ${route.path}`).toEqual(
        pathParamNames(route.path).sort(),
      );
    }
  });

  it("puts workspace routes under :id and agent routes under :agentId", () => {
    for (const route of ROUTES) {
      if (route.requirement.kind === "workspace") expect(route.path).toMatch(/^\/api\/workspaces\/:id(\/|$)/);
      if (route.requirement.kind === "agent") expect(route.path).toMatch(/^\/api\/agents\/:agentId(\/|$)/);
      if (route.path.startsWith("/api/admin/")) expect(route.requirement.kind).toBe("platformAdmin");
    }
  });

  it("gives 204 answers no body and every other JSON answer a schema", () => {
    for (const route of ROUTES) {
      for (const [status, spec] of Object.entries(route.responses)) {
        if (status === "204") expect(isJsonResponse(spec) ? "schema" : spec.kind).toBe("empty");
        else if (!isJsonResponse(spec)) expect(["redirect", "text"]).toContain(spec.kind);
      }
    }
  });

  it("describes the non-JSON routes honestly", () => {
    const start = API.oauth.start.responses[302];
    expect(start.kind).toBe("redirect");
    expect(API.admin.audit.alternatives.csv.contentType).toBe("text/csv");
  });
});
