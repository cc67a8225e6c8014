import {
  type ClientConnect,
  type GatewayClientIdentity,
  type GatewayResponse,
  GatewaySocket,
  GatewaySocketError,
  grantedScopes,
  helloForClient,
  noraConnectFrame,
  pairingRequestOf,
  refusalForClient,
} from "@nora/agent-runtime";
import { AppError, type Config, type Logger, type Pool } from "@nora/core";
import { runtimeCallFailed } from "../agents/runtime-errors.js";
import { type ActionContext, auditFieldsOf } from "../audit/context.js";
import { recordAudit } from "../audit/service.js";
import type { OpenGatewaySocket, RuntimeTarget } from "./target.js";

/** The gateway has this long to answer a connect (its startup may make it wait). */
const CONNECT_ANSWER_MS = 15_000;
/** The runtime approves a pairing request through OpenClaw's SDK in a child process: a few seconds. */
const PAIRING_TIMEOUT_MS = 45_000;

export type GatewaySocketContext = ActionContext & { signal: AbortSignal };

/** What the client gets once Nora's connect was answered, and the upstream to relay with. */
export type GatewayHandshake =
  | {
      accepted: true;
      socket: GatewaySocket;
      /** The gateway's hello, rewritten for the client (helloForClient). */
      hello: Record<string, unknown>;
      scopes: string[];
      /**
       * Whether a frame from the gateway contains the gateway token or the device token it issued
       * Nora: such a frame must never reach the client (the relay ends the connection instead).
       */
      carriesCredential(frame: Buffer): boolean;
      /** Writes the closing audit entry; call once, when the relay ends. */
      finished(end: { closedBy: "caller" | "gateway" | "relay"; code: number | null }): void;
    }
  | { accepted: false; socket: GatewaySocket; refusal: Record<string, unknown> };

/** An upstream connection that sent its challenge and waits for the client's connect. */
export interface GatewayLink {
  socket: GatewaySocket;
  /** Answers the client's connect with Nora's own, within `allowance` (gatewayAllowance). */
  authenticate(client: ClientConnect, allowance: readonly string[]): Promise<GatewayHandshake>;
}

/**
 * Connections to an OpenClaw gateway's WebSocket on a caller's behalf (docs/runtime-access.md, "The
 * gateway's WebSocket"): the upstream comes from openAgentGatewaySocket, the client's connect is
 * replaced by Nora's (its token, its device, the caller's scopes), and a gateway that has not paired
 * Nora's device yet has its pairing request approved by the agent's runtime, once, for that device
 * only. Each accepted connection is audited when it opens and when it ends; never its frames.
 */
