"""QuickBooks business rules: what a create, update, delete or void does to a company."""
