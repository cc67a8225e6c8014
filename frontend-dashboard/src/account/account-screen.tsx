"use client";

import { IdentitiesCard } from "./identities-card";
import { PasswordCard } from "./password-card";
import { ProfileCard } from "./profile-card";
import { SessionsCard } from "./sessions-card";

/** `/account`: the signed-in user's profile, password, sessions and sign-in methods. */
export function AccountScreen() {
  return (
    <>
      <h1>Your account</h1>
      <ProfileCard />
      <PasswordCard />
      <SessionsCard />
      <IdentitiesCard />
    </>
  );
}
