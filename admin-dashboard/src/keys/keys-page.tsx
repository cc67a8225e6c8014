"use client";

import { isApiError } from "@nora/api-client";
import { keyRotationRoutes } from "@nora/api-contract";
import { Button, type Column, Dialog, Notice, Table, useToast } from "@nora/ui";
import { useState } from "react";
import { api } from "../api";
import { toastError } from "../errors";
import { formatTime } from "../format";
import { LoadFailure } from "../load-failure";
import type { KeyUsage, Rotation } from "../types";
import { usePolling, useRemote } from "../use-remote";
import { rotationFraction, totalsByKey } from "./rotation";

type UsageRow = KeyUsage["usage"][number];

async function loadKeys() {
  const [keys, status] = await Promise.all([
    api.call(keyRotationRoutes.keys),
    api.call(keyRotationRoutes.status),
  ]);
  return { keys, rotation: status.rotation };
}

function RotationStatus({ rotation }: { rotation: Rotation | null }) {
  if (!rotation) return <p>No rotation has run on this server.</p>;
  const percent = Math.round(rotationFraction(rotation) * 100);
  return (
    <div className="nora-stack">
      <p>
        {rotation.state === "running" ? "Running" : rotation.state === "finished" ? "Finished" : "Failed"}:
        re-sealing under <code>{rotation.toKeyId}</code>, started {formatTime(rotation.startedAt)}
        {rotation.finishedAt ? `, ended ${formatTime(rotation.finishedAt)}` : ""}.
      </p>
      <label>
        Progress: {percent}%
        <progress className="nora-progress" max={100} value={percent} />
      </label>
      {rotation.error ? (
        <Notice tone="danger" title="The rotation stopped">
          {rotation.error}
        </Notice>
      ) : null}
      <ul>
        {rotation.progress.map((p) => (
          <li key={`${p.table}.${p.column}`}>
            {p.table}.{p.column}: {p.resealed} re-sealed, {p.remaining} remaining
          </li>
        ))}
      </ul>
    </div>
  );
}

export function KeysPage() {
  const toast = useToast();
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const { loaded, reload } = useRemote("keys", loadKeys);
  const running = loaded.state === "ready" && loaded.value.rotation?.state === "running";
  usePolling(() => void reload(), 2_000, running);

  const start = async () => {
    setBusy(true);
    try {
      await api.call(keyRotationRoutes.start);
      toast.show({ tone: "success", title: "Rotation started" });
    } catch (error) {
      if (isApiError(error) && error.status === 409) {
        toast.show({
          tone: "info",
          title: "A rotation is already running",
          message: "Its progress is shown below.",
        });
      } else {
        toastError(toast, "The rotation did not start", error);
      }
    } finally {
      setBusy(false);
      setConfirming(false);
      await reload();
    }
  };

  if (loaded.state === "failed") {
    return (
      <>
        <h1>Encryption keys</h1>
        <LoadFailure what="the encryption keys" error={loaded.error} onRetry={() => void reload()} />
      </>
    );
  }
  if (loaded.state === "loading") {
    return (
      <>
        <h1>Encryption keys</h1>
        <p className="nora-loading">Loading…</p>
      </>
    );
  }
  const { keys, rotation } = loaded.value;
  const totals = totalsByKey(keys.usage);
  const keyIds = [...new Set([...keys.configuredKeyIds, ...totals.keys()])];
  const stale = [...totals].filter(([id, count]) => id !== keys.currentKeyId && count > 0).length > 0;
  const columns: Column<UsageRow>[] = [
    {
      key: "column",
      header: "Stored in",
      rowHeader: true,
      sortValue: (u) => `${u.table}.${u.column}`,
      cell: (u) => `${u.table}.${u.column}`,
    },
    ...keyIds.map(
      (id): Column<UsageRow> => ({
        key: `key-${id}`,
        header: id === keys.currentKeyId ? `${id} (current)` : id,
        align: "end",
        sortValue: (u) => u.byKeyId[id] ?? 0,
        cell: (u) => u.byKeyId[id] ?? 0,
      }),
    ),
  ];

  return (
    <>
      <div className="nora-page-head">
        <h1>Encryption keys</h1>
        <Button
          onClick={() => setConfirming(true)}
          disabled={running || !keys.currentKeyId}
          title={
            running
              ? "A rotation is running"
              : !keys.currentKeyId
                ? "No encryption key is configured"
                : undefined
          }
        >
          Re-seal under the current key
        </Button>
      </div>
      <dl className="nora-facts">
        <div className="nora-fact">
          <dt>Current key</dt>
          <dd>
            {keys.currentKeyId ? <code>{keys.currentKeyId}</code> : "None (secrets are stored unsealed)"}
          </dd>
        </div>
        <div className="nora-fact">
          <dt>Configured keys</dt>
          <dd>{keys.configuredKeyIds.join(", ") || "—"}</dd>
        </div>
      </dl>
      {stale ? (
        <Notice tone="warning" title="Some values are sealed by an older key">
          Re-seal them under the current key before removing an old key from the configuration.
        </Notice>
      ) : null}
      <section className="nora-section" aria-labelledby="usage-heading">
        <h2 id="usage-heading">Values per key</h2>
        <Table
          caption="Sealed values per key and column (counts only)"
          columns={columns}
          rows={keys.usage}
          rowKey={(u) => `${u.table}.${u.column}`}
          emptyMessage="No sealed values yet."
        />
      </section>
      <section className="nora-section" aria-labelledby="rotation-heading" aria-live="polite">
        <h2 id="rotation-heading">Last rotation</h2>
        <RotationStatus rotation={rotation} />
      </section>
      {confirming ? (
        <Dialog
          open
          onClose={() => setConfirming(false)}
          dismissible={!busy}
          title="Re-seal every stored secret under the current key?"
          description="It runs in the background, column by column; the page follows its progress. Secrets stay readable throughout."
          actions={
            <>
              <Button variant="secondary" onClick={() => setConfirming(false)} disabled={busy}>
                Cancel
              </Button>
              <Button onClick={() => void start()} loading={busy} data-autofocus="">
                Start rotation
              </Button>
            </>
          }
        />
      ) : null}
    </>
  );
}
