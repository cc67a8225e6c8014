import type { Config } from "@nora/core";
import type { Domain } from "@nora/domain";
import type { RequestHandler, Router } from "express";
import type { Requires } from "../http/authorize.js";

/** What every route module is built from: the domain's services and the authorizer. */
export interface RouteContext {
  config: Config;
  domain: Domain;
  requires: Requires;
}

/** One entry of app.ts's route list: a router (or, for authentication, a middleware) mounted in order. */
export type RouteModule = (ctx: RouteContext) => Router | RequestHandler;
