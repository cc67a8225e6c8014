import pino, { type DestinationStream, type Logger, type LoggerOptions } from "pino";
import { redactDeep } from "./redact.js";

export type { Logger } from "pino";

export interface LoggerSettings {
  service: string;
  level: LoggerOptions["level"];
  /** Where lines go; stdout by default. Tests pass a stream to capture output. */
  destination?: DestinationStream;
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
      err: pino.stdSerializers.err,
      error: pino.stdSerializers.err,
    },
  };
  return redactChildBindings(settings.destination ? pino(options, settings.destination) : pino(options));
}

/**
 * pino serializes child bindings (e.g. the request pino-http attaches) once, outside `formatters.log`,
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
