# Shared by the scripts: idempotent installs of what building and running need, and helpers.

# Installs the Debian packages named that are missing (as root, or through sudo).
need_packages() {
    local missing=() p
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
    done
    ((${#missing[@]})) || return 0
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    echo "installing ${missing[*]}" >&2
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# What building the desktop app needs (WebKitGTK, the tray's indicator library, Node for the UI).
APP_BUILD_PACKAGES=(build-essential pkg-config libwebkit2gtk-4.1-dev libayatana-appindicator3-dev librsvg2-dev)

# Installs the UI's npm packages from the lock file when they changed, then builds ui/dist.
build_ui() {
    local ui="$1/ui"
    command -v npm >/dev/null || need_packages nodejs npm
    if [ ! -f "$ui/node_modules/.package-lock.json" ] || [ "$ui/package-lock.json" -nt "$ui/node_modules/.package-lock.json" ]; then
        (cd "$ui" && npm ci --no-audit --no-fund --loglevel=error)
    fi
    (cd "$ui" && npm run --silent build)
}

# Builds the app (release, serving the built UI) and the `oncall` command beside it.
build_app() {
    cargo build --release --locked --manifest-path "$1/Cargo.toml" \
        -p oncall-desk -p oncall-cli --features oncall-desk/custom-protocol
}

# One line for a measured figure's context: date, CPU, cores, kernel and the load when it starts.
measured_on() {
    local cpu
    cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
    echo "Measured $(date -u +%Y-%m-%dT%H:%MZ) on ${cpu:-an unknown CPU}, $(nproc) cores, Linux $(uname -r), load average $(cut -d' ' -f1-3 /proc/loadavg) at the start."
}

# Recompresses the .deb at $1 with xz, as Debian's own packages are: the Tauri CLI writes gzip.
# Level 9's 64 MiB window spans both binaries, which share most of their code (tokio, rustls,
# SQLite, psa-sim): a quarter smaller than xz's default level (docs/performance.md).
xz_deb() {
    local deb="$1" dir
    dir=$(mktemp -d)
    dpkg-deb -R "$deb" "$dir/pkg"
    dpkg-deb --root-owner-group -Zxz -z9 -Sextreme -b "$dir/pkg" "$dir/xz.deb" >/dev/null
    # A new file renamed over the old one: never written through a hard link into another tree.
    mv "$dir/xz.deb" "$deb"
    rm -rf "$dir"
}
