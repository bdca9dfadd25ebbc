"""A development SMTP sink: accepts every message and lists them over a tiny HTTP API."""
