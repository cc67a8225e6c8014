import { InvitationsSection } from "../../../../../src/settings/invitations-section";

export default function Page() {
  return <InvitationsSection />;
}
