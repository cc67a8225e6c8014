import { Button, Notice, RequestId } from "@nora/ui";
import { messageOf, requestIdOf } from "./errors";

/** What a page shows when its data could not be loaded: the reason, the request id, a retry. */
export function LoadFailure({ what, error, onRetry }: { what: string; error: unknown; onRetry: () => void }) {
  const requestId = requestIdOf(error);
  return (
    <Notice tone="danger" title={`Could not load ${what}`}>
      <p>{messageOf(error)}</p>
      {requestId ? <RequestId value={requestId} /> : null}
      <Button variant="secondary" size="sm" onClick={onRetry}>
        Try again
      </Button>
    </Notice>
  );
}

/** A refusal shown in the page (beside its toast), with the API's words and request id. */
export function RefusalNotice({ title, error }: { title: string; error: unknown }) {
  const requestId = requestIdOf(error);
  return (
    <Notice tone="danger" title={title} role="status">
      <p>{messageOf(error)}</p>
      {requestId ? <RequestId value={requestId} /> : null}
    </Notice>
  );
}
