"""Stand-in for the Kubernetes Python client (tests only)."""
