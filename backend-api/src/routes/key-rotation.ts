import { API } from "@nora/api-contract";
import type { KeyRotationService } from "@nora/domain/key-rotation/service";
import { Router } from "express";
import { actorOf } from "../http/auth-context.js";
import type { Requires } from "../http/authorize.js";
import { mount } from "../http/mount.js";
import { contextOf } from "../http/request-context.js";

const routes = API.keyRotation;

/** Platform admins: which keys seal what, and key rotation. Counts and key ids only, never values. */
export function keyRotationRoutes(deps: { rotation: KeyRotationService; requires: Requires }): Router {
  const { rotation, requires } = deps;
  const router = Router();

  mount(router, requires, routes.keys, async (_req, _res, _input, reply) => {
    reply(200, await rotation.keys());
  });

  mount(router, requires, routes.status, async (_req, _res, _input, reply) => {
    reply(200, { rotation: await rotation.status() });
  });

  mount(router, requires, routes.start, async (req, _res, _input, reply) => {
    const { started, status } = await rotation.start({ ...contextOf(req), actor: actorOf(req) });
    reply(started ? 202 : 409, { started, rotation: status });
  });

  return router;
}
