import { isApiError } from "@nora/api-client";
import { Notice, RequestId } from "@nora/ui";

/** What an API call's failure says, for display: the API's words, code and request id. */
export interface ShownError {
  title: string;
  message: string;
  code: string | null;
  requestId: string | null;
}

export function shownError(title: string, error: unknown): ShownError {
  if (isApiError(error)) {
    const issues = error.issues.map((i) => `${i.path}: ${i.message}`);
    return {
      title,
      message: issues.length > 0 ? issues.join("; ") : error.message,
      code: error.error,
      requestId: error.requestId,
    };
  }
  return {
    title,
    message: error instanceof Error ? error.message : String(error),
    code: null,
    requestId: null,
  };
}

/** A failure in place (not only a toast): what failed, why, and the request id to quote. */
export function ErrorNotice({ error }: { error: ShownError }) {
  return (
    <div role="alert">
      <Notice tone="danger" title={error.title}>
        <p>
          {error.message}
          {error.code ? <span className="nora-error-code"> ({error.code})</span> : null}
        </p>
        {error.requestId ? <RequestId value={error.requestId} className="nora-error-request" /> : null}
      </Notice>
    </div>
  );
}
