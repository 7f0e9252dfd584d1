#!/usr/bin/env bash
# version.sh [--package|--check]: Borgdesk's version, from git describe.
#
#   (no flag)  what the binaries are linked with: `git describe --tags
#              --always --dirty` (v0.1.0, v0.1.0-3-gabc1234, …-dirty);
#              agentdist orders agent updates by this form
#   --package  the same version as Debian and RPM spell it: 0.1.0,
#              0.1.0+3.gabc1234, 0.1.0+3.gabc1234.dirty; with no release tag
#              yet, wails.json's productVersion then ~git.HASH (sorts before
#              that release)
#   --check    fails with a sentence when wails.json's productVersion is not
#              the release tag's, or CHANGELOG.md has no section for it
set -euo pipefail
cd "$(dirname "$0")/../.."

describe="${VERSION:-$(git describe --tags --always --dirty 2>/dev/null || echo dev)}"
product="$(sed -n 's/^ *"productVersion": *"\([^"]*\)".*/\1/p' wails.json)"
release='^v?([0-9]+\.[0-9]+\.[0-9]+)(-([0-9]+)-g([0-9a-f]+))?(-dirty)?$'

case "${1:-}" in
  "") echo "$describe" ;;
  --package)
    if [[ $describe =~ $release ]]; then
      v="${BASH_REMATCH[1]}" extra=""
      [ -n "${BASH_REMATCH[3]}" ] && extra="${BASH_REMATCH[3]}.g${BASH_REMATCH[4]}"
      [ -n "${BASH_REMATCH[5]}" ] && extra="${extra:+$extra.}dirty"
      echo "$v${extra:++$extra}"
    else
      echo "$product~git.$(echo "$describe" | tr -c 'a-zA-Z0-9.\n' .)"
    fi ;;
  --check)
    if [[ $describe =~ $release ]] && [ "${BASH_REMATCH[1]}" != "$product" ]; then
      echo "version: the release tag says ${BASH_REMATCH[1]} but wails.json's productVersion is $product; set info.productVersion in wails.json to ${BASH_REMATCH[1]}" >&2
      exit 1
    fi
    if ! grep -q "^## \[$product\]" CHANGELOG.md; then
      echo "version: CHANGELOG.md has no '## [$product]' section; add one for the release wails.json names ($product)" >&2
      exit 1
    fi
    echo "version: $describe (packages: $("$0" --package)); wails.json and CHANGELOG.md agree on $product" ;;
  *) echo "usage: version.sh [--package|--check]" >&2; exit 2 ;;
esac
