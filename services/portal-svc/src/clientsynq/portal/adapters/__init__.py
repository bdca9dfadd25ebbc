"""Adapters: the read models in MongoDB (FerretDB-compatible) and the outside services."""
