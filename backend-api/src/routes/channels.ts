import { API } from "@nora/api-contract";
import type { ChannelService } from "@nora/domain/channels/service";
import type { Router } from "express";
import type { Requires } from "../http/authorize.js";
import { catalogResourceRoutes } from "./integrations.js";

export function channelRoutes(deps: { channels: ChannelService; requires: Requires }): Router {
  return catalogResourceRoutes({
    service: deps.channels,
    requires: deps.requires,
    routes: API.channels,
    segment: "channels",
    param: "channelId",
    label: "Channel",
    singular: "channel",
  });
}
