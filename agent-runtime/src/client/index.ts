export { RUNTIME_CLIENT_CODES, RuntimeError } from "./errors.js";
export * from "./gateway-protocol.js";
export {
  type GatewayFrame,
  GatewaySocket,
  GatewaySocketError,
  type GatewaySocketOptions,
} from "./gateway-socket.js";
export {
  type CallOptions,
  type FileLocation,
  type FileTarget,
  type LogsRequest,
  type MkdirRequest,
  type MoveRequest,
  type ProviderSyncRequest,
  type PutContentRequest,
  RuntimeClient,
  type RuntimeClientOptions,
  type RuntimeStream,
} from "./runtime-client.js";
export { RuntimeTerminal, type TerminalRequest } from "./terminal.js";
