import { NewWorkspaceScreen } from "../../../src/workspace/new-workspace-screen";

export const metadata = { title: "New workspace" };

export default function Page() {
  return <NewWorkspaceScreen />;
}
