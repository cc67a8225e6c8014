"use client";

import { adminRoutes } from "@nora/api-contract";
import { Button, FieldError, FormAlert, useForm } from "@nora/ui";
import { api } from "../api";
import { formatTime } from "../format";
import type { SettingsAnswer } from "../types";
import { SIGNUP_CHOICES, settingsBody } from "./signup-mode";

type SignupSetting = SettingsAnswer["settings"]["signupMode"];

const MODE_WORDS = { open: "Open", invite: "Invite only", closed: "Closed" } as const;

/** Where the signup mode stands: its value, where it comes from, and who stored it when. */
export function SignupModeFacts({
  setting,
  updatedBy,
}: {
  setting: SignupSetting;
  updatedBy?: string | undefined;
}) {
  return (
    <dl className="nora-facts">
      <div className="nora-fact">
        <dt>Signup mode now</dt>
        <dd>{MODE_WORDS[setting.value]}</dd>
      </div>
      <div className="nora-fact">
        <dt>Source</dt>
        <dd>
          {setting.source === "stored"
            ? "Stored by an administrator"
            : `The server default (SIGNUP_MODE = ${setting.default})`}
        </dd>
      </div>
      <div className="nora-fact">
        <dt>Server default</dt>
        <dd>{MODE_WORDS[setting.default]}</dd>
      </div>
      <div className="nora-fact">
        <dt>Last changed</dt>
        <dd>
          {setting.updatedAt
            ? `${formatTime(setting.updatedAt)} by ${updatedBy ?? setting.updatedBy ?? "—"}`
            : "Never"}
        </dd>
      </div>
    </dl>
  );
}

/** The signup mode form: one radio per choice; the API's refusal shown inline and with its request id. */
export function SignupModeForm({
  setting,
  onSaved,
}: {
  setting: SignupSetting;
  onSaved: (answer: SettingsAnswer) => void;
}) {
  const { formProps, errors, submitting } = useForm({
    fields: ["signupMode"],
    submit: async (values) => {
      onSaved(await api.call(adminRoutes.updateSettings, { body: settingsBody(values.signupMode ?? "") }));
    },
  });
  const current = setting.source === "stored" ? setting.value : "default";
  const error = errors.fields.signupMode;
  return (
    <form {...formProps} className="nora-stack" aria-labelledby="signup-mode-title">
      <FormAlert errors={errors} title="Could not save the signup mode" />
      <fieldset className="nora-field" aria-describedby={error ? "signup-mode-error" : undefined}>
        <legend id="signup-mode-title" className="nora-field-label">
          Who may create an account
        </legend>
        {SIGNUP_CHOICES.map((choice) => (
          <label key={choice.value} className="nora-checkbox">
            <input
              type="radio"
              name="signupMode"
              value={choice.value}
              defaultChecked={choice.value === current}
            />
            <span>
              <strong>{choice.label}</strong> — {choice.hint}
            </span>
          </label>
        ))}
        {error ? <FieldError id="signup-mode-error">{error}</FieldError> : null}
      </fieldset>
      <div>
        <Button type="submit" loading={submitting}>
          Save signup mode
        </Button>
      </div>
    </form>
  );
}
