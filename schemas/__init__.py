"""pandera contracts of the inputs and outputs (no I/O here)."""
