import pino, { type DestinationStream, type Logger, type LoggerOptions } from "pino";
import { redactDeep, redactUrlsIn } from "./redact.js";

export type { Logger } from "pino";

export interface LoggerSettings {
  service: string;
  level: LoggerOptions["level"];
  /** Where lines go; stdout by default. Tests pass a stream to capture output. */
  destination?: DestinationStream;
}

/** pino's error serializer, with every URL in the error's strings (message, stack, cause) redacted. */
function serializeError(error: Error): unknown {
  return redactStrings(pino.stdSerializers.err(error), 0);
}

function redactStrings(value: unknown, depth: number): unknown {
  if (typeof value === "string") return redactUrlsIn(value);
  if (value === null || typeof value !== "object" || depth > 6) return value;
  if (Array.isArray(value)) return value.map((v) => redactStrings(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) out[key] = redactStrings(inner, depth + 1);
  return out;
}

/** Structured JSON logger whose every line passes through key-name based redaction. */
export function createLogger(settings: LoggerSettings): Logger {
  const options: LoggerOptions = {
    level: settings.level ?? "info",
    base: { service: settings.service },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: {
      level: (label) => ({ level: label }),
      log: (object) => redactDeep(object) as Record<string, unknown>,
    },
    serializers: {
      err: serializeError,
      error: serializeError,
    },
  };
  // Asynchronous stdout: lines written while a write is in flight are batched into the next one.
  // Services call logger.flush() on shutdown (see onShutdownSignal), so nothing buffered is lost.
  const destination = settings.destination ?? pino.destination({ dest: 1, sync: false });
  return redactChildBindings(pino(options, destination));
}

/**
 * pino serializes child bindings (e.g. a request id bound per request) once, outside `formatters.log`,
 * so they are redacted on the way in. Children inherit `child` through their prototype chain, so
 * overriding it once on the root covers every descendant.
 */
function redactChildBindings(logger: Logger): Logger {
  const pinoChild = logger.child;
  const redactingChild = function (this: Logger, bindings: Record<string, unknown>, options?: object) {
    return pinoChild.call(this, redactDeep(bindings) as Record<string, unknown>, options);
  };
  logger.child = redactingChild as unknown as Logger["child"];
  return logger;
}

/** Exits once buffered log lines are written, so the reason for an exit is never lost. */
export function exitAfterFlush(logger: Logger, code: number): void {
  const timer = setTimeout(() => process.exit(code), 2_000);
  logger.flush(() => {
    clearTimeout(timer);
    process.exit(code);
  });
}
