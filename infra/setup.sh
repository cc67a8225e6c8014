#!/usr/bin/env bash
# Creates or updates .env from .env.example:
#   - every variable whose value is the placeholder gets a fresh `openssl rand -hex 32` secret;
#   - every value an existing .env already holds is kept, line for line;
#   - variables new in .env.example are appended with their comments;
#   - a real (non-placeholder) secret is never replaced: asking for that fails.
# The file is written atomically with mode 0600.
set -euo pipefail

PLACEHOLDER="change-me-generate-with-infra-setup-sh"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

usage() {
  cat <<EOF
Usage: infra/setup.sh [--env-file PATH] [--example PATH] [--set NAME=VALUE]...

Writes PATH (default: $ROOT/.env) from the example (default: $ROOT/.env.example),
generating every secret the example marks with "$PLACEHOLDER".
Re-running keeps every existing value and adds variables new in the example.

  --env-file PATH     the .env file to create or update
  --example PATH      the template to read
  --set NAME=VALUE    use VALUE for NAME (e.g. an ENCRYPTION_KEY restored from a backup);
                      refused when .env already holds a different real secret for NAME
EOF
}

die() {
  printf 'setup.sh: %s\n' "$*" >&2
  exit 1
}

env_file="$ROOT/.env"
example="$ROOT/.env.example"
declare -A overrides=()

while [ $# -gt 0 ]; do
  case "$1" in
    --env-file)
      [ $# -ge 2 ] || die "--env-file needs a path"
      env_file="$2"
      shift 2
      ;;
    --example)
      [ $# -ge 2 ] || die "--example needs a path"
      example="$2"
      shift 2
      ;;
    --set)
      [ $# -ge 2 ] || die "--set needs NAME=VALUE"
      [[ $2 =~ ^([A-Za-z_][A-Za-z0-9_]*)=(.*)$ ]] || die "--set expects NAME=VALUE, got '${2%%=*}'"
      [[ ${BASH_REMATCH[2]} != *$'\n'* ]] || die "--set ${BASH_REMATCH[1]}: the value may not contain a newline"
      overrides[${BASH_REMATCH[1]}]="${BASH_REMATCH[2]}"
      shift 2
      ;;
    -h | --help)
      usage
      exit 0
      ;;
    *)
      usage >&2
      die "unknown argument: $1"
      ;;
  esac
done

command -v openssl >/dev/null 2>&1 || die "openssl is required to generate secrets (apt-get install openssl)"
if [ ! -f "$example" ] || [ ! -r "$example" ]; then die "cannot read the template $example"; fi
if [ -e "$env_file" ] || [ -L "$env_file" ]; then
  if [ ! -f "$env_file" ] || [ -L "$env_file" ]; then
    die "$env_file exists but is not a regular file; refusing to touch it"
  fi
  [ -r "$env_file" ] || die "cannot read $env_file"
fi

VAR_LINE='^[[:space:]]*([A-Za-z_][A-Za-z0-9_]*)=(.*)$'

