import { z } from "zod";
import { isJsonResponse, pathParamNames, type ResponseSpec, type RouteDefinition } from "./route.js";
import { ROUTES } from "./routes.js";
import { errorBody } from "./wire.js";

type JsonSchema = Record<string, unknown>;

/** The generic error answers a route can give besides its own, from its requirement and input. */
export function commonErrors(route: RouteDefinition): number[] {
  const statuses = [429];
  if (route.params || route.query || route.body) statuses.push(400);
  const kind = route.requirement.kind;
  if (kind !== "public") statuses.push(401);
  if (kind !== "public" && kind !== "authenticated") statuses.push(403);
  if (kind === "workspace" || kind === "agent" || route.params) statuses.push(404);
  return statuses.sort();
}

const REASONS: Record<number, string> = {
  200: "OK",
  201: "Created",
  202: "Accepted",
  204: "No content",
  302: "Redirect",
  400: "Invalid input (`validation_failed` with `details`) or a refused value",
  401: "Not signed in, or the key or session is no longer valid",
  403: "Signed in, but not allowed (role, scope, or a key on a session-only route)",
  404: "No such resource, or not visible to the caller",
  409: "Conflict",
  429: "Rate limited",
  503: "Not ready",
};

const schemaOf = (schema: z.ZodType, io: "input" | "output"): JsonSchema => {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: "any" }) as JsonSchema;
  return rest;
};

function responseObject(status: number, spec: ResponseSpec, route: RouteDefinition) {
  const description = REASONS[status] ?? String(status);
  if (isJsonResponse(spec)) {
    const content: Record<string, { schema: JsonSchema }> = {
      "application/json": { schema: schemaOf(spec, "output") },
    };
    if (status < 300) {
      for (const alt of Object.values(route.alternatives ?? {})) {
        content[alt.contentType] = { schema: { type: "string", description: alt.description } };
      }
    }
    return { description, content };
  }
  if (spec.kind === "empty") return { description };
  if (spec.kind === "redirect") {
    return {
      description: spec.description,
      headers: { Location: { schema: { type: "string", format: "uri" } } },
    };
  }
  return { description: spec.description, content: { [spec.contentType]: { schema: { type: "string" } } } };
}

function parametersOf(route: RouteDefinition) {
  const out: Array<Record<string, unknown>> = [];
  const add = (where: "path" | "query", schema: z.ZodType | undefined) => {
    if (!schema) return;
    const json = schemaOf(schema, "input") as {
      properties?: Record<string, JsonSchema>;
      required?: string[];
    };
    for (const [name, prop] of Object.entries(json.properties ?? {})) {
      out.push({
        name,
        in: where,
        required: where === "path" || (json.required ?? []).includes(name),
        schema: prop,
      });
    }
  };
  add("path", route.params);
  add("query", route.query);
  return out;
}

const SECURITY: Record<RouteDefinition["requirement"]["kind"], Array<Record<string, string[]>>> = {
  public: [],
  session: [{ session: [] }],
  platformAdmin: [{ session: [] }],
  authenticated: [{ session: [] }, { apiKey: [] }],
  workspace: [{ session: [] }, { apiKey: [] }],
  agent: [{ session: [] }, { apiKey: [] }],
};

function securityOf(route: RouteDefinition) {
  const r = route.requirement;
  if ((r.kind === "workspace" || r.kind === "agent") && (r.sessionOnly || !r.scope)) return [{ session: [] }];
  return SECURITY[r.kind];
}

/** The OpenAPI 3.1 document of the API, generated from the route table. */
export function openApiDocument(routes: readonly RouteDefinition[] = ROUTES) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const path = route.path.replace(/:([A-Za-z0-9_]+)/g, "{$1}");
    const responses: Record<string, unknown> = {};
    for (const [status, spec] of Object.entries(route.responses)) {
      responses[status] = responseObject(Number(status), spec, route);
    }
    for (const status of commonErrors(route)) {
      responses[String(status)] ??= {
        description: REASONS[status],
        content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
      };
    }
    const r = route.requirement;
    paths[path] ??= {};
    (paths[path] as Record<string, unknown>)[route.method.toLowerCase()] = {
      summary: route.summary,
      operationId: `${route.method.toLowerCase()} ${route.path}`,
      "x-nora-requirement": r,
      security: securityOf(route),
      ...(pathParamNames(route.path).length > 0 || route.query ? { parameters: parametersOf(route) } : {}),
      ...(route.body
        ? {
            requestBody: {
              required: true,
              content: { "application/json": { schema: schemaOf(route.body, "input") } },
            },
          }
        : {}),
      responses,
    };
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "Nora API",
      version: "1",
      description:
        "Generated from @nora/api-contract. Every error body is `{error, message?, requestId, details?}`.",
    },
    paths,
    components: {
      schemas: { Error: schemaOf(errorBody, "output") },
      securitySchemes: {
        session: {
          type: "apiKey",
          in: "cookie",
          name: "__Host-nora_session",
          description: "The session cookie (`nora_session` with NORA_INSECURE_COOKIES)",
        },
        apiKey: { type: "http", scheme: "bearer", description: "A `nora_` API key, scoped to one workspace" },
      },
    },
  };
}
