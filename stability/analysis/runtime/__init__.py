"""Running many items: local worker processes (``batch``) or a Dask cluster (``cluster``)."""
