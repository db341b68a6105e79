"""Which ports feed simulated vitals, and the words that say so on screen (pure, no Qt).

A nurse must never take a simulator's numbers for a patient's: every bed fed by one shows
``DEMO_NOTICE`` on its tile and in its bed view.
"""

from __future__ import annotations

DEMO_PORT = "Demo device"
#: The in-process synthetic feed used by the quick-look window, tests and benchmarks.
SYNTHETIC_PORT = "synthetic"
SIMULATED_PORTS = frozenset({DEMO_PORT, SYNTHETIC_PORT})
DEMO_NOTICE = "DEMO — simulated oximeter"
#: Bright, steady and unlike every alarm colour (red, yellow, cyan), so it never reads as an alarm.
DEMO_STYLE = "background-color: #6a1b9a; color: white; font-weight: bold; padding: 2px 6px;"


def is_simulated(port: str) -> bool:
    """True when readings on ``port`` come from a simulator, not a patient."""
    return port in SIMULATED_PORTS
