import { describe, expect, it } from "vitest";
import { openApiDocument } from "./openapi.js";
import { pathParamNames } from "./route.js";
import { ROUTES } from "./routes.js";

interface Operation {
  parameters?: Array<{ name: string; in: string; required: boolean }>;
  requestBody?: { content: Record<string, { schema: Record<string, unknown> }> };
  responses: Record<string, { content?: Record<string, { schema: Record<string, unknown> }> }>;
  "x-nora-requirement": { kind: string };
}

describe("the OpenAPI document", () => {
  const doc = openApiDocument();

  it("is OpenAPI 3.1 and serialises to JSON", () => {
    expect(doc.openapi).toBe("3.1.0");
    expect(JSON.parse(JSON.stringify(doc)).paths).toBeDefined();
  });

  it("has every route with its parameters, body and response codes", () => {
    let operations = 0;
    for (const route of ROUTES) {
      const path = route.path.replace(/:([A-Za-z0-9_]+)/g, "{$1}");
      const op = (doc.paths[path] as Record<string, Operation> | undefined)?.[route.method.toLowerCase()];
      const id = `${route.method} ${route.path}`;
      expect(op, id).toBeDefined();
      if (!op) continue;
      operations++;
      expect(op["x-nora-requirement"].kind, id).toBe(route.requirement.kind);
      const pathParams = (op.parameters ?? []).filter((p) => p.in === "path").map((p) => p.name);
      expect(pathParams.sort(), id).toEqual(pathParamNames(route.path).sort());
      expect(
        Object.keys(route.responses).every((s) => s in op.responses),
        id,
      ).toBe(true);
      if (route.body) expect(op.requestBody?.content["application/json"]?.schema, id).toBeDefined();
      if (route.requirement.kind !== "public") expect(op.responses["401"], id).toBeDefined();
    }
    expect(operations).toBe(ROUTES.length);
  });

  it("models query parameters and the wire format of answers", () => {
    const users = (doc.paths["/api/admin/users"] as Record<string, Operation>).get;
    expect(users?.parameters?.map((p) => [p.name, p.in, p.required])).toEqual([
      ["q", "query", false],
      ["limit", "query", false],
      ["offset", "query", false],
    ]);
    const sessions = (doc.paths["/api/auth/sessions"] as Record<string, Operation>).get;
    const schema = JSON.stringify(sessions?.responses["200"]?.content?.["application/json"]?.schema);
    expect(schema).toContain('"format":"date-time"');
    const audit = (doc.paths["/api/admin/audit"] as Record<string, Operation>).get;
    expect(Object.keys(audit?.responses["200"]?.content ?? {})).toEqual(["application/json", "text/csv"]);
    const start = (doc.paths["/api/auth/oauth/{provider}/start"] as Record<string, Operation>).get;
    expect(start?.responses["302"]).toBeDefined();
  });
});
