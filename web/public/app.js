// The portal's first screens: accept an invitation, sign in (with a TOTP code when asked),
// the client's workspace, the firm's clients list and onboarding, and authenticator set-up.
// Plain modules and no build step; the full single-page app is its own piece of work.

const main = document.getElementById("main");
const status = document.getElementById("status");
const signOutButton = document.getElementById("signout");

function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name === "text") node.textContent = value;
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else if (value !== false && value !== undefined) node.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children) node.append(child);
  return node;
}

function show(...nodes) {
  main.replaceChildren(...nodes);
  main.focus();
}

function announce(message) {
  status.textContent = message;
  setTimeout(() => { if (status.textContent === message) status.textContent = ""; }, 4000);
}

async function api(method, path, body) {
  const response = await fetch(path, {
    method,
    credentials: "same-origin",
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    const message = data.error?.message ?? (response.status === 403 ? "Please sign in again." : "Something went wrong.");
    throw Object.assign(new Error(message), { status: response.status });
  }
  return data;
}

function field(id, label, type, extra = {}) {
  const hintId = extra.hint ? `${id}-hint` : undefined;
  return [
    element("label", { for: id, text: label }),
    element("input", { id, name: id, type, "aria-describedby": hintId, ...extra.input }),
    ...(extra.hint ? [element("p", { id: hintId, class: "hint", text: extra.hint })] : []),
  ];
}

/// A form whose submit runs `action(values)`; errors appear above the button and are announced.
function form(title, fields, buttonText, action) {
  const error = element("p", { class: "error", role: "alert" });
  const button = element("button", { type: "submit", text: buttonText });
  const node = element("form", { class: "card", novalidate: true }, element("h1", { text: title }), ...fields, error, button);
  node.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.textContent = "";
    button.disabled = true;
    try {
      await action(Object.fromEntries(new FormData(node)));
    } catch (problem) {
      error.textContent = problem.message;
    } finally {
      button.disabled = false;
    }
  });
  return node;
}

function signInScreen(message) {
  const staff = location.pathname === "/staff";
  const fields = [
    ...(staff ? [] : field("slug", "Organisation", "text", { hint: "The short name in your invitation, e.g. northwind.", input: { autocomplete: "organization", required: true } })),
    ...field("email", "Email", "email", { input: { autocomplete: "username", required: true } }),
    ...field("password", "Password", "password", { input: { autocomplete: "current-password", required: true } }),
  ];
  const switchLink = element("a", { href: staff ? "/" : "/staff", text: staff ? "Client sign-in" : "Firm staff sign-in" });
  show(
    ...(message ? [element("p", { class: "card", text: message })] : []),
    form(staff ? "Staff sign-in" : "Sign in", fields, "Sign in", async (values) => {
      const answer = await api("POST", "/api/auth/login", values);
      await afterSignIn(answer, values);
    }),
    element("p", {}, switchLink),
  );
}

async function afterSignIn(answer, values) {
  if (answer.status === "signed_in") return home();
  if (answer.challenge === "new_password") {
    // Staff created by the firm's operator (the first admin) start with a temporary password.
    show(form("Choose your password", [
      element("p", { text: "You signed in with a temporary password. Choose your own to continue." }),
      ...field("new_password", "New password", "password", {
        hint: "At least 12 characters, with upper- and lower-case letters, a digit and a symbol.",
        input: { autocomplete: "new-password", required: true },
      }),
    ], "Set password and sign in", async ({ new_password }) => {
      const next = await api("POST", "/api/auth/login", { email: values.email, session: answer.session, challenge: "new_password", new_password });
      await afterSignIn(next, values);
    }));
    return;
  }
  if (answer.challenge === "totp" || answer.challenge === "mfa_setup") {
    const setup = answer.challenge === "mfa_setup"
      ? [element("p", { text: "Your organisation requires an authenticator app. Add this key to it:" }), element("p", {}, element("code", { text: answer.secret }))]
      : [];
    show(form("Enter your code", [
      ...setup,
      ...field("code", "6-digit code from your authenticator app", "text", { input: { inputmode: "numeric", autocomplete: "one-time-code", required: true } }),
    ], "Continue", async ({ code }) => {
      const next = await api("POST", "/api/auth/login", { email: values.email, slug: values.slug, session: answer.session, challenge: answer.challenge, code });
      await afterSignIn(next, values);
    }));
  }
}

function inviteScreen(token) {
  show(form("Choose your password", [
    element("p", { text: "Welcome! Choose a password to open your portal." }),
    ...field("password", "New password", "password", {
      hint: "At least 12 characters, with upper- and lower-case letters, a digit and a symbol.",
      input: { autocomplete: "new-password", required: true },
    }),
  ], "Set password and sign in", async ({ password }) => {
    const answer = await api("POST", "/api/auth/accept-invite", { token, password });
    history.replaceState(null, "", "/");
    await afterSignIn(answer, {});
  }));
}

