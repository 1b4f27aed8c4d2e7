"""Connectors: what pulls the sources from where they live and lands them under `landing/<source>/<day>/`."""
