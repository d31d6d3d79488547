"""Stand-in for the Airflow 3 package (tests only): see dags/tests/stubs/README.md."""
