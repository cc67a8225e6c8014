import type { Queryable } from "@nora/core";

/** One immutable revision: what a deploy asked for (environment names and file hashes, never values). */
export interface RevisionRow {
  id: string;
  agentId: string;
  number: number;
  family: string;
  target: string;
  profile: string;
  image: string;
  imageDigest: string | null;
  vcpu: number;
  memoryMb: number;
  diskGb: number;
  providerIds: string[] | null;
  envNames: string[];
  /** `{path: content}`: operator content, kept to redeploy it. */
  template: Record<string, string>;
  bootstrapHashes: Record<string, string>;
  sourceRevisionId: string | null;
  sourceRevision: number | null;
  createdBy: string | null;
  createdAt: Date;
}

const REVISION_COLUMNS = `r.id, r.agent_id AS "agentId", r.number, r.runtime_family AS family,
  r.deploy_target AS target, r.sandbox_profile AS profile, r.image, r.image_digest AS "imageDigest",
  r.vcpu::float8 AS vcpu, r.memory_mb AS "memoryMb", r.disk_gb AS "diskGb",
  r.provider_ids::text[] AS "providerIds", r.env_names AS "envNames", r.template,
  r.bootstrap_hashes AS "bootstrapHashes", r.source_revision_id AS "sourceRevisionId",
  (SELECT s.number FROM agent_revisions s WHERE s.id = r.source_revision_id) AS "sourceRevision",
  r.created_by AS "createdBy", r.created_at AS "createdAt"`;

export type NewRevision = Omit<
  RevisionRow,
  "id" | "number" | "imageDigest" | "sourceRevision" | "createdAt" | "agentId"
> & { agentId: string };

/** Inserts the agent's next revision (the caller holds the agent's row lock). */
export async function insertRevision(db: Queryable, r: NewRevision): Promise<RevisionRow> {
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO agent_revisions (agent_id, number, runtime_family, deploy_target, sandbox_profile, image,
       vcpu, memory_mb, disk_gb, provider_ids, env_names, template, bootstrap_hashes, source_revision_id,
       created_by)
     VALUES ($1, (SELECT coalesce(max(number), 0) + 1 FROM agent_revisions WHERE agent_id = $1),
       $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
     RETURNING id`,
    [
      r.agentId,
      r.family,
      r.target,
      r.profile,
      r.image,
      r.vcpu,
      r.memoryMb,
      r.diskGb,
      r.providerIds,
      r.envNames,
      JSON.stringify(r.template),
      JSON.stringify(r.bootstrapHashes),
      r.sourceRevisionId,
      r.createdBy,
    ],
  );
  return (await findRevision(db, rows[0]?.id as string)) as RevisionRow;
}

export async function findRevision(db: Queryable, revisionId: string): Promise<RevisionRow | undefined> {
  const { rows } = await db.query<RevisionRow>(
    `SELECT ${REVISION_COLUMNS} FROM agent_revisions r WHERE r.id = $1`,
    [revisionId],
  );
  return rows[0];
}

export async function findRevisionByNumber(
  db: Queryable,
  agentId: string,
  number: number,
): Promise<RevisionRow | undefined> {
  const { rows } = await db.query<RevisionRow>(
    `SELECT ${REVISION_COLUMNS} FROM agent_revisions r WHERE r.agent_id = $1 AND r.number = $2`,
    [agentId, number],
  );
  return rows[0];
}

/** Newest first; `beforeNumber` is the keyset cursor. */
export async function listRevisions(
  db: Queryable,
  agentId: string,
  beforeNumber: number | null,
  limit: number,
): Promise<RevisionRow[]> {
  const { rows } = await db.query<RevisionRow>(
    `SELECT ${REVISION_COLUMNS} FROM agent_revisions r
     WHERE r.agent_id = $1 AND ($2::int IS NULL OR r.number < $2)
     ORDER BY r.number DESC LIMIT $3`,
    [agentId, beforeNumber, limit],
  );
  return rows;
}