export function createGatewaySocketService(deps: {
  config: Config;
  pool: Pool;
  target: RuntimeTarget;
  logger: Logger;
}) {
  const { config, pool, target, logger } = deps;
  const origin = new URL(config.api.publicUrl).origin;
  const limits = { maxFrameBytes: config.api.gatewayProxy.wsMaxFrameBytes };

  function unreachable(error: unknown, agentId: string, requestId: string): unknown {
    if (!(error instanceof GatewaySocketError)) return error;
    logger.warn(
      { agentId, requestId, reason: error.reason, detail: error.detail },
      "agent gateway WebSocket failed",
    );
    if (error.reason === "timeout") {
      return new AppError(504, "gateway_timeout", "The agent's gateway did not answer in time");
    }
    return new AppError(502, "gateway_unreachable", "The agent's gateway is unreachable");
  }

  function connectUpstream(opened: OpenGatewaySocket, identity: GatewayClientIdentity, signal: AbortSignal) {
    return GatewaySocket.open({
      address: opened.upstream.address,
      port: opened.upstream.port,
      hostHeader: opened.upstream.hostHeader,
      // The Control UI's connections are checked against gateway.controlUi.allowedOrigins, which the
      // deploy sets to Nora's public origin; a backend client sends none.
      origin: identity === "control-ui" ? origin : undefined,
      maxFrameBytes: limits.maxFrameBytes,
      timeoutMs: config.api.gatewayProxy.connectTimeoutMs,
      signal,
    });
  }

  async function approvePairing(agentId: string, pairingId: string, ctx: GatewaySocketContext) {
    const { client } = await target.openAgentRuntime(agentId, {
      requestId: ctx.requestId,
      timeoutMs: PAIRING_TIMEOUT_MS,
    });
    try {
      return await client.approveGatewayDevice(pairingId, { signal: ctx.signal });
    } catch (error) {
      throw runtimeCallFailed(
        error,
        "gateway_pairing_failed",
        "The agent's runtime did not pair Nora's device",
      );
    }
  }

  async function open(
    agentId: string,
    identity: GatewayClientIdentity,
    ctx: GatewaySocketContext,
  ): Promise<GatewayLink> {
    const opened = await target.openAgentGatewaySocket(agentId);
    const first = await connectUpstream(opened, identity, ctx.signal).catch((error: unknown) => {
      throw unreachable(error, agentId, ctx.requestId);
    });
    const audit = (action: string, metadata: Record<string, unknown>) =>
      recordAudit(pool, {
        ...auditFieldsOf(ctx),
        action,
        workspaceId: opened.agent.workspaceId,
        target: { type: "agent", id: agentId },
        metadata,
      });

    async function handshake(client: ClientConnect, allowance: readonly string[]) {
      const scopes = grantedScopes(client.params.scopes, allowance);
      let socket = first;
      let paired = false;
      for (;;) {
        const frame = noraConnectFrame({
          client,
          challenge: socket.challenge,
          identity,
          scopes,
          token: opened.token,
          device: opened.device,
        });
        const response: GatewayResponse = await socket.connect(frame, CONNECT_ANSWER_MS, ctx.signal);
        if (response.ok) return { socket, response, scopes, paired };
        const pairingId = pairingRequestOf(response, opened.device.id);
        if (pairingId === null || paired) return { socket, response, scopes, paired };
        // First use: the gateway opened a pairing request for Nora's device. The runtime approves
        // exactly that request (it checks the key), then Nora connects again.
        const approved = await approvePairing(agentId, pairingId, ctx);
        paired = true;
        await audit("agent.gateway_device_paired", {
          deviceId: approved.deviceId,
          scopes: approved.scopes,
        });
        socket.close(1000, "paired");
        socket = await connectUpstream(opened, identity, ctx.signal);
      }
    }

    return {
      socket: first,
      async authenticate(client, allowance) {
        let result: Awaited<ReturnType<typeof handshake>>;
        try {
          result = await handshake(client, allowance);
        } catch (error) {
          throw unreachable(error, agentId, ctx.requestId);
        }
        const { socket, response, scopes } = result;
        if (!response.ok) {
          logger.warn(
            {
              agentId,
              requestId: ctx.requestId,
              code: response.error?.details?.code ?? response.error?.code,
            },
            "agent gateway refused Nora's connect",
          );
          return { accepted: false, socket, refusal: refusalForClient(response) };
        }
        const startedAt = Date.now();
        try {
          await audit("agent.gateway_socket_opened", { client: identity, scopes });
        } catch (error) {
          // A connection nobody can account for does not go ahead.
          socket.close(1011, "audit failed");
          throw error;
        }
        const credentials = [opened.token, deviceTokenOf(response.payload)]
          .filter((value): value is string => typeof value === "string" && value.length >= 16)
          .map((value) => Buffer.from(value, "utf8"));
        let closed = false;
        return {
          accepted: true,
          socket,
          scopes,
          hello: { ...response, payload: helloForClient(response.payload, limits) },
          carriesCredential: (frame) => credentials.some((secret) => frame.includes(secret)),
          finished({ closedBy, code }) {
            if (closed) return;
            closed = true;
            const metadata = { durationMs: Date.now() - startedAt, closedBy, closeCode: code };
            audit("agent.gateway_socket_closed", metadata).catch((error: unknown) =>
              logger.error(
                { err: error, agentId, requestId: ctx.requestId },
                "could not audit a gateway socket's end",
              ),
            );
          },
        };
      },
    };
  }

  return { open };
}

/** The device token a hello carries (`auth.deviceToken`), if any. */
function deviceTokenOf(payload: unknown): unknown {
  const auth = (payload as { auth?: { deviceToken?: unknown } } | null)?.auth;
  return auth?.deviceToken;
}

export type GatewaySocketService = ReturnType<typeof createGatewaySocketService>;
