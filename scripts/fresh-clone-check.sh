#!/usr/bin/env bash
# The fresh-clone check: what a new user gets. Clones this repository's committed HEAD into an empty temp folder
# (nothing beside it, so no ../shared), runs `npm ci` and `npm test` there with every GRAMR_* variable unset, and
# passes only when the suite reports 0 failed. Uncommitted changes are not in the clone: commit first.
# Prints the suite's output, then one line "fresh clone: N passed, N failed, N skipped". Exit 0 only when green.
# Usage (from anywhere): scripts/fresh-clone-check.sh [--keep]   (--keep leaves the temp folder for a look)
set -uo pipefail

src=$(git -C "$(dirname "$0")/.." rev-parse --show-toplevel) || { echo "fresh clone: not inside a git checkout"; exit 1; }
sha=$(git -C "$src" rev-parse HEAD) || { echo "fresh clone: $src has no commit"; exit 1; }
keep=${1:-}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/gramr-fresh-clone.XXXXXX")
cleanup() { if [ "$keep" = "--keep" ]; then echo "fresh clone: left in $tmp"; else rm -rf "$tmp"; fi; }
trap cleanup EXIT
dst="$tmp/gramr"

fail() { echo "fresh clone: $1"; echo "fresh clone: 0 passed, 1 failed, 0 skipped"; exit 1; }

echo "fresh clone: cloning $src at $sha into $dst (nothing beside it)"
git clone -q --no-checkout "$src" "$dst" || fail "git clone of $src failed"
# HEAD may be detached or on a branch the clone did not copy: fetch the exact commit, then check it out.
git -C "$dst" fetch -q "$src" "$sha" 2>/dev/null || true
git -C "$dst" -c advice.detachedHead=false checkout -q --detach "$sha" || fail "commit $sha is not in the clone"
[ -e "$tmp/shared" ] && fail "$tmp/shared exists: the clone must have nothing beside it"

# A user's shell: none of the project's CI variables, no data folder.
for v in $(env | sed -n 's/^\(GRAMR_[A-Za-z0-9_]*\)=.*/\1/p'); do unset "$v"; done

log="$tmp/npm-test.log"
(cd "$dst" && npm ci --no-audit --no-fund) || fail "npm ci failed in $dst"
(cd "$dst" && npm test) 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

# ava's verbose reporter prints one line per test: "✔ name", "✘ [fail]: name", "- [skip] name".
passed=$(grep -Ec '^ *✔ ' "$log")
failed=$(grep -Ec '^ *✘ ' "$log")
skipped=$(grep -Ec '^ *- \[skip\] ' "$log")
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi  # build or runner failure: never report green
if [ "$passed" -eq 0 ] && [ "$failed" -eq 0 ]; then failed=1; echo "fresh clone: no test ran"; fi
if [ "$skipped" -gt 0 ]; then echo "fresh clone: skipped tests (each says why):"; grep -E '^ *- \[skip\] ' "$log" | sed 's/^ */  /'; fi
echo "fresh clone: ${passed} passed, ${failed} failed, ${skipped} skipped"
[ "$failed" -eq 0 ]
