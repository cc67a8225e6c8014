import { exitAfterFlush, type Logger } from "../logging/logger.js";

/**
 * Calls `shutdown` once on SIGTERM or SIGINT and exits when it settles.
 * A second signal exits at once, for an operator who really means it.
 */
export function onShutdownSignal(logger: Logger, shutdown: () => Promise<void>): void {
  let received = false;
  const handle = (signal: NodeJS.Signals) => {
    if (received) {
      logger.warn({ signal }, "second signal; exiting now");
      exitAfterFlush(logger, 1);
      return;
    }
    received = true;
    logger.info({ signal }, "shutting down");
    shutdown().then(
      () => exitAfterFlush(logger, 0),
      (error: unknown) => {
        logger.error({ err: error }, "shutdown failed");
        exitAfterFlush(logger, 1);
      },
    );
  };
  process.on("SIGTERM", handle);
  process.on("SIGINT", handle);
}
