# common.sh: constants, output and the helpers every step uses.
# Sourced by build.sh, which sets TOP, TOOL, BUILD and PATCHES first.

PY_VERSION=2.7.18
PY_TARBALL_SHA256=da3080e3b488f648a3d7a4560ddee895284c3380b11d6de75edb986526b9a814
PY_TARBALL_URL=https://www.python.org/ftp/python/$PY_VERSION/Python-$PY_VERSION.tgz
# The Debian release whose python2.7 source package carries the pristine
# tarball and whose libssl1.1 is OpenSSL 1.1.1w.  The OpenSSL versions
# built from Debian's source packages (3.5, 4.0) are tool/checks.py's LEGS.
DEBIAN_OLD=bullseye
OPENSSL111_VERSION=1.1.1w
# Where those builds are kept, outside the clone, keyed by the SHA-256 of
# the source package's .dsc: every clone on the machine reuses them.
OPENSSL_CACHE=${PEP546_OPENSSL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pep546-openssl}
# Fixed identities and dates for the work tree, so that its commits (and the
# patches exported from them) do not depend on who runs the tool, or when.
PRISTINE_DATE="2020-04-20T00:00:00+00:00"
TOOL_IDENT_NAME="build.sh"
TOOL_IDENT_EMAIL="build.sh@localhost"

START=$SECONDS

# --- output -----------------------------------------------------------------

step() { printf '[%4ds] %s\n' $((SECONDS - START)) "$*"; }
die() { printf 'build.sh: error: %s\n' "$*" >&2; exit 1; }

# run LOG CMD...: run a command with its output in a log file; on failure
# show the end of the log and stop.
run() {
    local log=$1; shift
    mkdir -p "$(dirname "$log")"
    if ! "$@" >"$log" 2>&1; then
        tail -n 25 "$log" >&2
        die "'$*' failed; full log: $log"
    fi
}

need_tools() {
    local t
    for t in "$@"; do
        command -v "$t" >/dev/null 2>&1 ||
            die "'$t' is needed but not installed (apt-get install ${t/dpkg-deb/dpkg})"
    done
}

sha256_of() { sha256sum "$1" | awk '{print $1}'; }
