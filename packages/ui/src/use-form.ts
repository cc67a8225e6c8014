"use client";
import { type FormEvent, type RefObject, useCallback, useEffect, useReducer, useRef } from "react";
import {
  type FormErrors,
  type FormState,
  formErrorsFrom,
  formReducer,
  hasFormErrors,
  INITIAL_FORM_STATE,
} from "./form-state.js";

export type FormValues = Record<string, string>;

export interface UseFormOptions {
  /** The form's field names: a validation issue for another path is shown at the top, never dropped. */
  fields: readonly string[];
  /** Checks before sending (required fields, say); errors returned here stop the submission. */
  validate?: (values: FormValues) => FormErrors;
  /** Sends the form. What it throws becomes the errors shown (`formErrorsFrom`). */
  submit: (values: FormValues) => Promise<void>;
}

export interface UseForm {
  state: FormState;
  submitting: boolean;
  errors: FormErrors;
  /** Spread on the <form>: no native bubbles (errors are inline), submit and edit handled here. */
  formProps: {
    ref: RefObject<HTMLFormElement | null>;
    noValidate: true;
    onSubmit: (event: FormEvent<HTMLFormElement>) => void;
    onChange: (event: FormEvent<HTMLFormElement>) => void;
    "aria-busy": true | undefined;
  };
}

/** The form's text values by name (files and repeated names are not used by these forms). */
function valuesOf(form: HTMLFormElement): FormValues {
  const values: FormValues = {};
  for (const [name, value] of new FormData(form)) if (typeof value === "string") values[name] = value;
  return values;
}

/**
 * A form that sends once at a time, shows what the API refused inline (by field) and at the top (with
 * the request id), clears a field's error when it is edited, and after a refusal moves focus to the
 * first invalid field, or to the alert when no field is marked.
 */
export function useForm({ fields, validate, submit }: UseFormOptions): UseForm {
  const [state, dispatch] = useReducer(formReducer, INITIAL_FORM_STATE);
  const ref = useRef<HTMLFormElement>(null);
  const busy = useRef(false);

  useEffect(() => {
    if (state.status !== "failed") return;
    const form = ref.current;
    const target =
      form?.querySelector<HTMLElement>('[aria-invalid="true"]') ??
      form?.querySelector<HTMLElement>(".nora-form-alert");
    target?.focus();
  }, [state]);

  const onSubmit = useCallback(
    (event: FormEvent<HTMLFormElement>) => {
      event.preventDefault();
      if (busy.current) return;
      const values = valuesOf(event.currentTarget);
      const invalid = validate?.(values);
      if (invalid && hasFormErrors(invalid)) {
        dispatch({ type: "fail", errors: invalid });
        return;
      }
      busy.current = true;
      dispatch({ type: "submit" });
      submit(values).then(
        () => {
          busy.current = false;
          dispatch({ type: "succeed" });
        },
        (error: unknown) => {
          busy.current = false;
          dispatch({ type: "fail", errors: formErrorsFrom(error, fields) });
        },
      );
    },
    [fields, submit, validate],
  );

  const onChange = useCallback((event: FormEvent<HTMLFormElement>) => {
    const target = event.target as Partial<HTMLInputElement>;
    if (typeof target.name === "string" && target.name) dispatch({ type: "edit", field: target.name });
  }, []);

  return {
    state,
    submitting: state.status === "submitting",
    errors: state.errors,
    formProps: {
      ref,
      noValidate: true,
      onSubmit,
      onChange,
      "aria-busy": state.status === "submitting" || undefined,
    },
  };
}
