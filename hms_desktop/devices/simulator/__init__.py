"""Byte-exact device simulators on pseudo-terminals (or a real port), for tests, demos and benches."""

from hms_desktop.devices.simulator.engine import (
    PtySimulator,
    Simulator,
    port_simulator,
    start_demo_device,
)
from hms_desktop.devices.simulator.scenarios import BUILTIN_NAMES, CONDITIONS

__all__ = ["BUILTIN_NAMES", "CONDITIONS", "PtySimulator", "Simulator", "port_simulator",
           "start_demo_device"]
