-- Kubernetes clusters agents can be deployed to (docs/kubernetes.md). A cluster is stored by a
-- platform admin through the API (its kubeconfig sealed like every credential, never returned) or is
-- the provisioner's KUBECONFIG_PATH (source 'file': no kubeconfig here, upserted at provisioner
-- start). The connectivity check runs in the provisioner and stores its result on the row.
CREATE TABLE clusters (
  id uuid PRIMARY KEY,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  namespace text NOT NULL CHECK (namespace ~ '^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$'),
  source text NOT NULL CHECK (source IN ('api', 'file')),
  -- The kubeconfig (AES-256-GCM envelope bound to this row); only for source 'api'.
  kubeconfig_sealed text,
  -- host:port of the current context's API server, shown to admins (no secrets).
  server_host text CHECK (length(server_host) <= 300),
  -- The kubeconfig skips TLS verification (allowed only with KUBERNETES_ALLOW_INSECURE_TLS).
  insecure_tls boolean NOT NULL DEFAULT false,
  service_type text NOT NULL DEFAULT 'ClusterIP' CHECK (service_type IN ('ClusterIP', 'NodePort', 'LoadBalancer')),
  storage_class text CHECK (storage_class ~ '^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$'),
  is_default boolean NOT NULL DEFAULT false,
  -- The last connectivity check (reachable, version, permissions, missing, ok, message): no secrets.
  last_check jsonb,
  -- The check request that produced last_check (the API waits for its own).
  last_check_id uuid,
  last_checked_at timestamptz,
  created_by uuid REFERENCES users (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK ((source = 'api') = (kubeconfig_sealed IS NOT NULL))
);

CREATE UNIQUE INDEX clusters_name_idx ON clusters (lower(name));
-- At most one default cluster, and at most one file cluster.
CREATE UNIQUE INDEX clusters_one_default_idx ON clusters (is_default) WHERE is_default;
CREATE UNIQUE INDEX clusters_one_file_idx ON clusters (source) WHERE source = 'file';

-- The cluster a k8s agent runs on; a cluster in use cannot be deleted.
ALTER TABLE agents ADD COLUMN cluster_id uuid REFERENCES clusters (id) ON DELETE RESTRICT;
CREATE INDEX agents_cluster_idx ON agents (cluster_id) WHERE cluster_id IS NOT NULL;
