#!/usr/bin/env bash
# Runs the conformance suite against independent MCP resource-server
# implementations from npm, each wired to the suite's mock issuer by the
# small servers in this folder, once per spec revision, and prints one line
# per run. Not part of CI: it installs packages from the npm registry into a
# cache folder outside the repository (it never adds a package.json here).
#
#   bash conformance/implementations/run.sh [--json-dir DIR]
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "${here}/../.." && pwd)"
work="${CONFORMANCE_IMPLEMENTATIONS_DIR:-${HOME}/.cache/mcp-scalekit-implementations}"
json_dir=""
if [[ "${1:-}" == "--json-dir" ]]; then json_dir="$2"; mkdir -p "$json_dir"; fi

mkdir -p "$work"
cp "${here}/package.template.json" "${work}/package.json"
cp "${here}"/*.mjs "$work/"
(cd "$work" && npm install --no-audit --no-fund --silent) || {
  echo "could not install the implementations from npm" >&2
  exit 1
}

free_port() {
  deno eval 'const l = Deno.listen({ hostname: "127.0.0.1", port: 0 }); console.log(l.addr.port); l.close();'
}

for server in sdk_express mcp_handler fastmcp; do
  for spec in 2025-06-18 2025-11-25 2026-07-28; do
    port=$(free_port)
    json=()
    [[ -n "$json_dir" ]] && json=(--json "${json_dir}/${server}-${spec}.json")
    out=$(cd "$root" && deno task conformance --url "http://127.0.0.1:${port}/mcp" \
      --spawn "node ${work}/${server}.mjs" --spec "$spec" --quiet "${json[@]}" 2>&1)
    printf '%-12s %s  %s | %s\n' "$server" "$spec" \
      "$(tail -2 <<<"$out" | head -1)" "$(tail -1 <<<"$out")"
  done
done
