import { isApiError } from "@nora/api-client";
import type { ToastApi } from "@nora/ui";

/** An API failure's words: its message, else a generic one. */
export function messageOf(error: unknown): string {
  if (error instanceof Error && error.message) return error.message;
  return "Something went wrong; please try again";
}

/** The request id of a refused call, when the API gave one. */
export function requestIdOf(error: unknown): string | undefined {
  return isApiError(error) && error.requestId ? error.requestId : undefined;
}

/** Shows a failure as an error toast carrying the request id (it stays until dismissed). */
export function toastError(toast: ToastApi, title: string, error: unknown): void {
  const requestId = requestIdOf(error);
  toast.show({
    tone: "error",
    title,
    message: messageOf(error),
    ...(requestId ? { requestId } : {}),
  });
}
