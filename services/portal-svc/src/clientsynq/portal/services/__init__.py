"""portal's use cases: what the API and the web pages call (never the adapters directly).

Reads (`services.queries`): list/search/filter invoices, one invoice with its lines and
payments, customers with balances and invitation status, payments, connection, sync status,
command status. Writes (`services.commands`): Sync Now and the Pro commands.
"""
