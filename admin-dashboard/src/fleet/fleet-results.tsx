import type { FleetResult } from "../types";

/** Each agent's answer to a bulk action: its deployment, or the refusal in the API's words. */
export function FleetResults({
  action,
  results,
  nameOf,
}: {
  action: string;
  results: readonly FleetResult[];
  nameOf: (agentId: string) => string;
}) {
  const failed = results.filter((r) => !r.ok).length;
  return (
    <section className="nora-section" aria-labelledby="fleet-results-title" role="status">
      <h2 id="fleet-results-title">
        {action}: {results.length - failed} queued, {failed} refused
      </h2>
      <ul className="nora-results">
        {results.map((r) => (
          <li
            key={r.agentId}
            className={r.ok ? "nora-result nora-result--ok" : "nora-result nora-result--failed"}
          >
            <strong>{nameOf(r.agentId)}</strong>
            {r.ok ? (
              <span>
                Queued: deployment <code>{r.deployment.id.slice(0, 8)}</code> ({r.deployment.status})
              </span>
            ) : (
              <span>
                Refused ({r.error}): {r.message}
              </span>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
