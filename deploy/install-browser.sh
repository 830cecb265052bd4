#!/bin/sh
# Debian's Chromium and ChromeDriver for the web UI's browser tests (tests/web).
# Idempotent; without root or sudo it says so and the browser tests skip (outside CI).
set -e
if command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; then
    exit 0
fi
if [ "$(id -u)" -eq 0 ]; then
    SUDO=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO="sudo -n"
else
    echo "install-browser: root 권한이 없어 chromium 설치를 건너뜁니다 (브라우저 테스트는 건너뜀)." >&2
    exit 0
fi
echo "install-browser: chromium, chromium-driver, 한글 글꼴 설치 중 (apt-get)..." >&2
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends chromium chromium-driver fonts-nanum >/dev/null
