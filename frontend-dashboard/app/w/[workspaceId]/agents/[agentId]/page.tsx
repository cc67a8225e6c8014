import { redirect } from "next/navigation";

export default async function AgentHome({
  params,
}: {
  params: Promise<{ workspaceId: string; agentId: string }>;
}) {
  const { workspaceId, agentId } = await params;
  redirect(`/w/${workspaceId}/agents/${agentId}/overview`);
}
