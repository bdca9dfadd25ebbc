"""Intuit webhooks: payloads in both formats and a background, retrying dispatcher."""
