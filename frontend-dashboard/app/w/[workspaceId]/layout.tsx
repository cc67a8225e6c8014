import type { ReactNode } from "react";
import { WorkspaceFrame } from "../../../src/workspace/workspace-frame";

export default async function WorkspaceLayout({
  children,
  params,
}: {
  children: ReactNode;
  params: Promise<{ workspaceId: string }>;
}) {
  const { workspaceId } = await params;
  return <WorkspaceFrame workspaceId={workspaceId}>{children}</WorkspaceFrame>;
}
