"""Built-in demo source: seeded, self-consistent landing files for every raw source (see generator.py)."""
