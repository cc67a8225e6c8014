import { type FormErrors, hasFormErrors } from "./form-state.js";
import { RequestId } from "./toast.js";

export interface FormAlertProps {
  errors: FormErrors;
  /** The heading, saying what failed ("Could not sign in"). */
  title: string;
  /** Shown when the only errors are inline ones, so the alert points at them. */
  fieldsMessage?: string;
  id?: string;
}

/**
 * A form's error summary: what failed, the messages that belong to no field, and the API's request id
 * with a copy button (for a bug report or a log search). An alert, so it is announced when it appears;
 * focusable, so a failed submit can move focus to it. Renders nothing while there is no error.
 */
export function FormAlert({
  errors,
  title,
  fieldsMessage = "Check the fields marked below.",
  id,
}: FormAlertProps) {
  if (!hasFormErrors(errors)) return null;
  const messages = errors.form.length > 0 ? errors.form : [fieldsMessage];
  return (
    <div id={id} className="nora-form-alert" role="alert" tabIndex={-1}>
      <p className="nora-form-alert-title">
        <span className="nora-field-error-icon" aria-hidden="true">
          !
        </span>
        {title}
      </p>
      {messages.length === 1 ? (
        <p className="nora-form-alert-message">{messages[0]}</p>
      ) : (
        <ul className="nora-form-alert-list">
          {messages.map((message) => (
            <li key={message}>{message}</li>
          ))}
        </ul>
      )}
      {errors.requestId === undefined ? null : (
        <RequestId value={errors.requestId} className="nora-form-alert-request" />
      )}
    </div>
  );
}
