/**
 * The masked form of a secret: its last 4 characters, and only when the secret is long enough
 * (12+ characters) that 4 of them reveal little. Shorter secrets get no hint at all.
 */
export function secretHint(value: string): string | null {
  return value.length >= 12 ? value.slice(-4) : null;
}
