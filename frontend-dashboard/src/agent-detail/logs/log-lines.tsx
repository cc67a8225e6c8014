import type { LogLine } from "./log-buffer";
import { splitMatches } from "./log-buffer";

/** The lines as text, the query's matches marked (a <mark>, so the match is not told by colour alone). */
export function LogLines({ lines, query }: { lines: readonly LogLine[]; query: string }) {
  return (
    <>
      {lines.map((line) => (
        <div key={line.id} className="nora-log-line">
          {splitMatches(line.text, query).map((part, i) =>
            // biome-ignore lint/suspicious/noArrayIndexKey: the parts of one line never reorder
            i % 2 === 1 ? <mark key={i}>{part}</mark> : <span key={i}>{part}</span>,
          )}
        </div>
      ))}
    </>
  );
}
