import { describe, expect, it } from "vitest";
import { fieldErrorsFromApiError, parseApiError, validationIssues } from "./api-error.js";

// The body the API's error handler answers a zod failure with (docs/security.md).
const validationFailed = (details: unknown) => ({
  error: "validation_failed",
  message: "Request is invalid",
  details,
  requestId: "0b6a6c2e-5a4f-4f1e-9c38-1f2d3e4a5b6c",
});

describe("parseApiError", () => {
  it("reads the API's error body", () => {
    expect(parseApiError(validationFailed([]))).toEqual({
      error: "validation_failed",
      message: "Request is invalid",
      details: [],
      requestId: "0b6a6c2e-5a4f-4f1e-9c38-1f2d3e4a5b6c",
    });
    expect(parseApiError({ error: "not_found" })).toEqual({ error: "not_found" });
  });

  it("refuses what is not one, and drops fields of the wrong type", () => {
    for (const body of [null, undefined, "oops", 42, [], {}, { error: 500 }]) {
      expect(parseApiError(body)).toBeUndefined();
    }
    expect(parseApiError({ error: "x", message: 1, requestId: {} })).toEqual({ error: "x" });
  });
});

describe("validationIssues", () => {
  it("keeps well-formed entries and skips the rest", () => {
    expect(
      validationIssues([
        { path: "name", code: "too_small", message: "Too short" },
        { message: "Whole body wrong" },
        { path: "x" },
        "nonsense",
        null,
      ]),
    ).toEqual([
      { path: "name", code: "too_small", message: "Too short" },
      { path: "", message: "Whole body wrong" },
    ]);
    expect(validationIssues({ name: "Too short" })).toEqual([]);
  });
});

describe("fieldErrorsFromApiError", () => {
  it("maps each issue's path onto the field of that name, first message wins", () => {
    const errors = fieldErrorsFromApiError(
      validationFailed([
        { path: "email", code: "invalid_format", message: "Invalid email address" },
        { path: "password", code: "too_small", message: "At least 12 characters" },
        { path: "password", code: "custom", message: "Must not contain the email" },
      ]),
    );
    expect(errors).toEqual({
      fields: { email: "Invalid email address", password: "At least 12 characters" },
      form: [],
    });
  });

  it("keeps nested paths as the dotted name the form uses", () => {
    const errors = fieldErrorsFromApiError(
      validationFailed([{ path: "providers.0.apiKey", code: "too_small", message: "Required" }]),
    );
    expect(errors.fields).toEqual({ "providers.0.apiKey": "Required" });
  });

  it("puts root-level issues and paths the form does not have into form errors, never dropping one", () => {
    const errors = fieldErrorsFromApiError(
      validationFailed([
        { path: "", code: "custom", message: "Passwords do not match" },
        { path: "name", code: "too_small", message: "Too short" },
        { path: "labels.team", code: "invalid_type", message: "Expected string" },
      ]),
      ["name", "email"],
    );
    expect(errors).toEqual({
      fields: { name: "Too short" },
      form: ["Passwords do not match", "labels.team: Expected string"],
    });
  });

  it("turns an error without validation details into one form error", () => {
    expect(
      fieldErrorsFromApiError({ error: "conflict", message: "An agent of that name exists", requestId: "r" }),
    ).toEqual({ fields: {}, form: ["An agent of that name exists"] });
    expect(fieldErrorsFromApiError({ error: "internal_error", requestId: "r" })).toEqual({
      fields: {},
      form: ["The request failed (internal_error)"],
    });
  });

  it("yields nothing for a body that is not the API's", () => {
    expect(fieldErrorsFromApiError("<html>Bad gateway</html>")).toEqual({ fields: {}, form: [] });
  });
});
