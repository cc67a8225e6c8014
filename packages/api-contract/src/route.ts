import type { z } from "zod";
import type { Requirement } from "./primitives.js";

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/** A response without a body (204, or a 202 that says nothing). */
export interface EmptyResponse {
  readonly kind: "empty";
}
/** A redirect (302): the answer is the `Location` header. */
export interface RedirectResponse {
  readonly kind: "redirect";
  readonly description: string;
}
/** A non-JSON body, e.g. a CSV export. */
export interface TextResponse {
  readonly kind: "text";
  readonly contentType: string;
  readonly description: string;
}
export type ResponseSpec = z.ZodType | EmptyResponse | RedirectResponse | TextResponse;

export const empty: EmptyResponse = { kind: "empty" };
export const redirect = (description: string): RedirectResponse => ({ kind: "redirect", description });
export const text = (contentType: string, description: string): TextResponse => ({
  kind: "text",
  contentType,
  description,
});

export const isJsonResponse = (spec: ResponseSpec): spec is z.ZodType => !("kind" in spec);

export interface RouteDefinition {
  readonly method: HttpMethod;
  /** Express-style path, `:name` for each parameter. */
  readonly path: string;
  readonly requirement: Requirement;
  readonly summary: string;
  readonly params?: z.ZodType;
  readonly query?: z.ZodType;
  readonly body?: z.ZodType;
  /** Every answer the route gives by status, besides the generic errors (see `commonErrors`). */
  readonly responses: Readonly<Record<number, ResponseSpec>>;
  /** Other representations of a 2xx answer, chosen by the request (`?format=csv`). */
  readonly alternatives?: Readonly<Record<string, TextResponse>>;
}

/** Declares a route keeping its literal types (method, path, schemas), so the client can derive from it. */
export function defineRoute<const R extends RouteDefinition>(route: R): R {
  return route;
}

/** The names of the `:params` in a path. */
export function pathParamNames(path: string): string[] {
  return [...path.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => m[1] as string);
}
