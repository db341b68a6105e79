"""``python -m hms_desktop simulate``: a simulated oximeter on a pseudo-terminal or a port.

Prints the port path (give it to the app, or to any serial program) and streams at the
device's real rate until Ctrl+C.
"""

from __future__ import annotations

import argparse
import sys
import threading

import serial

from hms_desktop.devices.protocols import PROTOCOLS
from hms_desktop.devices.simulator import BUILTIN_NAMES, PtySimulator, Simulator, port_simulator


def add_command(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "simulate",
        help="run a simulated pulse oximeter on a pseudo-terminal",
        description="Stream byte-exact device frames at the real rate until Ctrl+C.",
    )
    parser.add_argument("--protocol", required=True, choices=sorted(PROTOCOLS))
    target = parser.add_mutually_exclusive_group()
    target.add_argument("--pty", action="store_true", help="make a pseudo-terminal (the default)")
    target.add_argument("--port", metavar="PATH", help="write to this existing serial port instead")
    parser.add_argument("--spo2", type=int, default=97, help="baseline SpO2 %% (default 97)")
    parser.add_argument("--pr", type=int, default=72, help="baseline pulse rate /min (default 72)")
    parser.add_argument("--source", default="synthetic",
                        help="pleth waveform: synthetic, heartpy (optional extra) or a CSV file")
    parser.add_argument("--scenario", default="steady",
                        help=f"{', '.join(BUILTIN_NAMES)}, or a CSV file duration_s,spo2,pr,condition")
    parser.add_argument("--seconds", type=float, default=None,
                        help="stop after this many seconds (default: run until Ctrl+C)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if not 0 <= args.spo2 <= 100:
        print(f"simulate: --spo2 {args.spo2} is outside 0..100", file=sys.stderr)
        return 2
    if not 20 <= args.pr <= 300:
        print(f"simulate: --pr {args.pr} is outside 20..300", file=sys.stderr)
        return 2
    options = {"spo2": args.spo2, "pr": args.pr, "scenario": args.scenario, "source": args.source}
    try:
        sim: Simulator = (port_simulator(args.port, args.protocol, **options) if args.port
                          else PtySimulator(args.protocol, **options))
    except (ValueError, RuntimeError, OSError, serial.SerialException) as exc:
        print(f"simulate: {exc}", file=sys.stderr)
        return 2
    info = PROTOCOLS[args.protocol]
    try:  # from the start: a Ctrl+C at any moment must stop the sending thread, or it never exits
        sim.start()
        print(sim.port, flush=True)
        print(f"{info.title}: {info.frame_rate_hz:g} frames/s, scenario {sim.scenario}; Ctrl+C to stop",
              file=sys.stderr, flush=True)
        threading.Event().wait(args.seconds)  # None waits until Ctrl+C
    except KeyboardInterrupt:
        pass
    finally:
        sim.stop()
    print(f"sent {sim.frames_sent} frames, {sim.bytes_sent} bytes", file=sys.stderr)
    return 0
