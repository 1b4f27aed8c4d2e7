"""Loading landing files into the warehouse's raw schema under their contracts."""

from growthmart.ingest.errors import LoadError
from growthmart.ingest.loader import (
    FileLoad,
    PartitionLoad,
    load_partition,
    load_partitions,
    plan_batches,
)

__all__ = ["FileLoad", "LoadError", "PartitionLoad", "load_partition", "load_partitions", "plan_batches"]
