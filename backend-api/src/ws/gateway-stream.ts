import {
  clientConnectSchema,
  type GatewayClientIdentity,
  type GatewaySocket,
  gatewayAllowance,
  refusalCloseCode,
} from "@nora/agent-runtime";
import { AppError, type Config } from "@nora/core";
import type { GatewaySocketService } from "@nora/domain/runtime-access/gateway-socket";
import { roleAtLeast } from "@nora/domain/workspaces/roles";
import { z } from "zod";
import { type AuthContext, actorOfAuth, type WorkspaceAccess } from "../http/auth-context.js";
import { webUisDisabled } from "../proxy/web-uis.js";
import { CLOSE, defineStream, type StreamChannel, type StreamDefinition } from "./types.js";

/** The client has this long to send its connect once the socket is open. */
const CLIENT_CONNECT_MS = 10_000;
/** Client frames queue toward the gateway up to this much before the client is read no further. */
const UPSTREAM_HIGH_WATER_BYTES = 512 * 1024;
const UPSTREAM_LOW_WATER_BYTES = 128 * 1024;
const ROOM_POLL_MS = 20;
/** The gateway is pinged this often; one that has not answered the previous ping is cut. */
const UPSTREAM_PING_MS = 25_000;

/** Where OpenClaw's Control UI opens its socket: its base path, on this origin. */
export const CONTROL_UI_SOCKET_PATH = "/api/agents/:agentId/gateway/ui";

