"""The authorize page: a plain HTML form that works in any browser, and its error page."""

from __future__ import annotations

from collections.abc import Sequence

from flask import render_template_string

SCOPE_LABELS = {
    "com.intuit.quickbooks.accounting": "Access your QuickBooks accounting data",
    "com.intuit.quickbooks.payment": "Process payments",
    "openid": "Verify your identity", "profile": "See your name",
    "email": "See your email address", "phone": "See your phone number",
    "address": "See your address",
}

_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Connect {{ app.name }} to QuickBooks</title>
<style>
 body{font-family:system-ui,sans-serif;background:#f4f5f8;margin:0}
 main{max-width:30rem;margin:4rem auto;background:#fff;border-radius:8px;padding:2rem;
      box-shadow:0 1px 4px #0002}
 h1{font-size:1.3rem;margin-top:0} .brand{color:#2ca01c;font-weight:700}
 select,button{font-size:1rem;padding:.5rem;margin:.3rem 0}
 button{border-radius:4px;border:1px solid #2ca01c;cursor:pointer}
 .allow{background:#2ca01c;color:#fff} .deny{background:#fff;color:#2ca01c}
 .note{color:#666;font-size:.85rem}
</style></head><body><main>
<p class="brand">intuit quickbooks &middot; sandbox</p>
<h1><strong>{{ app.name }}</strong> wants to connect to your QuickBooks company</h1>
<form method="post" action="{{ action }}">
 {% for name, value in hidden %}<input type="hidden" name="{{ name }}" value="{{ value }}">
 {% endfor %}
 <label for="realm_id">Company</label><br>
 <select id="realm_id" name="realm_id">
 {% for company in companies %}
  <option value="{{ company.realm_id }}" {% if company.realm_id == selected %}selected{% endif %}>
   {{ company.name }} ({{ company.realm_id }})</option>
 {% endfor %}
 </select>
 <p>{{ app.name }} will be able to:</p>
 <ul>{% for scope in scopes %}<li>{{ labels.get(scope, scope) }} <code>{{ scope }}</code></li>
 {% endfor %}</ul>
 <button class="allow" type="submit" name="decision" value="approve">Authorize</button>
 <button class="deny" type="submit" name="decision" value="deny">Cancel</button>
 <p class="note">This is qbo-sandbox, a local emulator of QuickBooks Online.</p>
</form></main></body></html>"""

_ERROR = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Authorization error</title></head>
<body><main><h1>Something went wrong</h1><p>{{ error }}</p><p><code>{{ code }}</code></p>
</main></body></html>"""


def consent_page(app: object, companies: Sequence[object], selected: str | None,
                 scopes: list[str], hidden: list[tuple[str, str]], action: str) -> str:
    """The consent screen naming the app, the company and the scopes."""
    return render_template_string(_PAGE, app=app, companies=companies, selected=selected,
                                  scopes=scopes, hidden=hidden, action=action,
                                  labels=SCOPE_LABELS)


def error_page(code: str, error: str) -> str:
    """Shown instead of redirecting when the client or redirect_uri cannot be trusted."""
    return render_template_string(_ERROR, code=code, error=error)
