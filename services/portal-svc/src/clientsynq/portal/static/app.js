// ClientSynq pages: forms that talk to auth-svc's JSON routes on the same origin, and live
// regions refreshed by Server-Sent Events. No framework, no CDN; every page works with a
// keyboard and announces outcomes through role="alert" / aria-live regions.
"use strict";

function fieldsOf(form) {
  // Checkbox groups (several inputs of one name) become lists, as the JSON APIs expect.
  const body = {};
  const lists = new Set([...form.querySelectorAll("input[type=checkbox]")].map((box) => box.name));
  for (const [name, value] of new FormData(form).entries()) {
    if (lists.has(name)) (body[name] = body[name] || []).push(value);
    else if (value !== "") body[name] = value;
  }
  // A datetime-local field is the person's local time; the APIs want an instant (RFC 3339).
  for (const input of form.querySelectorAll("input[data-utc]")) {
    if (input.value) body[input.name] = new Date(input.value).toISOString();
  }
  return body;
}

function explain(problem, status) {
  if (!problem || typeof problem !== "object") return `Something went wrong (${status}). Please try again.`;
  const fields = problem.errors && typeof problem.errors === "object"
    ? Object.entries(problem.errors).map(([k, v]) => `${k}: ${[].concat(v).join(" ")}`) : [];
  return [problem.detail || problem.title || `Error ${status}`].concat(fields).join(" ");
}

async function sendJson(form) {
  const alert = form.querySelector("[role=alert]") || document.getElementById("form-alert");
  const button = form.querySelector("button[type=submit], button:not([type])");
  if (form.dataset.confirm && !window.confirm(form.dataset.confirm)) return;
  if (alert) alert.textContent = "";
  if (button) button.disabled = true;
  try {
    const method = form.dataset.method || "POST";
    const fields = fieldsOf(form);
    const init = { method, credentials: "same-origin", headers: { Accept: "application/json" } };
    if (method !== "DELETE" && method !== "GET" && form.dataset.nobody === undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(fields);
    }
    const response = await fetch(form.dataset.api, init);
    const text = await response.text();
    const data = text ? JSON.parse(text) : {};
    if (!response.ok) {
      if (alert) alert.textContent = explain(data, response.status);
      return;
    }
    if (form.dataset.reveal && data[form.dataset.reveal]) {
      const box = document.getElementById(form.dataset.revealInto);
      box.querySelector("[data-revealed]").textContent = data[form.dataset.reveal];
      box.hidden = false; box.focus(); form.hidden = true;
    } else if (form.dataset.follow && data[form.dataset.follow]) {
      window.location.assign(data[form.dataset.follow]);
    } else if (response.status === 202 && form.dataset.accepted) {
      const done = document.getElementById(form.dataset.accepted);
      if (done) { done.hidden = false; done.focus(); }
      form.hidden = true;
    } else if (form.dataset.next) {
      window.location.assign(form.dataset.next);
    } else {
      window.location.reload();
    }
  } catch (error) {
    if (alert) alert.textContent = "We could not reach ClientSynq. Check your connection and try again.";
  } finally {
    if (button) button.disabled = false;
  }
}

document.addEventListener("submit", (event) => {
  const form = event.target;
  if (form instanceof HTMLFormElement && form.dataset.api) {
    event.preventDefault();
    sendJson(form);
  } else if (form instanceof HTMLFormElement && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
    event.preventDefault();
  }
});

// A page whose session lapsed is sent to /login?next=...; the login page first tries the
// refresh cookie, so a returning user is not asked for a password every 15 minutes.
async function tryRefresh() {
  const marker = document.querySelector("[data-try-refresh]");
  if (!marker) return;
  const response = await fetch("/auth/v1/token/refresh", { method: "POST", credentials: "same-origin",
    headers: { Accept: "application/json" } });
  if (response.ok) window.location.assign(marker.dataset.tryRefresh || "/");
}

// Live regions: [data-live] elements (with an id) are re-read from the server whenever the
// page's event stream says something changed. No reload: focus and scroll stay where they are.
// They are re-read from the page's own GET address (data-live-page): a page shown in answer
// to a form (a refused Sync Now) sits at the form's POST address, which a GET cannot read.
async function refreshLive() {
  const page = document.body.dataset.livePage || window.location.href;
  const response = await fetch(page, { credentials: "same-origin", headers: { "X-Live": "1" } });
  if (!response.ok) return;
  const fresh = new DOMParser().parseFromString(await response.text(), "text/html");
  for (const region of document.querySelectorAll("[data-live][id]")) {
    const next = fresh.getElementById(region.id);
    if (next && next.innerHTML !== region.innerHTML) region.innerHTML = next.innerHTML;
  }
}

function watch() {
  const stream = document.body.dataset.liveStream;
  if (!stream || !window.EventSource) return;
  const page = document.body.dataset.livePage;
  if (page && page !== window.location.pathname + window.location.search) {
    window.history.replaceState(null, "", page);  // a reload re-reads the page, never re-posts
  }
  const source = new EventSource(stream);
  source.addEventListener("changed", () => { refreshLive(); });
}

tryRefresh();
watch();

document.addEventListener("click", (event) => {
  if (event.target instanceof Element && event.target.closest("[data-print]")) window.print();
});
