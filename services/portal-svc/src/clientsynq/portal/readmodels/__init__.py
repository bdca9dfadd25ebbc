"""The read models' ports (what use cases and projections need) and their query objects."""
