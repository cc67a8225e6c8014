import { ApiKeysSection } from "../../../../../src/settings/api-keys-section";

export default function Page() {
  return <ApiKeysSection />;
}
