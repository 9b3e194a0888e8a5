#!/usr/bin/env bash
# The layering rule (docs/ARCHITECTURE.md, "Who may import whom"): `domain/`, `model/` and
# `storage/` import no feature module, only each other and the leaf modules below. Fails with
# the offending lines.
set -euo pipefail
cd "$(dirname "$0")/.."
leaves='domain|model|storage|error|i18n|paging|richtext|settings'
found=$(grep -rnoE 'crate::[a-z_0-9]+' app/src/domain app/src/model app/src/storage \
    | grep -vE "crate::($leaves)\$" || true)
# Comments may name a feature.
bad=""
while IFS= read -r hit; do
    [ -z "$hit" ] && continue
    file=${hit%%:*}
    rest=${hit#*:}
    line=${rest%%:*}
    text=$(sed -n "${line}p" "$file")
    case "$(echo "$text" | sed 's/^[[:space:]]*//')" in
        //*) continue ;;
    esac
    bad+="$file:$line: $text"$'\n'
done <<< "$found"
if [ -n "$bad" ]; then
    echo "domain/, model/ and storage/ must not import a feature module:" >&2
    printf '%s' "$bad" >&2
    exit 1
fi
# One service shape: a service takes the state, the actor and the origin as arguments and
# never reads the request (the server function does, through `auth::guard`).
readers=$(grep -rnE 'guard::|auth::guard|use_context|expect_context' \
    $(find app/src -path '*/service/*.rs' -o -name 'service.rs' | sort) | grep -vE ':[0-9]+:\s*//' || true)
if [ -n "$readers" ]; then
    echo "services must not read the request (take state, actor and origin as arguments):" >&2
    printf '%s\n' "$readers" >&2
    exit 1
fi
echo "layers: domain, model and storage import no feature; services do not read the request"
