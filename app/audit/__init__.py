"""The audit store: every solved request, its hidden chains and scores, in an append-only,
hash-chained table (SQLite by default, PostgreSQL for several replicas)."""
