import { AgentsListScreen } from "../../../../src/agents/agents-list-screen";

export const metadata = { title: "Agents" };

export default function AgentsPage() {
  return <AgentsListScreen />;
}
