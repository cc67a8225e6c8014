/** Path helpers for the Files tab: paths are relative to their root, `/`-separated. */
export const joinPath = (dir: string, name: string) => (dir === "" ? name : `${dir}/${name}`);

export const parentOf = (path: string) => {
  const at = path.lastIndexOf("/");
  return at === -1 ? "" : path.slice(0, at);
};

export const baseName = (path: string) => path.slice(path.lastIndexOf("/") + 1);

/** The breadcrumb of a directory: each ancestor's name and path, the root first. */
export function crumbs(path: string): { name: string; path: string }[] {
  const parts = path.split("/").filter(Boolean);
  return parts.map((name, i) => ({ name, path: parts.slice(0, i + 1).join("/") }));
}

const query = (root: string, path: string) => new URLSearchParams({ root, path }).toString();

export const downloadUrl = (agentId: string, root: string, path: string) =>
  `/api/agents/${encodeURIComponent(agentId)}/files/download?${query(root, path)}`;

export const uploadUrl = (agentId: string, root: string, path: string) =>
  `/api/agents/${encodeURIComponent(agentId)}/files/upload?${query(root, path)}`;

/** The API's default AGENT_FILE_UPLOAD_MAX_BYTES; the API enforces its own configured cap regardless. */
export const UPLOAD_CAP_BYTES = 50 * 1024 * 1024;
