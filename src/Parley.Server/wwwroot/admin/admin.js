// Parley admin: the shell (sign-in, navigation, which account the page works on) and the router.
// It speaks only the public /v1 API with the key the user signed in with, so it can never show more
// than that key may see; an admin works on one account at a time through X-Parley-Account.
import { h, api, fetchAll, session, setUnauthorizedHandler, emptyState } from "./lib.js";
import { accounts, agents, contacts, integrations } from "./entities.js";
import { callsPage } from "./calls.js";
import { knowledgePage } from "./knowledge.js";
import { searchPage } from "./search.js";
import { metricsPage } from "./metrics.js";

const $ = sel => document.querySelector(sel);

// Pages that act on one account's data; the metrics and accounts pages also work for the platform.
const pages = {
  accounts: { render: accounts, platform: true, adminOnly: true },
  agents: { render: agents },
  contacts: { render: contacts },
  integrations: { render: integrations },
  calls: { render: callsPage },
  knowledge: { render: knowledgePage },
  search: { render: searchPage },
  metrics: { render: metricsPage, platform: true },
};

let leave = [];
let visits = 0;
let loginMessage = "";

setUnauthorizedHandler(() => {
  if (!session.key) return;
  session.clear();
  loginMessage = "The server refused the key (revoked or wrong); sign in again.";
  location.hash = "#/";
  route();
});

function renderLogin(main) {
  main.replaceChildren($("#login-template").content.cloneNode(true));
  $("#login-error").textContent = loginMessage;
  $("#login-key").focus();
  $("#login-form").addEventListener("submit", async ev => {
    ev.preventDefault();
    const key = $("#login-key").value.trim();
    if (!key) { $("#login-error").textContent = "Paste a key first."; return; }
    session.signIn(key, "", "");
    try {
      const me = await api("/v1/me", { platform: true });
      session.signIn(key, me.role, me.accountId);
      if (me.role !== "platform" && me.accountId) {
        const account = await api(`/v1/accounts/${me.accountId}`).catch(() => null);
        session.actAs(me.accountId, account?.name || "");
      }
      loginMessage = "";
      location.hash = me.role === "platform" ? "#/accounts" : "#/agents";
      await route();
    } catch (e) {
      session.clear();
      $("#login-error").textContent = e.status === 401 ? "That key is not valid." : e.message;
    }
  });
}

async function fillAccountSwitch() {
  const select = $("#account-select");
  $("#account-switch").hidden = !session.isAdmin;
  if (!session.isAdmin) return;
  const { items } = await fetchAll("/v1/accounts", 1000, true).catch(() => ({ items: [] }));
  select.replaceChildren(h("option", { value: "" }, "— none (platform) —"),
    ...items.map(a => h("option", { value: a.id, selected: a.id === session.account }, a.name)));
  select.onchange = () => {
    const a = items.find(x => x.id === select.value);
    session.actAs(a?.id || "", a?.name || "");
    route();
  };
}

/** For an admin on an account page with no account chosen: pick one here. */
function accountPicker(main) {
  main.replaceChildren(h("section", { class: "card" }, emptyState("Pick an account to work on",
    "The admin key sees every account; agents, calls and the knowledge base belong to one. Choose it in the header, or act as one from Accounts."),
    h("a", { href: "#/accounts", class: "button" }, "Go to Accounts")));
}

async function route() {
  for (const f of leave) f();
  leave = [];
  for (const d of document.querySelectorAll("dialog")) d.remove();
  const main = $("#app"), nav = $("#nav");
  const signedIn = !!session.key && !!session.role;
  nav.hidden = !signedIn; $("#who").hidden = !signedIn; $("#menu-toggle").hidden = !signedIn;
  if (!signedIn) { main.dataset.page = "login"; main.setAttribute("aria-busy", "false"); renderLogin(main); return; }

  $("#who-label").textContent = session.isAdmin ? (session.account ? "admin" : "platform admin") : `account: ${session.accountName || "this key's account"}`;
  for (const a of nav.querySelectorAll("[data-admin-only]")) a.hidden = !session.isAdmin;
  let [, name, id] = location.hash.split("/");
  if (!pages[name] || (pages[name].adminOnly && !session.isAdmin)) name = session.isAdmin && !session.account ? "accounts" : "agents";
  for (const a of nav.querySelectorAll("a")) {
    const on = a.getAttribute("href") === `#/${name}`;
    a.classList.toggle("active", on);
    on ? a.setAttribute("aria-current", "page") : a.removeAttribute("aria-current");
  }
  nav.classList.remove("open");
  $("#menu-toggle").setAttribute("aria-expanded", "false");
  document.title = `${name[0].toUpperCase()}${name.slice(1)} · Parley admin`;
  fillAccountSwitch();
  const page = pages[name];
  // Each visit renders into a view of its own: a slow page answering after the user moved on writes
  // into a detached view, never over the page now on screen.
  const view = h("div", { class: "view" });
  main.replaceChildren(view);
  const visit = ++visits;
  // data-page and aria-busy say which page is on screen and whether it is still loading (assistive tech and the tests read them).
  main.dataset.page = id ? `${name}-item` : name;
  main.setAttribute("aria-busy", "true");
  try {
    if (session.isAdmin && !session.account && !page.platform) accountPicker(view);
    else await page.render(view, id, f => leave.push(f));
  } catch (e) { view.replaceChildren(h("section", { class: "card" }, h("p", { class: "error" }, e.message))); }
  finally { if (visit === visits) main.setAttribute("aria-busy", "false"); }
}

window.addEventListener("hashchange", route);
$("#logout").addEventListener("click", () => { session.clear(); location.hash = "#/"; route(); });
$("#menu-toggle").addEventListener("click", () => {
  const open = $("#nav").classList.toggle("open");
  $("#menu-toggle").setAttribute("aria-expanded", String(open));
});
route();
