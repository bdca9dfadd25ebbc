"""The business app and the client portal: server-rendered pages (Flask + Jinja2).

Views parse the request, call one use case (`clientsynq.portal.services`), render. Account
actions (sign up, log in, connect QuickBooks ...) are JSON calls the page's script makes to
auth-svc's public routes on the same origin (through the gateway), so auth-svc alone sets
the HttpOnly session cookies; this package only reads and verifies them.
"""
