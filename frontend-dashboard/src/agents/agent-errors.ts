import type { ToastInput } from "@nora/ui";

/** A failed call as an error toast: what failed, the API's message, and its request id. */
export function errorToast(title: string, error: unknown): ToastInput {
  const toast: ToastInput = { tone: "error", title, duration: null };
  if (error instanceof Error && error.message) toast.message = error.message;
  const requestId = (error as { requestId?: unknown } | null)?.requestId;
  if (typeof requestId === "string") toast.requestId = requestId;
  return toast;
}
