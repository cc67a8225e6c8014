import { describe, expect, it } from "vitest";
import {
  formErrorsFrom,
  formReducer,
  hasFormErrors,
  INITIAL_FORM_STATE,
  NO_FORM_ERRORS,
  requiredFieldErrors,
} from "./form-state.js";

const REQUEST_ID = "459bd3669f8ab7a47f94160eb5c2659f";
const FIELDS = ["email", "password"];

describe("formErrorsFrom", () => {
  it("puts a validation_failed answer's issues on their fields, and keeps the request id", () => {
    const body = {
      error: "validation_failed",
      message: "Request is invalid",
      requestId: REQUEST_ID,
      details: [
        { path: "email", code: "invalid_format", message: "Enter a valid email address" },
        { path: "password", code: "too_small", message: "Password must be at least 10 characters" },
        { path: "captchaToken", code: "too_small", message: "Too small" },
      ],
    };
    expect(formErrorsFrom(body, FIELDS)).toEqual({
      fields: {
        email: "Enter a valid email address",
        password: "Password must be at least 10 characters",
      },
      form: ["captchaToken: Too small"],
      requestId: REQUEST_ID,
    });
  });

  it("shows any other refusal at the top, with the request id", () => {
    const body = {
      error: "invalid_credentials",
      message: "Email or password is incorrect",
      requestId: REQUEST_ID,
    };
    expect(formErrorsFrom(body, FIELDS)).toEqual({
      fields: {},
      form: ["Email or password is incorrect"],
      requestId: REQUEST_ID,
    });
  });

  it("reads an error object through its toBody(), as @nora/api-client's ApiError offers", () => {
    const error = Object.assign(new Error("Signups are closed"), {
      toBody: () => ({ error: "signup_closed", message: "Signups are closed", requestId: REQUEST_ID }),
    });
    expect(formErrorsFrom(error)).toEqual({
      fields: {},
      form: ["Signups are closed"],
      requestId: REQUEST_ID,
    });
  });

  it("turns anything else into a message at the top, never nothing", () => {
    expect(formErrorsFrom(new TypeError("Failed to fetch"))).toEqual({
      fields: {},
      form: ["Failed to fetch"],
    });
    expect(formErrorsFrom("nonsense").form).toEqual(["Something went wrong; please try again"]);
    expect(formErrorsFrom(undefined).form).toHaveLength(1);
  });
});

describe("requiredFieldErrors", () => {
  it("names each empty or blank required field, inline", () => {
    const errors = requiredFieldErrors(
      { email: "  ", password: "x" },
      { email: "Enter your email address", password: "Enter your password", name: "Enter a name" },
    );
    expect(errors).toEqual({ fields: { email: "Enter your email address", name: "Enter a name" }, form: [] });
    expect(hasFormErrors(requiredFieldErrors({ email: "a@b.c" }, { email: "Enter it" }))).toBe(false);
  });
});

describe("formReducer", () => {
  const failed = formReducer(INITIAL_FORM_STATE, {
    type: "fail",
    errors: { fields: { email: "Invalid", password: "Too short" }, form: ["Nope"], requestId: REQUEST_ID },
  });

  it("starts idle without errors", () => {
    expect(INITIAL_FORM_STATE).toEqual({ status: "idle", errors: NO_FORM_ERRORS });
    expect(hasFormErrors(INITIAL_FORM_STATE.errors)).toBe(false);
  });

  it("keeps the last errors visible while a new attempt is in flight, and clears them on success", () => {
    const submitting = formReducer(failed, { type: "submit" });
    expect(submitting.status).toBe("submitting");
    expect(submitting.errors).toBe(failed.errors);
    expect(formReducer(submitting, { type: "succeed" })).toEqual({
      status: "succeeded",
      errors: NO_FORM_ERRORS,
    });
  });

  it("drops a field's inline error when it is edited, and only that one", () => {
    const edited = formReducer(failed, { type: "edit", field: "email" });
    expect(edited.errors).toEqual({
      fields: { password: "Too short" },
      form: ["Nope"],
      requestId: REQUEST_ID,
    });
    expect(formReducer(edited, { type: "edit", field: "displayName" })).toBe(edited);
  });
});
