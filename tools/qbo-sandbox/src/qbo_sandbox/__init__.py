"""qbo_sandbox: a local QuickBooks Online emulator (OAuth 2.0, Accounting API, webhooks).

Importing the package does nothing; entrypoints build a Sandbox and serve it.
"""

__version__ = "0.1.0"
