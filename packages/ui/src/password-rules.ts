import { isCommonPassword, PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from "@nora/api-contract";

export type PasswordRuleId = "min-length" | "max-length" | "not-common";

/** `pending` while nothing is typed: a rule is neither met nor broken by an empty field. */
export type PasswordRuleState = "met" | "unmet" | "pending";

export interface PasswordRuleResult {
  id: PasswordRuleId;
  label: string;
  state: PasswordRuleState;
}

/**
 * The API's password rules (`passwordSchema` in @nora/api-contract: its length bounds and its list of
 * common passwords), judged as the person types, so what the form shows is what the server enforces.
 */
export function checkPassword(password: string): PasswordRuleResult[] {
  const typed = password.length > 0;
  const judge = (met: boolean): PasswordRuleState => (!typed ? "pending" : met ? "met" : "unmet");
  return [
    {
      id: "min-length",
      label: `At least ${PASSWORD_MIN_LENGTH} characters`,
      state: judge(password.length >= PASSWORD_MIN_LENGTH),
    },
    {
      id: "max-length",
      label: `At most ${PASSWORD_MAX_LENGTH} characters`,
      state: judge(password.length <= PASSWORD_MAX_LENGTH),
    },
    { id: "not-common", label: "Not a commonly used password", state: judge(!isCommonPassword(password)) },
  ];
}

/** Whether every rule is met (an empty password meets none). */
export function passwordMeetsRules(password: string): boolean {
  return checkPassword(password).every((rule) => rule.state === "met");
}

/** The words a screen reader hears after a change: how many rules are met, and which are not. */
export function passwordRulesSummary(rules: readonly PasswordRuleResult[]): string {
  if (rules.every((rule) => rule.state === "pending")) return "";
  const unmet = rules.filter((rule) => rule.state === "unmet");
  if (unmet.length === 0) return "The password meets every rule.";
  return `Password rules not met: ${unmet.map((rule) => rule.label.toLowerCase()).join("; ")}.`;
}
