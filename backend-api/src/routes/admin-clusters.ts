import { API } from "@nora/api-contract";
import type { ClusterService } from "@nora/domain/clusters/service";
import { Router } from "express";
import { actionContextOf } from "../http/auth-context.js";
import type { Requires } from "../http/authorize.js";
import { mount } from "../http/mount.js";

const routes = API.clusters;
// A malformed id answers like an unknown one: 404, so ids cannot be probed.
const byId = { paramsNotFound: "Cluster not found" };

/** Platform admins: Kubernetes clusters (kubeconfigs go in, never out) and their connectivity check. */
export function adminClusterRoutes(deps: { clusters: ClusterService; requires: Requires }): Router {
  const { clusters, requires } = deps;
  const router = Router();

  mount(router, requires, routes.list, async (_req, _res, _input, reply) => {
    reply(200, { clusters: await clusters.list() });
  });

  mount(
    router,
    requires,
    routes.get,
    async (_req, _res, { params }, reply) => {
      reply(200, { cluster: await clusters.get(params.clusterId) });
    },
    byId,
  );

  mount(router, requires, routes.create, async (req, _res, { body }, reply) => {
    reply(201, { cluster: await clusters.create(body, actionContextOf(req)) });
  });

  mount(
    router,
    requires,
    routes.update,
    async (req, _res, { params, body }, reply) => {
      reply(200, { cluster: await clusters.update(params.clusterId, body, actionContextOf(req)) });
    },
    byId,
  );

  mount(
    router,
    requires,
    routes.remove,
    async (req, _res, { params }, reply) => {
      await clusters.remove(params.clusterId, actionContextOf(req));
      reply(204);
    },
    byId,
  );

  mount(
    router,
    requires,
    routes.test,
    async (_req, _res, { params }, reply) => {
      reply(200, await clusters.test(params.clusterId));
    },
    byId,
  );

  return router;
}
