"""The `dailypapers` command: thin wrappers over services and queries."""
