#!/usr/bin/env bash
# Builds the Debian package from the release build (cpack -G DEB), installs
# it with dpkg into a fresh directory tree (dpkg --root, so the machine's
# own packages are untouched), runs the installed emulator, checks that its
# computed dependencies resolve on this system, and removes and purges it.
# Expects ci/build.sh release to have run.
set -euo pipefail
cd "$(dirname "$0")/.."
fail() { echo "package: $*" >&2; exit 1; }
(cd build/release && cpack -G DEB >/dev/null 2>&1) || fail "cpack failed"
deb="$(ls -t "$PWD"/build/release/mns-emulator_*.deb | head -1)"
root="$(mktemp -d)"
trap 'rm -rf "$root"' EXIT


# An empty dpkg database: the tree holds this package and nothing else, so
# its dependencies (libc6, libssl3, …) are the host's, hence --force-depends.
mkdir -p "$root/var/lib/dpkg/info" "$root/var/lib/dpkg/updates"
touch "$root/var/lib/dpkg/status"
dpkg --root="$root" --force-depends --log=/dev/null -i "$deb" \
  >"$root/dpkg.out" 2>&1 || { cat "$root/dpkg.out" >&2; fail "dpkg -i failed"; }

for program in mns-emulator mnsctl alicom-receive alicom-certify; do
  [ -x "$root/usr/bin/$program" ] || fail "$program is not installed"
done
[ -f "$root/lib/systemd/system/mns-emulator.service" ] || fail "no systemd unit"
grep -qx "DynamicUser=yes" "$root/lib/systemd/system/mns-emulator.service" \
  || fail "the unit does not run as an unprivileged user"
# Installed, not enabled: nothing links it into a target.
[ ! -e "$root/etc/systemd/system/multi-user.target.wants/mns-emulator.service" ] \
  || fail "the unit is enabled"

version="$("$root/usr/bin/mns-emulator" --version)"
echo "$version" | head -1 | grep -q "^mns-emulator " || fail "--version: $version"
# The packaged configuration is valid as installed.
"$root/usr/bin/mns-emulator" --config "$root/etc/mns-emulator/config.json" \
  --print-config >/dev/null || fail "the packaged config.json is refused"

# The Depends line came from dpkg-shlibdeps; apt must be able to satisfy it.
depends="$(dpkg-deb -f "$deb" Depends)"
[ -n "$depends" ] || fail "no computed dependencies"
apt-get install --simulate -qq "$deb" >/dev/null 2>&1 \
  || fail "apt cannot satisfy Depends: $depends"

dpkg --root="$root" --log=/dev/null -r mns-emulator >/dev/null
[ ! -e "$root/usr/bin/mns-emulator" ] || fail "remove left the programs"
[ -f "$root/etc/mns-emulator/config.json" ] || fail "remove dropped the conffile"
dpkg --root="$root" --log=/dev/null -P mns-emulator >/dev/null
[ ! -e "$root/etc/mns-emulator/config.json" ] || fail "purge left the conffile"

echo "package: $(basename "$deb") installed, ran ($(echo "$version" | head -1)), removed"
echo "package: Depends: $depends"
