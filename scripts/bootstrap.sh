#!/usr/bin/env bash
# Makes a fresh Debian machine ready for Parley: PostgreSQL server, its dev headers, a C toolchain,
# pgvector >= 0.8 built from Debian's source package, and the tools the tests drive (espeak-ng,
# pocketsphinx, chromium). Idempotent: each step checks first and does nothing when the machine already has it.
set -euo pipefail

SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive

log() { printf '\033[36m[parley]\033[0m %s\n' "$*" >&2; }

APT_UPDATED=0
apt_install() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ $APT_UPDATED -eq 0 ]; then
    log "apt-get update"
    $SUDO apt-get update -qq >/dev/null
    APT_UPDATED=1
  fi
  log "installing ${missing[*]}"
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

pg_major() {
  ls /usr/lib/postgresql 2>/dev/null | sort -n | tail -1
}

ensure_postgres() {
  if [ -z "$(pg_major)" ] || [ ! -x "/usr/lib/postgresql/$(pg_major)/bin/initdb" ]; then
    apt_install postgresql postgresql-contrib
  fi
  local major; major="$(pg_major)"
  # espeak-ng speaks answers; pocketsphinx (with its US English model) is the local speech recogniser.
  apt_install "postgresql-server-dev-$major" build-essential ca-certificates debian-archive-keyring dpkg-dev espeak-ng libespeak-ng1 pocketsphinx pocketsphinx-en-us
  # The Debian package starts a system cluster on 5432; Parley never uses it and keeps its own.
}

pgvector_installed() {
  local major; major="$(pg_major)"
  local share; share="$(/usr/lib/postgresql/$major/bin/pg_config --sharedir)"
  [ -f "$share/extension/vector.control" ] || return 1
  local v; v="$(sed -n "s/^default_version = '\(.*\)'/\1/p" "$share/extension/vector.control")"
  # Needs >= 0.8 for iterative index scans.
  [ "$(printf '%s\n0.8.0\n' "$v" | sort -V | head -1)" = "0.8.0" ]
}

# pgvector is not packaged for bookworm; Debian's newer suites carry its source. We point apt at
# them for this one download only, through a sources list and state folder of our own, so the
# machine's own apt configuration is never touched.
ensure_pgvector() {
  pgvector_installed && return 0
  local work; work="$(mktemp -d)"
  mkdir -p "$work/lists/partial"
  local keyring=/usr/share/keyrings/debian-archive-keyring.gpg
  cat > "$work/sources.list" <<SRC
deb-src [signed-by=$keyring] http://deb.debian.org/debian sid main
deb-src [signed-by=$keyring] http://deb.debian.org/debian trixie-backports main
deb-src [signed-by=$keyring] http://deb.debian.org/debian trixie main
SRC
  local aptopts=(-o "Dir::Etc::sourcelist=$work/sources.list" -o "Dir::Etc::sourceparts=-" -o "Dir::State::Lists=$work/lists" -o "APT::Sandbox::User=root")
  log "fetching pgvector source lists (trixie, sid)"
  apt-get "${aptopts[@]}" update -qq >/dev/null 2>&1 || true
  local versions
  versions="$(apt-cache "${aptopts[@]}" showsrc pgvector 2>/dev/null | sed -n 's/^Version: //p' | sort -Vr | uniq)"
  [ -n "$versions" ] || { echo "parley: no pgvector source package reachable from Debian's archive" >&2; exit 1; }
  local got=""
  for v in $versions; do
    # Newest first: sid's pool does not always still hold the file its index names.
    if (cd "$work" && apt-get "${aptopts[@]}" source --download-only "pgvector=$v" >/dev/null 2>&1); then got="$v"; break; fi
    log "pgvector $v not downloadable, trying an older one"
  done
  [ -n "$got" ] || { echo "parley: could not download any pgvector source ($versions)" >&2; exit 1; }
  log "building pgvector $got"
  local tarball; tarball="$(ls "$work"/pgvector_*.orig.tar.* | head -1)"
  mkdir -p "$work/src" && tar -xf "$tarball" -C "$work/src" --strip-components=1
  local major; major="$(pg_major)"
  (cd "$work/src" && make -s PG_CONFIG="/usr/lib/postgresql/$major/bin/pg_config" >/dev/null 2>&1 \
    && $SUDO make -s install PG_CONFIG="/usr/lib/postgresql/$major/bin/pg_config" >/dev/null)
  rm -rf "$work"
  pgvector_installed || { echo "parley: pgvector build did not install" >&2; exit 1; }
}

ensure_dotnet() {
  command -v dotnet >/dev/null 2>&1 || { echo "parley: the .NET 10 SDK is required (dotnet not on PATH)" >&2; exit 1; }
}

ensure_test_tools() {
  apt_install espeak-ng libespeak-ng1 chromium pocketsphinx pocketsphinx-en-us
  ensure_openai_npm
}

# The official `openai` npm client, the client the OpenAI-compatible endpoint's tests drive. Kept under
# .parley/ (ignored by git) and installed once: a clean clone gets it here, a second run costs nothing.
OPENAI_NPM_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/.parley/npm"
ensure_openai_npm() {
  [ -f "$OPENAI_NPM_DIR/node_modules/openai/package.json" ] && return 0
  command -v node >/dev/null 2>&1 || apt_install nodejs npm
  mkdir -p "$OPENAI_NPM_DIR"
  [ -f "$OPENAI_NPM_DIR/package.json" ] || echo '{"name":"parley-test-clients","private":true}' >"$OPENAI_NPM_DIR/package.json"
  npm install --prefix "$OPENAI_NPM_DIR" --no-audit --no-fund --loglevel=error openai@6 >/dev/null \
    || { echo "parley: npm install openai@6 failed" >&2; exit 1; }
}

# The public document set of ./parley bench quality: the Debian Reference's HTML (/usr/share/debian-reference).
ensure_bench_docs() {
  apt_install debian-reference-en
}

case "${1:-core}" in
  core) ensure_dotnet; ensure_postgres; ensure_pgvector; ensure_bench_docs ;;
  test) ensure_dotnet; ensure_postgres; ensure_pgvector; ensure_test_tools; ensure_bench_docs ;;
  pgvector-version)
    share="$(/usr/lib/postgresql/$(pg_major)/bin/pg_config --sharedir)"
    sed -n "s/^default_version = '\(.*\)'/\1/p" "$share/extension/vector.control" ;;
esac
