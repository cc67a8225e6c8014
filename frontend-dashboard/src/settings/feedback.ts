"use client";

import { formErrorsFrom, useToast } from "@nora/ui";
import { useCallback } from "react";

/** Toasts for an action's outcome: a failure says what the API answered, with its request id. */
export function useFeedback() {
  const toast = useToast();
  const failed = useCallback(
    (title: string, error: unknown) => {
      const errors = formErrorsFrom(error);
      const message = [...errors.form, ...Object.values(errors.fields)].join(" ");
      toast.show({
        tone: "error",
        title,
        ...(message ? { message } : {}),
        ...(errors.requestId ? { requestId: errors.requestId } : {}),
      });
    },
    [toast],
  );
  const done = useCallback(
    (title: string, message?: string) => {
      toast.show({ tone: "success", title, ...(message ? { message } : {}) });
    },
    [toast],
  );
  return { failed, done };
}

/** Why a screen's data did not load, in words, with the request id when the API gave one. */
export function loadFailure(error: unknown): { message: string; requestId?: string } {
  const errors = formErrorsFrom(error);
  const message = errors.form[0] ?? "The server could not be reached.";
  return errors.requestId ? { message, requestId: errors.requestId } : { message };
}
