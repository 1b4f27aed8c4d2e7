"""Sources declared once: what dbt needs of the landing contracts (`dbt_files`), and `make new-source` (`scaffold`)."""