/** Write scopes need what every other write to an agent needs: editor, and agents:write for a key. */
export function mayWrite(auth: AuthContext, access: WorkspaceAccess): boolean {
  return (
    roleAtLeast(access.role, "editor") && (auth.kind !== "api_key" || auth.scopes.includes("agents:write"))
  );
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** After the handshake a client sends requests, and never a second connect. */
const clientRequestSchema = z.looseObject({
  type: z.literal("req"),
  id: z.string(),
  method: z.string().refine((method) => method !== "connect", "already connected"),
});

/** Close codes a peer may be sent; the others (1004-1006, 1015) become 1011. */
function sendableCode(code: number): number {
  if ((code >= 3000 && code <= 4999) || (code >= 1000 && code <= 1014 && ![1004, 1005, 1006].includes(code)))
    return code;
  return CLOSE.internal;
}

interface RelayDeps {
  config: Config;
  gatewaySockets: GatewaySocketService;
}

/**
 * The agent's gateway WebSocket (OpenClaw's protocol v4), relayed through the door. The upstream is
 * opened before the upgrade (its address judged, its challenge received); the client's connect is
 * answered with Nora's own (domain: gateway-socket.ts), then every frame passes both ways, each side
 * read only as fast as the other takes it. See docs/runtime-access.md, "The gateway's WebSocket".
 */
function gatewayStream(deps: RelayDeps, variant: { identity: GatewayClientIdentity }): StreamDefinition {
  const { config, gatewaySockets } = deps;
  const controlUi = variant.identity === "control-ui";
  return defineStream({
    name: controlUi ? "gateway-ui" : "gateway",
    ...(controlUi ? { path: CONTROL_UI_SOCKET_PATH } : {}),
    maxFrameBytes: config.api.gatewayProxy.wsMaxFrameBytes,
    kind: "stream",
    requirement: { role: "viewer", scope: "agents:read" },
    query: z.strictObject({}),
    async open(ctx) {
      if (controlUi && !config.api.gatewayProxy.webUis) throw webUisDisabled();
      const write = mayWrite(ctx.auth, ctx.access);
      const link = await gatewaySockets.open(ctx.agentId, variant.identity, {
        actor: actorOfAuth(ctx.auth),
        requestId: ctx.requestId,
        signal: ctx.signal,
      });
      return {
        transport: "websocket",
        // A connection holding write scopes ends when its caller may no longer write.
        stillAllowed: (caller) => !write || mayWrite(caller.auth, caller.access),
        run: (channel) => relay(channel, link, gatewayAllowance(write)),
      };
    },
  });
}

async function relay(
  channel: StreamChannel,
  link: Awaited<ReturnType<GatewaySocketService["open"]>>,
  allowance: readonly string[],
): Promise<void> {
  let upstream: GatewaySocket = link.socket;
  let onClientText: (text: string) => undefined | Promise<void> = () => undefined;
  // Unless the gateway or the relay ends it, the caller's side did (left, revoked, shut down).
  let end: { closedBy: "caller" | "gateway" | "relay"; code: number | null } = {
    closedBy: "caller",
    code: null,
  };
  channel.signal.addEventListener("abort", () => upstream.close(1000, "client left"), { once: true });
  channel.onMessage((text) => onClientText(text));
  channel.onBytes(() => void channel.close(1003, "only text frames are relayed"));

  // The gateway's challenge goes to the client (its signature is ignored: Nora signs its own).
  const firstFrame = new Promise<string | null>((resolve) => {
    const timer = setTimeout(() => resolve(null), CLIENT_CONNECT_MS);
    channel.signal.addEventListener("abort", () => resolve(null), { once: true });
    onClientText = (text) => {
      clearTimeout(timer);
      onClientText = () => undefined;
      resolve(text);
      return undefined;
    };
  });
  if (!(await channel.sendText(JSON.stringify(upstream.challenge)))) return;
  const first = await firstFrame;
  if (first === null) {
    if (!channel.signal.aborted) channel.close(CLOSE.policy, "connect timeout");
    return;
  }
  const connect = clientConnectSchema.safeParse(parseJson(first));
  if (!connect.success) return channel.close(CLOSE.policy, "expected a connect request");

  // Nothing but the connect before the hello: the gateway would refuse it, the relay does first.
  onClientText = () => {
    channel.close(CLOSE.policy, "wait for the hello");
    return undefined;
  };
  let handshake: Awaited<ReturnType<typeof link.authenticate>>;
  try {
    handshake = await link.authenticate(connect.data, allowance);
  } catch (error) {
    if (channel.signal.aborted) return;
    const known = error instanceof AppError;
    await channel.sendText(
      JSON.stringify({
        type: "res",
        id: connect.data.id,
        ok: false,
        error: {
          code: "UNAVAILABLE",
          message: known ? error.message : "Nora could not connect to the agent's gateway",
        },
      }),
    );
    return channel.close(CLOSE.internal, known ? error.code : "gateway_connect_failed");
  }
  upstream = handshake.socket;
  if (channel.signal.aborted) {
    upstream.close(1000, "client left");
    if (handshake.accepted) handshake.finished({ closedBy: "caller", code: null });
    return;
  }
  if (!handshake.accepted) {
    await channel.sendText(JSON.stringify(handshake.refusal));
    upstream.close(1000, "refused");
    return channel.close(refusalCloseCode(handshake.refusal), "connect refused");
  }
  const accepted = handshake;

  await new Promise<void>((resolve) => {
    const socket = upstream.socket;
    let alive = true;
    const ping = setInterval(() => {
      if (!alive) {
        end = { closedBy: "relay", code: CLOSE.internal };
        channel.close(CLOSE.internal, "gateway stopped answering");
        return;
      }
      alive = false;
      socket.ping();
    }, UPSTREAM_PING_MS);
    ping.unref();
    socket.on("pong", () => {
      alive = true;
    });
    let tooBig = false;
    socket.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH") tooBig = true;
    });
    socket.once("close", (code, reason) => {
      clearInterval(ping);
      if (!channel.signal.aborted) {
        const sent = tooBig ? 1009 : sendableCode(code);
        end = { closedBy: "gateway", code: sent };
        channel.close(sent, tooBig ? "gateway frame too large" : String(reason).slice(0, 120));
      }
      resolve();
    });
    channel.signal.addEventListener(
      "abort",
      () => {
        clearInterval(ping);
        resolve();
      },
      { once: true },
    );

    // Gateway → client: the socket stops being read while the client has no room.
    void channel.sendText(JSON.stringify(accepted.hello)).then((room) => {
      if (!room) return;
      upstream.deliver((frame) => {
        if (accepted.carriesCredential(frame.data)) {
          end = { closedBy: "relay", code: CLOSE.internal };
          channel.close(CLOSE.internal, "refused a frame carrying a credential");
          return;
        }
        socket.pause();
        const sent = frame.binary
          ? channel.sendBytes(frame.data)
          : channel.sendText(frame.data.toString("utf8"));
        void sent.then((more) => {
          if (more) socket.resume();
        });
      });
    });

    // Client → gateway: requests only; the client is read no further while the gateway is behind
    // (the door holds its input, within the stall bound).
    onClientText = (text) => {
      if (!clientRequestSchema.safeParse(parseJson(text)).success) {
        end = { closedBy: "relay", code: CLOSE.policy };
        channel.close(CLOSE.policy, "only requests are relayed");
        return undefined;
      }
      socket.send(text);
      if (socket.bufferedAmount <= UPSTREAM_HIGH_WATER_BYTES) return undefined;
      return new Promise<void>((resolve) => {
        const poll = setInterval(() => {
          if (channel.signal.aborted || socket.bufferedAmount <= UPSTREAM_LOW_WATER_BYTES) {
            clearInterval(poll);
            resolve();
          }
        }, ROOM_POLL_MS);
      });
    };
  });
  accepted.finished(end);
}

/**
 * The gateway's WebSocket at `/api/ws/agents/:agentId/gateway` (scripts, any client of the protocol),
 * and OpenClaw's Control UI's own socket at its base path when agents' web UIs are on.
 */
export function gatewayStreams(deps: RelayDeps): StreamDefinition[] {
  return [gatewayStream(deps, { identity: "backend" }), gatewayStream(deps, { identity: "control-ui" })];
}
