"""Apache Superset for the growthmart dashboard: its configuration, the dashboard bundle and manage.py."""