function mfaCard(me) {
  const card = element("section", { class: "card", "aria-labelledby": "mfa-heading" }, element("h2", { id: "mfa-heading", text: "Two-step sign-in" }));
  if (me.mfa_enabled) {
    card.append(element("p", { text: "An authenticator app is required when you sign in." }));
    card.append(form("Turn off", field("mfa-password", "Your password", "password", { input: { name: "password", autocomplete: "current-password" } }), "Turn off two-step sign-in", async ({ password }) => {
      await api("POST", "/api/auth/mfa/disable", { password });
      announce("Two-step sign-in is off.");
      home();
    }));
  } else {
    card.append(element("button", { type: "button", text: "Set up an authenticator app", onclick: async () => {
      const { secret } = await api("POST", "/api/auth/mfa/associate", {});
      card.replaceChildren(form("Set up your authenticator", [
        element("p", { text: "Add this key to your authenticator app, then enter the code it shows." }),
        element("p", {}, element("code", { text: secret })),
        ...field("mfa-code", "6-digit code", "text", { input: { name: "code", inputmode: "numeric", autocomplete: "one-time-code" } }),
      ], "Turn on", async ({ code }) => {
        await api("POST", "/api/auth/mfa/verify", { code });
        announce("Two-step sign-in is on.");
        home();
      }));
    } }));
  }
  return card;
}

async function clientHome(me) {
  const workspace = await api("GET", "/api/workspace");
  const empty = (title, text) => element("section", { class: "card" }, element("h2", { text: title }), element("p", { class: "muted", text }));
  const statusText = (request) => request.overdue ? `Overdue (was due ${request.due_date})`
    : request.status === "submitted" ? "Submitted, waiting for review"
    : request.status === "rejected" ? `Please upload again: ${request.rejection_reason}`
    : `Due ${request.due_date}`;
  const requests = workspace.document_requests.length
    ? element("section", { class: "card", "aria-labelledby": "requests-heading" },
      element("h2", { id: "requests-heading", text: "Requests for you" }),
      element("ul", { class: "requests" }, ...workspace.document_requests.map((request) =>
        element("li", {}, element("strong", { text: request.title }), element("br"),
          element("span", { class: request.overdue ? "error" : "muted", text: statusText(request) })))))
    : empty("Requests for you", "Nothing needs your attention right now.");
  show(
    element("h1", { text: `Welcome, ${workspace.contact.name}` }),
    element("p", { class: "muted", text: workspace.client.name }),
    requests,
    empty("Projects", "No active projects yet."),
    mfaCard(me),
  );
}

async function staffHome(me) {
  const { clients } = await api("GET", "/api/clients");
  const rows = clients.map((client) => element("tr", {},
    element("td", { text: client.name }), element("td", { text: client.slug }),
    element("td", { text: client.contact_email }), element("td", { text: client.invitation })));
  const table = clients.length
    ? element("table", {}, element("thead", {}, element("tr", {}, ...["Client", "Slug", "Contact", "Invitation"].map((text) => element("th", { scope: "col", text })))), element("tbody", {}, ...rows))
    : element("p", { class: "muted", text: "No clients yet." });
  const onboard = me.roles.includes("admin")
    ? [form("Onboard a client", [
      ...field("name", "Client name", "text", { input: { required: true } }),
      ...field("client-slug", "Slug", "text", { hint: "Lower-case letters, digits and dashes; the client signs in with it.", input: { name: "slug", required: true } }),
      ...field("contact-name", "Primary contact's name", "text", { input: { required: true } }),
      ...field("contact-email", "Primary contact's email", "email", { input: { required: true } }),
    ], "Onboard and send the invitation", async (values) => {
      await api("POST", "/api/clients", { name: values.name, slug: values.slug, contact: { name: values["contact-name"], email: values["contact-email"] } });
      announce("Invitation sent.");
      home();
    })]
    : [];
  show(element("h1", { text: "Clients" }), element("section", { class: "card" }, table), ...onboard, mfaCard(me));
}

async function home() {
  try {
    const me = await api("GET", "/api/me");
    document.getElementById("firm").textContent = me.firm.name;
    signOutButton.hidden = false;
    if (location.pathname === "/staff") history.replaceState(null, "", "/");
    await (me.kind === "staff" ? staffHome(me) : clientHome(me));
  } catch (problem) {
    signOutButton.hidden = true;
    signInScreen(problem.status === 403 || problem.status === 401 ? undefined : problem.message);
  }
}

signOutButton.addEventListener("click", async () => {
  await api("POST", "/api/auth/logout", {}).catch(() => {});
  signOutButton.hidden = true;
  signInScreen("You are signed out.");
});

const inviteToken = new URLSearchParams(location.hash.slice(1)).get("token");
if (location.pathname === "/invite" && inviteToken) inviteScreen(inviteToken);
else home();
