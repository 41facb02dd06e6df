#!/usr/bin/env bash
# browser-check.sh runs the headless-Chromium tests of the web pages (build tag
# "browser"; kept out of `go test ./...` because they need Chromium). It
# installs Debian's chromium and CJK fonts first when they are missing, and
# leaves screenshots to look at in a temporary folder it names (the checkout
# stays clean); UPDATE_SCREENSHOTS=1 writes them over the committed ones in
# handlers/testdata/ and bot/sandbox/testdata/ instead.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
dpkg -s fonts-noto-cjk >/dev/null 2>&1 || missing+=(fonts-noto-cjk)
if [ ${#missing[@]} -gt 0 ]; then
	sudo=""
	[ "$(id -u)" -eq 0 ] || sudo="sudo"
	echo "installing ${missing[*]}" >&2
	$sudo apt-get update
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y "${missing[@]}"
fi

if [ "${UPDATE_SCREENSHOTS:-}" != 1 ]; then
	MINSHENG_SCREENSHOTS=$(mktemp -d "${TMPDIR:-/tmp}/minsheng-screenshots.XXXXXX")
	export MINSHENG_SCREENSHOTS
	trap 'echo "screenshots: $MINSHENG_SCREENSHOTS" >&2' EXIT
fi

go test -tags browser ./handlers/ ./bot/sandbox/ -run Browser -count=1 -v "$@"
