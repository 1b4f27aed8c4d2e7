"""The emulated ad platforms (a tool for people and tests, not part of growthmart): `python -m tools.emulator`."""
