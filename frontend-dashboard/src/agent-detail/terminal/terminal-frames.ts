/** The terminal stream's last text frame: `{type:"exit",code,signal}` (runtime-contract.md, "Terminal"). */
export interface TerminalExit {
  code: number | null;
  signal: string | null;
}

export function parseExitFrame(data: string): TerminalExit | null {
  try {
    const frame = JSON.parse(data) as { type?: unknown; code?: unknown; signal?: unknown };
    if (frame.type !== "exit") return null;
    return {
      code: typeof frame.code === "number" ? frame.code : null,
      signal: typeof frame.signal === "string" ? frame.signal : null,
    };
  } catch {
    return null;
  }
}

export function describeExit(exit: TerminalExit): string {
  if (exit.signal) return `The shell was ended by ${exit.signal}.`;
  return `The shell exited with status ${exit.code ?? "unknown"}.`;
}

export const resizeFrame = (cols: number, rows: number) => JSON.stringify({ type: "resize", cols, rows });
