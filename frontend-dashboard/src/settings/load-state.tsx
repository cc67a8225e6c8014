import { Notice, RequestId } from "@nora/ui";
import { loadFailure } from "./feedback";

/** What a section shows when its data did not load. */
export function LoadFailed({ what, error }: { what: string; error: unknown }) {
  const failure = loadFailure(error);
  return (
    <Notice tone="danger" title={`The ${what} could not be loaded`}>
      <p>{failure.message}</p>
      {failure.requestId ? <RequestId value={failure.requestId} className="nora-muted" /> : null}
    </Notice>
  );
}
