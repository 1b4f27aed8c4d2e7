"""growthmart: the analytics pipeline behind a growth team's numbers (library code used by assets/)."""
