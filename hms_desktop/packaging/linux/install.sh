#!/bin/sh
# Installs the HMS Desktop bundle for every user of this Linux PC (run with sudo from the
# folder that holds hms-desktop/, the bundle built by `python -m hms_desktop.packaging`).
# Data never goes into the installation: each user's data folder is
# ~/.local/share/HMS Desktop/data unless they pick another (File > Open data folder).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
bundle=${1:-$here/../../../..}  # _internal/hms_desktop/packaging/linux -> the bundle
[ -x "$bundle/hms-desktop" ] || { echo "no bundle at $bundle (expected $bundle/hms-desktop)" >&2; exit 1; }
rm -rf /opt/hms-desktop
cp -a "$bundle" /opt/hms-desktop
ln -sf /opt/hms-desktop/hms-desktop /usr/local/bin/hms-desktop
res=/opt/hms-desktop/_internal/hms_desktop
install -Dm644 "$res/packaging/linux/hms-desktop.desktop" /usr/share/applications/hms-desktop.desktop
install -Dm644 "$res/resources/hms-desktop.png" /usr/share/icons/hicolor/256x256/apps/hms-desktop.png
install -Dm644 "$res/resources/hms-desktop.svg" /usr/share/icons/hicolor/scalable/apps/hms-desktop.svg
install -Dm644 "$res/packaging/linux/60-hms-desktop-oximeters.rules" /etc/udev/rules.d/60-hms-desktop-oximeters.rules
udevadm control --reload 2>/dev/null && udevadm trigger 2>/dev/null || true
echo "Installed. For serial oximeters, add each user to the dialout group once:"
echo "  sudo usermod -aG dialout USERNAME   (then log out and in again)"
