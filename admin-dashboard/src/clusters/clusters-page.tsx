"use client";

import { isApiError } from "@nora/api-client";
import { clusterRoutes } from "@nora/api-contract";
import { Button, type Column, ConfirmDialog, Dialog, Table, useToast } from "@nora/ui";
import { useState } from "react";
import { api } from "../api";
import { toastError } from "../errors";
import { formatTime } from "../format";
import { LoadFailure, RefusalNotice } from "../load-failure";
import type { Cluster } from "../types";
import { useRemote } from "../use-remote";
import { ClusterCheckView } from "./cluster-check";
import { ClusterForm } from "./cluster-form";

type Editing = { mode: "create" } | { mode: "edit"; cluster: Cluster };

function checkWords(cluster: Cluster): string {
  if (!cluster.lastCheck) return "Not checked";
  return cluster.lastCheck.ok ? "Usable" : "Failed";
}

export function ClustersPage() {
  const toast = useToast();
  const [editing, setEditing] = useState<Editing | null>(null);
  const [deleting, setDeleting] = useState<Cluster | null>(null);
  const [busy, setBusy] = useState(false);
  const [testing, setTesting] = useState<string | null>(null);
  const [refusal, setRefusal] = useState<{ title: string; error: unknown } | null>(null);
  const [shownCheck, setShownCheck] = useState<string | null>(null);
  const { loaded, reload } = useRemote("clusters", () => api.call(clusterRoutes.list));

  const test = async (cluster: Cluster) => {
    setTesting(cluster.id);
    try {
      const { check } = await api.call(clusterRoutes.test, { params: { clusterId: cluster.id } });
      toast.show({
        tone: check.ok ? "success" : "error",
        title: check.ok ? `${cluster.name} is usable` : `${cluster.name} failed its check`,
        message: check.message,
      });
      setShownCheck(cluster.id);
      await reload();
    } catch (error) {
      toastError(toast, `Could not check ${cluster.name}`, error);
    } finally {
      setTesting(null);
    }
  };

  const remove = async () => {
    if (!deleting) return;
    setBusy(true);
    try {
      await api.call(clusterRoutes.remove, { params: { clusterId: deleting.id } });
      toast.show({ tone: "success", title: `Cluster ${deleting.name} deleted` });
      setRefusal(null);
      await reload();
    } catch (error) {
      if (isApiError(error) && error.code === "cluster_in_use") {
        setRefusal({ title: `${deleting.name} still has agents`, error });
      }
      toastError(toast, `Cluster ${deleting.name} was not deleted`, error);
    } finally {
      setBusy(false);
      setDeleting(null);
    }
  };

  const columns: Column<Cluster>[] = [
    {
      key: "name",
      header: "Cluster",
      rowHeader: true,
      sortValue: (c) => c.name,
      cell: (c) => `${c.name}${c.isDefault ? " (default)" : ""}`,
    },
    {
      key: "server",
      header: "API server",
      sortValue: (c) => c.serverHost,
      cell: (c) => <span className="nora-code-cell">{c.serverHost ?? "—"}</span>,
    },
    { key: "namespace", header: "Namespace", sortValue: (c) => c.namespace, cell: (c) => c.namespace },
    {
      key: "source",
      header: "Source",
      sortValue: (c) => c.source,
      cell: (c) => (c.source === "file" ? "KUBECONFIG_PATH" : "Added here"),
    },
    {
      key: "agents",
      header: "Agents",
      align: "end",
      sortValue: (c) => c.agentCount,
      cell: (c) => c.agentCount,
    },
    {
      key: "check",
      header: "Last check",
      sortValue: (c) => checkWords(c),
      cell: (c) => (
        <Button
          size="sm"
          variant="secondary"
          onClick={() => setShownCheck(shownCheck === c.id ? null : c.id)}
          disabled={!c.lastCheck}
          aria-label={`Last check of ${c.name}: ${checkWords(c)}`}
        >
          {checkWords(c)}
        </Button>
      ),
    },
    {
      key: "actions",
      header: "Actions",
      cell: (c) => (
        <span className="nora-toolbar">
          <Button
            size="sm"
            variant="secondary"
            loading={testing === c.id}
            onClick={() => void test(c)}
            aria-label={`Test ${c.name}`}
          >
            Test
          </Button>
          <Button
            size="sm"
            variant="secondary"
            onClick={() => setEditing({ mode: "edit", cluster: c })}
            aria-label={`Edit ${c.name}`}
          >
            Edit
          </Button>
          <Button size="sm" variant="danger" onClick={() => setDeleting(c)} aria-label={`Delete ${c.name}`}>
            Delete
          </Button>
        </span>
      ),
    },
  ];

  const clusters = loaded.state === "ready" ? loaded.value.clusters : [];
  const checked = clusters.find((c) => c.id === shownCheck);

  return (
    <>
      <div className="nora-page-head">
        <h1>Kubernetes clusters</h1>
        <Button onClick={() => setEditing({ mode: "create" })}>Add cluster</Button>
      </div>
      {refusal ? <RefusalNotice title={refusal.title} error={refusal.error} /> : null}
      {clusters
        .flatMap((c) => c.warnings.map((w) => ({ id: c.id, name: c.name, w })))
        .map(({ id, name, w }) => (
          <p key={`${id}-${w}`} className="nora-toolbar-note">
            {name}: {w}
          </p>
        ))}
      {loaded.state === "failed" ? (
        <LoadFailure what="the clusters" error={loaded.error} onRetry={() => void reload()} />
      ) : (
        <Table
          caption="Kubernetes clusters"
          captionHidden
          columns={columns}
          rows={clusters}
          rowKey={(c) => c.id}
          loading={loaded.state === "loading"}
          emptyMessage="No cluster yet. Add one to deploy agents to Kubernetes."
        />
      )}
      {checked?.lastCheck ? (
        <section className="nora-section" aria-label={`Last check of ${checked.name}`}>
          <ClusterCheckView check={checked.lastCheck} checkedAt={checked.lastCheckedAt} />
        </section>
      ) : null}
      {editing ? (
        <Dialog
          open
          onClose={() => setEditing(null)}
          title={editing.mode === "create" ? "Add a Kubernetes cluster" : `Edit ${editing.cluster.name}`}
          description={
            editing.mode === "edit" ? `Created ${formatTime(editing.cluster.createdAt)}` : undefined
          }
        >
          <ClusterForm
            {...(editing.mode === "edit" ? { original: editing.cluster } : {})}
            onCancel={() => setEditing(null)}
            onSaved={(cluster) => {
              toast.show({
                tone: "success",
                title: `Cluster ${cluster.name} saved`,
                message: "Test it to check the connection.",
              });
              setEditing(null);
              void reload();
            }}
          />
        </Dialog>
      ) : null}
      {deleting ? (
        <ConfirmDialog
          open
          onClose={() => setDeleting(null)}
          onConfirm={() => void remove()}
          title={`Delete cluster ${deleting.name}?`}
          description={
            deleting.agentCount > 0
              ? `${deleting.agentCount} agent(s) are recorded on it: the API refuses until they are deleted or moved.`
              : "Nora forgets the cluster and its sealed kubeconfig; nothing on the cluster is touched."
          }
          confirmationText={deleting.name}
          confirmLabel="Delete cluster"
          busy={busy}
        />
      ) : null}
    </>
  );
}
