"""Live devices: protocol parsers (pure), simulators, serial/BLE readers and port discovery.

Where to start (docs/devices.md says more):
- ``protocols.PROTOCOLS`` / ``protocols.make_parser(name)``: bytes -> ``domain.readings.Reading``;
  ``protocols.limits``: the values no sensor can produce (such frames are counted, never emitted).
- ``ports.open_exclusive(path)``: a port is never shared with another program.
- ``reader.DeviceReader(port, protocol)``: one QThread per device, batches by signal.
- ``simulator.PtySimulator`` / ``simulator.start_demo_device()``: a device on a pty.
- ``discovery.list_ports()`` / ``discovery.autodetect(path)``.
- ``ble.BleReader`` (optional extra ``.[ble]``) and ``protocols.ble_gatt`` parsers.
Only ``PySide6.QtCore`` of Qt is used here (import-linter checks it).
"""
