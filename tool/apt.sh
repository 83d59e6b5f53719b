# apt.sh: Debian packages through a private apt state folder (and pinned
# files from PyPI, pip_fetch).
#
# apt-get with its own state folder and a sources list of our own, built from
# the Debian mirror that the machine's apt sources already name.  The system's
# apt configuration and state are only read, never written.

debian_mirror() {
    local f uri=""
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
             /etc/apt/sources.list.d/*.sources; do
        [ -r "$f" ] || continue
        uri=$(awk '
            /^[[:space:]]*#/ { next }
            $1 == "URIs:" { for (i = 2; i <= NF; i++) print $i; next }
            $1 == "deb" || $1 == "deb-src" {
                for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { print $i; break }
            }' "$f" | grep -E '/debian/?$' | head -n 1) || true
        [ -n "$uri" ] && break
    done
    [ -n "$uri" ] || die "no Debian mirror found in /etc/apt/sources.list{,.d}; use --source and --openssl PREFIX instead"
    printf '%s\n' "${uri%/}"
}

# apt_private SUITE ARGS...: apt-get against Debian SUITE only
# (apt_private SUITE apt-cache ARGS...: apt-cache).  With APT_ARCH set (e.g.
# i386), for that architecture instead of the machine's, in a state folder
# of its own (build/apt/SUITE-ARCH): the system's dpkg never hears of it.
apt_private() {
    local suite=$1; shift
    local arch=${APT_ARCH:-$(dpkg --print-architecture)}
    local dir=$BUILD/apt/$suite${APT_ARCH:+-$APT_ARCH}
    if [ ! -f "$dir/sources.list" ]; then
        need_tools apt-get
        local mirror
        mirror=$(debian_mirror)
        mkdir -p "$dir/lists/partial" "$dir/cache/archives/partial" "$dir/parts"
        : >"$dir/status"
        printf 'deb [signed-by=%s] %s %s main\ndeb-src [signed-by=%s] %s %s main\n' \
            /usr/share/keyrings/debian-archive-keyring.gpg "$mirror" "$suite" \
            /usr/share/keyrings/debian-archive-keyring.gpg "$mirror" "$suite" \
            >"$dir/sources.list.new"
        mv "$dir/sources.list.new" "$dir/sources.list"
    fi
    local opts=(
        -o "Dir::Etc::SourceList=$dir/sources.list"
        -o "Dir::Etc::SourceParts=$dir/parts"
        -o "Dir::Etc::Preferences=$dir/parts/none"
        -o "Dir::Etc::PreferencesParts=$dir/parts"
        -o "Dir::State=$dir"
        -o "Dir::State::Lists=$dir/lists"
        -o "Dir::State::status=$dir/status"
        -o "Dir::Cache=$dir/cache"
        -o "Debug::NoLocking=1"
        -o "APT::Sandbox::User=root"
        -o "APT::Architecture=$arch"
    )
    [ -z "${APT_ARCH:-}" ] || opts+=(-o "APT::Architectures=$arch")
    if [ ! -f "$dir/updated" ]; then
        apt-get "${opts[@]}" update >"$dir/update.log" 2>&1 ||
            die "apt-get update for Debian $suite failed; see $dir/update.log"
        touch "$dir/updated"
    fi
    if [ "$1" = "apt-cache" ]; then
        shift
        apt-cache "${opts[@]}" "$@"
    else
        apt-get "${opts[@]}" "$@"
    fi
}

# deb_unpack SUITE ROOT LOG PACKAGE...: download the packages (PACKAGE or
# PACKAGE=VERSION) of Debian SUITE and unpack them all into a new ROOT,
# as dpkg-deb -x does: nothing is installed, no script runs.
deb_unpack() {
    local suite=$1 root=$2 log=$3; shift 3
    need_tools apt-get dpkg-deb
    rm -rf "$root" "$root.debs"; mkdir -p "$root.debs"
    (cd "$root.debs" && apt_private "$suite" download "$@") >>"$log" 2>&1 ||
        die "apt-get download $* (Debian $suite) failed; see $log"
    local deb
    for deb in "$root.debs"/*.deb; do dpkg-deb -x "$deb" "$root"; done
    rm -rf "$root.debs"
}

# pip_fetch LOG DEST PINS [PIP-ARG...]: the files PINS names ('NAME==VERSION
# SHA256' lines) downloaded from PyPI into DEST, each checked against its
# hash (pip --require-hashes).
pip_fetch() {
    local log=$1 dest=$2 pins=$3; shift 3
    python3 -m pip --version >/dev/null 2>&1 ||
        die "python3's pip is needed to fetch $(awk 'NF == 2 {printf "%s ", $1}' <<<"$pins")(apt-get install python3-pip)"
    mkdir -p "$dest"
    awk 'NF == 2 {print $1 " --hash=sha256:" $2}' <<<"$pins" >"$dest/requirements.txt"
    run "$log" python3 -m pip download -q --disable-pip-version-check --no-cache-dir \
        --no-deps --require-hashes -d "$dest" -r "$dest/requirements.txt" "$@"
}

# exec_wrapper FILE ARG...: FILE becomes a script that runs ARG... (env
# VAR=VALUE first, for an unpacked program's environment) with its own
# arguments; each word quoted once, by bash's printf %q (so a bash script).
exec_wrapper() {
    local f=$1; shift
    mkdir -p "$(dirname "$f")"
    { printf '#!/bin/bash\nexec'; printf ' %q' "$@"; printf ' "$@"\n'; } >"$f"
    chmod +x "$f"
}

# deb_source SUITE PACKAGE: prints $BUILD/cache/debsrc/SUITE-PACKAGE, where
# Debian SUITE's source package PACKAGE (.dsc, orig tarball, diff) is
# downloaded once for every step that reads it.
deb_source() {
    local d=$BUILD/cache/debsrc/$1-$2
    if [ ! -f "$d/.done" ]; then
        rm -rf "$d"; mkdir -p "$d"
        (cd "$d" && apt_private "$1" source --download-only "$2") >"$d.log" 2>&1 ||
            die "apt-get source $2 (Debian $1) failed; see $d.log"
        touch "$d/.done"
    fi
    printf '%s\n' "$d"
}
