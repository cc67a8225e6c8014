import { AppError } from "@nora/core";

/** Agents' own web UIs are off unless the operator turns them on (GATEWAY_PROXY_WEB_UIS). */
export const webUisDisabled = () =>
  new AppError(
    404,
    "agent_web_ui_disabled",
    "Agents' web UIs are not served here; the operator can turn them on (GATEWAY_PROXY_WEB_UIS)",
  );
