"""growthmart: the analytics pipeline behind a growth team's numbers (library code used by assets/)."""

import warnings

# pyspark (the Spark engine, issue 15) warns on import that it does not fully support pandas 3; Great Expectations
# imports it whenever it is installed, so every run would print it on stderr. growthmart hands Spark SQL and Arrow
# batches to Spark, never pandas objects (DECISIONLOG: Spark engine).
warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas", category=FutureWarning)
