import { parseApiError } from "./api-error.js";

export type ToastTone = "info" | "success" | "error";

export interface ToastInput {
  tone?: ToastTone;
  title: string;
  message?: string;
  /** The API's request id: shown with a copy button, for the operator's bug report or log search. */
  requestId?: string;
  /** Milliseconds until it goes away; `null` keeps it until dismissed. */
  duration?: number | null;
}

export interface Toast {
  id: string;
  tone: ToastTone;
  title: string;
  message?: string;
  requestId?: string;
  duration: number | null;
}

export const MAX_TOASTS = 5;
export const DEFAULT_TOAST_DURATION_MS = 6000;

/** Errors stay until dismissed: their request id has to be copyable, not racing a timer. */
export function createToast(id: string, input: ToastInput): Toast {
  const tone = input.tone ?? "info";
  const toast: Toast = {
    id,
    tone,
    title: input.title,
    duration:
      input.duration !== undefined ? input.duration : tone === "error" ? null : DEFAULT_TOAST_DURATION_MS,
  };
  if (input.message !== undefined) toast.message = input.message;
  if (input.requestId !== undefined) toast.requestId = input.requestId;
  return toast;
}

export type ToastAction = { type: "add"; toast: Toast } | { type: "dismiss"; id: string };

/** The visible toasts, oldest first; beyond `MAX_TOASTS` the oldest goes. */
export function toastReducer(state: readonly Toast[], action: ToastAction): Toast[] {
  switch (action.type) {
    case "add":
      return [...state.filter((toast) => toast.id !== action.toast.id), action.toast].slice(-MAX_TOASTS);
    case "dismiss":
      return state.filter((toast) => toast.id !== action.id);
  }
}

/**
 * An error toast for a failed API call: `title` says what failed ("Could not delete the agent"), the
 * API's message explains it, and the request id comes from the body (or, for a body that is not the
 * API's, from the `x-request-id` response header passed as `requestId`).
 */
export function toastFromApiError(body: unknown, title: string, requestId?: string): ToastInput {
  const error = parseApiError(body);
  const toast: ToastInput = { tone: "error", title };
  if (error?.message !== undefined) toast.message = error.message;
  const id = error?.requestId ?? requestId;
  if (id !== undefined) toast.requestId = id;
  return toast;
}
