import type { Writable } from "node:stream";

export interface StallPolicy {
  /** A destination that has had no room for this long is destroyed (a client that stopped reading). */
  stallMs: number;
  /** Called once when the destination is destroyed for stalling. */
  onStall?: () => void;
}

/**
 * Resolves when a destination whose `write()` returned false can take more (`drain`): true, or
 * false when it is gone, closed meanwhile or destroyed here for having found no room within
 * `policy.stallMs`. Without a policy (a file) it waits for `drain` or `close` however long it takes.
 */
export function roomFor(destination: Writable, policy?: StallPolicy): Promise<boolean> {
  if (destination.destroyed) return Promise.resolve(false);
  return new Promise((resolve) => {
    const settle = (open: boolean) => {
      if (timer !== undefined) clearTimeout(timer);
      destination.off("drain", onDrain);
      destination.off("close", onClose);
      resolve(open);
    };
    const onDrain = () => settle(true);
    const onClose = () => settle(false);
    const timer =
      policy === undefined
        ? undefined
        : setTimeout(() => {
            settle(false);
            policy.onStall?.();
            destination.destroy();
          }, policy.stallMs);
    destination.once("drain", onDrain);
    destination.once("close", onClose);
  });
}

/**
 * Writes one chunk and resolves when the destination can take the next one: at once when `write()`
 * accepted it, otherwise once it drains. Every streaming response of the runtime server writes
 * through this, so what a slow reader costs the process is one chunk plus the socket's buffer, never
 * the backlog; a reader that stays behind past `policy.stallMs` is dropped (resolves false).
 */
export function writeWithBackpressure(
  destination: Writable,
  chunk: Buffer | string,
  policy: StallPolicy,
): Promise<boolean> {
  if (destination.destroyed) return Promise.resolve(false);
  if (destination.write(chunk)) return Promise.resolve(true);
  return roomFor(destination, policy);
}
