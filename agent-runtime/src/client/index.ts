export { RUNTIME_CLIENT_CODES, RuntimeError } from "./errors.js";
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
