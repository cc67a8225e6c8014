import { ChatTab } from "../../../../../../src/agent-detail/chat-tab";

export default function Page() {
  return <ChatTab />;
}
