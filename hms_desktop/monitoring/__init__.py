"""The Qt-free monitoring core: beds, alarm evaluation, audio policy and recording hand-off.

``station.MonitoringStation`` is the station's brain (no widgets, no Qt at all); the views in
``hms_desktop.ui.monitor`` are thin adapters over it. Every delay, escalation and pause runs on
the injected ``clock.Clock`` (monotonic), so tests drive it on ``clock.FakeClock``; wall time is
used only for what is shown and recorded. docs/monitor.md describes the package.
"""
