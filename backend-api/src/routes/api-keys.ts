import { API } from "@nora/api-contract";
import type { ApiKeyService } from "@nora/domain/api-keys/service";
import { Router } from "express";
import { actionContextOf, sessionOf, workspaceOf } from "../http/auth-context.js";
import type { Requires } from "../http/authorize.js";
import { mount } from "../http/mount.js";

const routes = API.apiKeys;

/** Key management is session-only and admin+: a key can never mint, rotate or revoke keys. */
export function apiKeyRoutes(deps: { apiKeys: ApiKeyService; requires: Requires }): Router {
  const { apiKeys, requires } = deps;
  const router = Router();

  mount(router, requires, routes.list, async (req, _res, _input, reply) => {
    reply(200, { apiKeys: await apiKeys.list(workspaceOf(req).workspaceId) });
  });

  mount(router, requires, routes.create, async (req, _res, { body }, reply) => {
    const created = await apiKeys.create(
      workspaceOf(req).workspaceId,
      sessionOf(req).user.id,
      body,
      actionContextOf(req),
    );
    reply(201, created);
  });

  mount(router, requires, routes.revoke, async (req, _res, { params }, reply) => {
    await apiKeys.revoke(
      workspaceOf(req).workspaceId,
      params.keyId,
      sessionOf(req).user.id,
      actionContextOf(req),
    );
    reply(204);
  });

  mount(router, requires, routes.rotate, async (req, _res, { params }, reply) => {
    const rotated = await apiKeys.rotate(
      workspaceOf(req).workspaceId,
      params.keyId,
      sessionOf(req).user.id,
      actionContextOf(req),
    );
    reply(201, rotated);
  });

  return router;
}
