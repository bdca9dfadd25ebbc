"""portal's domain: read-model records, derived values and errors. Pure: no I/O."""
