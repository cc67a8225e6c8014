import { isJsonResponse, type RouteDefinition, toWire } from "@nora/api-contract";
import { notFound } from "@nora/core";
import type { Request, Response, Router } from "express";
import type { z } from "zod";
import type { Requires } from "./authorize.js";
import { validated } from "./validate.js";

type Part<R, K extends "params" | "query" | "body"> = R extends {
  readonly [P in K]: infer S extends z.ZodType;
}
  ? z.output<S>
  : undefined;

/** A route's validated input, typed from its contract entry. */
export type RouteInput<R extends RouteDefinition> = {
  params: Part<R, "params">;
  query: Part<R, "query">;
  body: Part<R, "body">;
};

/** The statuses a route may answer with, from its contract entry. */
export type Status<R extends RouteDefinition> = keyof R["responses"] & number;

/**
 * Sends an answer through the entry's response schema for that status: only listed fields leave.
 * JSON statuses take a value, empty ones (204) none.
 */
export type Reply<R extends RouteDefinition> = (status: Status<R>, value?: unknown) => void;

/**
 * The server broke its own contract (a status the route does not list, or a value its schema refuses).
 * Not a ZodError, so the error handler answers 500 with the request id and logs it, never a 400.
 */
export class ResponseContractError extends Error {
  override readonly name = "ResponseContractError";
}

export function replyFor<R extends RouteDefinition>(entry: R, res: Response): Reply<R> {
  const where = `${entry.method} ${entry.path}`;
  return (status, value) => {
    const spec = entry.responses[status];
    if (!spec) throw new ResponseContractError(`${where} does not list a ${status} answer`);
    if (isJsonResponse(spec)) {
      let body: unknown;
      try {
        body = toWire(spec, value);
      } catch (cause) {
        throw new ResponseContractError(`${where} answered a ${status} that does not fit its schema`, {
          cause,
        });
      }
      res.status(status).json(body);
      return;
    }
    if (spec.kind === "empty") {
      res.status(status).end();
      return;
    }
    throw new ResponseContractError(`${where}: a ${spec.kind} answer is written on the response itself`);
  };
}

export type MountedHandler<R extends RouteDefinition> = (
  req: Request,
  res: Response,
  input: RouteInput<R>,
  reply: Reply<R>,
) => unknown;

const METHODS = {
  GET: "get",
  POST: "post",
  PUT: "put",
  PATCH: "patch",
  DELETE: "delete",
} as const;

export interface MountOptions {
  /**
   * Answer malformed path params as an unknown resource (404 with this message) instead of a 400,
   * so ids cannot be probed. The params are then checked after the body, as the handler's first step.
   */
  paramsNotFound?: string;
}

/**
 * Registers a route from its contract entry: the method and path, `requires(entry.requirement)`, and
 * `validated` with the entry's request schemas. The handler answers through `reply`, which serialises
 * through the entry's response schema for the status it sends.
 */
export function mount<R extends RouteDefinition>(
  router: Router,
  requires: Requires,
  entry: R,
  handler: MountedHandler<R>,
  options: MountOptions = {},
): void {
  const { params } = entry;
  const notFoundMessage = options.paramsNotFound;
  const schemas = {
    ...(params && notFoundMessage === undefined ? { params } : {}),
    ...(entry.query ? { query: entry.query } : {}),
    ...(entry.body ? { body: entry.body } : {}),
  };
  router[METHODS[entry.method]](
    entry.path,
    requires(entry.requirement),
    validated(schemas, (req, res, parsed) => {
      const input = { ...parsed } as Record<string, unknown>;
      if (params && notFoundMessage !== undefined) {
        const checked = params.safeParse(req.params);
        if (!checked.success) throw notFound(notFoundMessage);
        input.params = checked.data;
      }
      return handler(req, res, input as RouteInput<R>, replyFor(entry, res));
    }),
  );
}
