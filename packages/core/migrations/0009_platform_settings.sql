-- platform_settings (0001) now holds settings admins change at runtime, read at decision time so a
-- change is effective on every API instance at once (docs/security.md, "Signup modes"). An absent row
-- means the environment's default applies. A stored signup mode can only be one the API knows, even
-- when written by hand.
ALTER TABLE platform_settings ADD CONSTRAINT platform_settings_signup_mode
  CHECK (key <> 'signup_mode' OR value IN ('"open"'::jsonb, '"invite"'::jsonb, '"closed"'::jsonb));
