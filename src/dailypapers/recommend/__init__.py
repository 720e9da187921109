"""The personal model behind "For you": pure computation over what storage hands it (no SQL, no I/O)."""
