import { MembersSection } from "../../../../../src/settings/members-section";

export default function Page() {
  return <MembersSection />;
}
