/**
 * The address of an agent's stream on this origin. The session cookie authenticates it (the API
 * checks the Origin the browser sends): never a token in the URL.
 */
export function agentStreamUrl(
  agentId: string,
  stream: "logs" | "metrics" | "terminal",
  query: Record<string, string | number>,
): string {
  const { protocol, host } = window.location;
  const search = new URLSearchParams(Object.entries(query).map(([k, v]) => [k, String(v)]));
  return `${protocol === "https:" ? "wss" : "ws"}://${host}/api/ws/agents/${encodeURIComponent(agentId)}/${stream}?${search}`;
}
