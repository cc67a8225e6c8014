import type { BootstrapStatus } from "@nora/api-client";
import { ButtonLink } from "@nora/ui";
import { auth } from "./api";

/**
 * One button per OAuth provider the server has enabled, and nothing at all when none is: each is a
 * plain navigation to the API's start route, which redirects to the provider.
 */
export function OAuthButtons({ status, verb = "Continue" }: { status: BootstrapStatus; verb?: string }) {
  const providers = auth.oauthProviders(status);
  if (providers.length === 0) return null;
  return (
    <div className="nora-oauth">
      <ul className="nora-stack" aria-label="Other ways to sign in">
        {providers.map((provider) => (
          <li key={provider.provider}>
            <ButtonLink href={provider.startUrl} variant="secondary" className="nora-button--block">
              {verb} with {provider.label}
            </ButtonLink>
          </li>
        ))}
      </ul>
      <p className="nora-divider">
        <span>or with your email</span>
      </p>
    </div>
  );
}
