"""The clinic installer: a one-folder PyInstaller bundle, built and smoke-tested by
``python -m hms_desktop.packaging`` (see docs/install.md)."""
