import { Notice } from "@nora/ui";
import { formatTime } from "../format";
import type { Cluster } from "../types";

type Check = NonNullable<Cluster["lastCheck"]>;

/** A connectivity check's outcome: reachable, version, namespace, and any permission it lacks. */
export function ClusterCheckView({ check, checkedAt }: { check: Check; checkedAt: string | null }) {
  return (
    <Notice
      tone={check.ok ? "success" : "danger"}
      title={check.ok ? "The cluster is usable" : "The check failed"}
    >
      <p>{check.message}</p>
      <ul>
        <li>
          API server:{" "}
          {check.reachable
            ? `reachable${check.version ? `, Kubernetes ${check.version}` : ""}`
            : "not reachable"}
        </li>
        <li>
          Namespace:{" "}
          {check.namespaceExists === null ? "not checked" : check.namespaceExists ? "exists" : "missing"}
        </li>
        {check.missing.length > 0 ? (
          <li>
            Missing permissions:{" "}
            {check.missing.map((m) => `${m.verb} ${m.group ? `${m.group}/` : ""}${m.resource}`).join(", ")}
          </li>
        ) : null}
        <li>Checked {formatTime(checkedAt)}</li>
      </ul>
    </Notice>
  );
}
