import type { ReactNode } from "react";
import { AgentProvider } from "../../../../../src/agent-detail/agent-context";
import { AgentTabs } from "../../../../../src/agent-detail/agent-tabs";

export default async function AgentLayout({
  children,
  params,
}: {
  children: ReactNode;
  params: Promise<{ agentId: string }>;
}) {
  const { agentId } = await params;
  return (
    <AgentProvider agentId={agentId}>
      <AgentTabs />
      {children}
    </AgentProvider>
  );
}
