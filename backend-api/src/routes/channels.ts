import type { ChannelService } from "@nora/domain/channels/service";
import type { Router } from "express";
import type { Requires } from "../http/authorize.js";
import { catalogResourceRoutes } from "./integrations.js";
import { channelParams, createChannelBody, updateChannelBody } from "./schemas/channels.js";

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