unquote() {
  local v="$1"
  if [[ $v =~ ^\"(.*)\"$ || $v =~ ^\'(.*)\'$ ]]; then v="${BASH_REMATCH[1]}"; fi
  printf '%s' "$v"
}

# Variables the template marks as secrets to generate.
declare -A secret=()
while IFS= read -r line || [ -n "$line" ]; do
  if [[ $line =~ $VAR_LINE ]] && [ "$(unquote "${BASH_REMATCH[2]}")" = "$PLACEHOLDER" ]; then
    secret[${BASH_REMATCH[1]}]=1
  fi
done <"$example"

# Values already in .env (the last assignment wins, as in Docker Compose).
declare -A current=()
if [ -f "$env_file" ]; then
  while IFS= read -r line || [ -n "$line" ]; do
    if [[ $line =~ $VAR_LINE ]]; then current[${BASH_REMATCH[1]}]="$(unquote "${BASH_REMATCH[2]}")"; fi
  done <"$env_file"
fi

# Values the template holds.
declare -A template=()
while IFS= read -r line || [ -n "$line" ]; do
  if [[ $line =~ $VAR_LINE ]]; then template[${BASH_REMATCH[1]}]="$(unquote "${BASH_REMATCH[2]}")"; fi
done <"$example"

# The address the published port answers at: http://<NORA_BIND_ADDRESS>:<NORA_HTTP_PORT>, with a
# wildcard bind address shown as 127.0.0.1 (the port answers there too). docker-compose.yml's defaults.
stack_address() {
  local bind="${1:-127.0.0.1}" port="${2:-8080}"
  case "$bind" in 0.0.0.0 | :: | "[::]") bind="127.0.0.1" ;; esac
  if [[ $bind == *:* && $bind != \[* ]]; then bind="[$bind]"; fi
  printf 'http://%s:%s' "$bind" "$port"
}
source_value() { # NAME: the value before this run (.env, else the template)
  if [ -n "${current[$1]+set}" ]; then printf '%s' "${current[$1]}"; else printf '%s' "${template[$1]:-}"; fi
}
final_value() { # NAME: the value after this run
  if [ -n "${overrides[$1]+set}" ]; then printf '%s' "${overrides[$1]}"; else source_value "$1"; fi
}
# What an uncustomised PUBLIC_URL reads, in .env and in the template, and what it becomes.
address_in_env="$(stack_address "$(source_value NORA_BIND_ADDRESS)" "$(source_value NORA_HTTP_PORT)")"
address_in_template="$(stack_address "${template[NORA_BIND_ADDRESS]:-}" "${template[NORA_HTTP_PORT]:-}")"
address_after="$(stack_address "$(final_value NORA_BIND_ADDRESS)" "$(final_value NORA_HTTP_PORT)")"

for name in "${!overrides[@]}"; do
  [ -z "${secret[$name]:-}" ] || [ -z "${current[$name]:-}" ] || [ "${current[$name]}" = "$PLACEHOLDER" ] ||
    [ "${current[$name]}" = "${overrides[$name]}" ] ||
    die "$name in $env_file already holds a secret and setup.sh never replaces one. Changing it can lock you out of data encrypted or initialised with it: edit $env_file by hand only if you mean to rotate it (see docs/deployment.md)."
done

generated=()
# Prints the value NAME gets, given the value the source line holds.
resolve() {
  local name="$1" value="$2" uncustomised="$address_in_template"
  [ "$line_from" != env ] || uncustomised="$address_in_env"
  if [ -n "${overrides[$name]+set}" ]; then
    printf '%s' "${overrides[$name]}"
  elif [ "$name" = DOCKER_GID ] && [ -z "$value" ]; then
    # The group owning this host's Docker socket: the provisioner's one privilege in the stack.
    stat -c %g /var/run/docker.sock 2>/dev/null || printf '999'
  elif [ "$name" = PUBLIC_URL ] && [ "${value%/}" = "$uncustomised" ]; then
    # PUBLIC_URL not customised: it follows the published address, so the browser's origin matches it.
    printf '%s' "$address_after"
  elif [ "$value" = "$PLACEHOLDER" ] || { [ -n "${secret[$name]:-}" ] && [ -z "$value" ]; }; then
    # A secret supplied as a file (<NAME>_FILE) must stay empty: the services refuse both forms.
    if [ -n "${current[${name}_FILE]:-}" ]; then
      printf ''
    else
      openssl rand -hex 32
    fi
  else
    printf '%s' "$value"
  fi
}

umask 077
tmp="$(mktemp "$(dirname "$env_file")/.env.setup.XXXXXX")"
trap 'rm -f "$tmp"' EXIT

declare -A written=()
emit_line() {
  local line="$1" name value new
  if [[ $line =~ $VAR_LINE ]]; then
    name="${BASH_REMATCH[1]}"
    value="$(unquote "${BASH_REMATCH[2]}")"
    new="$(resolve "$name" "$value")"
    written[$name]=1
    [ "$name" != PUBLIC_URL ] || public_url="$new"
    if [ "$new" != "$value" ]; then
      [ -n "${overrides[$name]+set}" ] || [ -z "$new" ] || [ "$name" = PUBLIC_URL ] || generated+=("$name")
      printf '%s=%s\n' "$name" "$new"
      return
    fi
  fi
  printf '%s\n' "$line"
}

base="$example"
line_from=template
if [ -f "$env_file" ]; then
  base="$env_file"
  line_from=env
fi
public_url=""
{
  while IFS= read -r line || [ -n "$line" ]; do emit_line "$line"; done <"$base"

  # Variables the template gained since .env was written, each with the comment block above it.
  if [ "$base" = "$env_file" ]; then
    line_from=template
    comments=()
    header_done=""
    example_name="$(basename "$example")"
    while IFS= read -r line || [ -n "$line" ]; do
      if [[ $line =~ $VAR_LINE ]]; then
        name="${BASH_REMATCH[1]}"
        if [ -z "${written[$name]:-}" ]; then
          if [ -z "$header_done" ]; then
            printf '\n# ── Added by infra/setup.sh from %s ──\n' "$example_name"
            header_done=1
          fi
          [ ${#comments[@]} -eq 0 ] || printf '%s\n' "${comments[@]}"
          emit_line "$line"
          printf 'added %s\n' "$name" >&2
        fi
        comments=()
      elif [[ $line =~ ^[[:space:]]*# ]]; then
        comments+=("$line")
      else
        comments=()
      fi
    done <"$example"
  fi
} >"$tmp"

for name in "${!overrides[@]}"; do
  [ -n "${written[$name]:-}" ] || printf '%s=%s\n' "$name" "${overrides[$name]}" >>"$tmp"
done

chmod 600 "$tmp"
mv -f "$tmp" "$env_file"
trap - EXIT

for name in "${generated[@]}"; do printf 'generated %s\n' "$name" >&2; done
printf 'wrote %s (mode 0600)\n' "$env_file" >&2
[ -z "${overrides[PUBLIC_URL]+set}" ] || public_url="${overrides[PUBLIC_URL]}"
if [ -n "$public_url" ]; then
  printf 'the stack answers at %s (PUBLIC_URL: open Nora at exactly this address)\n' "$public_url" >&2
  bind_after="$(final_value NORA_BIND_ADDRESS)"
  if [ "$public_url" = "$address_after" ] && [[ ! ${bind_after:-127.0.0.1} =~ ^(127\.[0-9.]+|::1|localhost)$ ]]; then
    printf 'NORA_BIND_ADDRESS faces the network: set PUBLIC_URL to the address other machines type\n' >&2
  fi
fi
