import { AcceptInvitationScreen } from "../../../src/invitations/accept-invitation-screen";

export const metadata = { title: "Invitation" };

export default function Page() {
  return <AcceptInvitationScreen />;
}
