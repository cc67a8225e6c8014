import type { Api, RouteDefinition } from "@nora/api-contract";
import type { z } from "zod";

type Success = 200 | 201 | 202 | 203 | 204 | 302;

/** `{ key: T }` when the schema's input has required keys, `{ key?: T }` when everything is optional. */
type Part<K extends string, S> = S extends z.ZodType
  ? Record<string, never> extends z.input<S>
    ? { [P in K]?: z.input<S> }
    : { [P in K]: z.input<S> }
  : { [P in K]?: undefined };

type Flatten<T> = { [K in keyof T]: T[K] };

/** What `call` takes for a route: its params, query and body, typed from the request schemas' input. */
export type CallInput<R extends RouteDefinition> = Flatten<
  Part<"params", R["params"]> & Part<"query", R["query"]> & Part<"body", R["body"]>
>;

type OutputOf<S> = S extends z.ZodType
  ? z.output<S>
  : S extends { kind: "redirect" }
    ? { location: string | null }
    : S extends { kind: "text" }
      ? string
      : undefined;

/** What `call` resolves to: the success answers' bodies, typed from the response schemas' output. */
export type CallOutput<R extends RouteDefinition> = {
  [S in keyof R["responses"]]: S extends Success ? OutputOf<R["responses"][S]> : never;
}[keyof R["responses"]];

/** True when every part of the input may be left out. */
type AllOptional<R extends RouteDefinition> = Record<string, never> extends CallInput<R> ? true : false;

export type RouteMethod<R extends RouteDefinition> =
  AllOptional<R> extends true
    ? (input?: CallInput<R>) => Promise<CallOutput<R>>
    : (input: CallInput<R>) => Promise<CallOutput<R>>;

/** One method per route, grouped by domain as in the contract: `client.workspaces.list()`. */
export type DomainMethods = {
  [G in keyof Api]: {
    [N in keyof Api[G]]: Api[G][N] extends RouteDefinition ? RouteMethod<Api[G][N]> : never;
  };
};
