import type { Router } from "express";
import type { Requires } from "../../http/authorize.js";
import { catalogResourceRoutes } from "../integrations/routes.js";
import { channelParams, createChannelBody, updateChannelBody } from "./schema.js";
import type { ChannelService } from "./service.js";

export function channelRoutes(deps: { channels: ChannelService; requires: Requires }): Router {
  return catalogResourceRoutes({
    service: deps.channels,
    requires: deps.requires,
    segment: "channels",
    param: "channelId",
    params: channelParams,
    createBody: createChannelBody,
    updateBody: updateChannelBody,
    label: "Channel",
    singular: "channel",
  });
}
