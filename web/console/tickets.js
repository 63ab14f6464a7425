// Tickets: the counts in the header with every floor update, the list
// (overdue first by default) with a ticket's history and assignment,
// and the month's repeat complainers.
function renderTicketCounts(counts) {
  const el = $("#ticket-counts");
  if (!counts) { el.hidden = true; return; }
  el.hidden = false;
  setText($("#tickets-open"), String(counts.open));
  setText($("#tickets-overdue"), String(counts.overdue));
  setAttr(el, "data-level", counts.overdue > 0 ? "bad" : "");
}
$("#ticket-counts").addEventListener("click", () => { $("#ticket-state").value = "overdue"; selectTab("tickets"); });

const when = (iso) => iso ? new Date(iso).toLocaleString(document.documentElement.lang) : "";
const ticketState = (s) => T["ticket_state." + s] || s;

$("#ticket-filter").addEventListener("submit", (e) => { e.preventDefault(); loadTickets(); });
$("#ticket-state").addEventListener("change", loadTickets);
async function loadTickets() {
  fillAgentList();
  const q = new URLSearchParams({ limit: "200" }), state = $("#ticket-state").value;
  if (state === "overdue") q.set("overdue", "true"); else q.set("state", state);
  if ($("#ticket-category").value.trim()) q.set("category", $("#ticket-category").value.trim());
  if ($("#ticket-owner").value.trim()) q.set("owner", $("#ticket-owner").value.trim());
  const res = await fetch("/supervisor/api/tickets?" + q, { credentials: "same-origin" });
  const body = $("#tickets tbody"); body.textContent = "";
  if (!res.ok) { toast(await errorText(res), "error"); return; }
  const list = (await res.json()).tickets || [];
  $("#no-tickets").hidden = list.length > 0;
  setText($("#ticket-count"), String(list.length));
  for (const tk of list) body.append(ticketRow(tk));
}

function ticketRow(tk) {
  const tr = document.createElement("tr"); tr.className = "clickable";
  tr.dataset.ticket = tk.id; tr.dataset.overdue = String(!!tk.overdue);
  tr.innerHTML = "<td></td><td></td><td></td><td></td><td></td><td></td><td></td><td></td>";
  const c = tr.children;
  c[0].textContent = tk.id; c[1].textContent = tk.category;
  c[2].textContent = T["tickets." + tk.urgency] || tk.urgency;
  c[3].textContent = ticketState(tk.state) + (tk.overdue ? " · " + t("tickets.overdue") : "");
  if (tk.overdue) c[3].dataset.level = "bad";
  c[4].textContent = tk.caller || ""; c[5].textContent = tk.owner || "—"; c[6].textContent = when(tk.due_at);
  if (["open", "assigned", "reopened"].includes(tk.state)) {
    const input = document.createElement("input"); input.size = 6; input.setAttribute("list", "agent-ids");
    input.className = "assign-owner"; input.placeholder = t("console.agent");
    const b = document.createElement("button"); b.className = "act"; b.dataset.act = "assign"; b.textContent = t("console.assign");
    b.addEventListener("click", () => assignTicket(tk.id, input.value.trim()));
    for (const el of [input, b]) el.addEventListener("click", (e) => e.stopPropagation());
    c[7].append(input, b);
  }
  tr.addEventListener("click", () => openTicket(tk.id));
  return tr;
}

async function assignTicket(id, owner) {
  if (!owner) { toast(t("console.need_agent"), "error"); return; }
  const done = await act("/supervisor/api/tickets/" + encodeURIComponent(id) + "/assign", { owner, note: t("console.assigned_note") }, t("console.assigned"));
  if (done) { loadTickets(); if (!$("#ticket-card").hidden && $("#ticket-id").textContent === id) openTicket(id); }
}

async function openTicket(id) {
  const res = await fetch("/supervisor/api/tickets/" + encodeURIComponent(id), { credentials: "same-origin" });
  if (!res.ok) { toast(await errorText(res), "error"); return; }
  const tk = await res.json();
  selectTab("tickets");
  $("#ticket-card").hidden = false;
  setText($("#ticket-id"), tk.id);
  setText($("#ticket-meta"), [tk.category, T["tickets." + tk.urgency] || tk.urgency, ticketState(tk.state),
    tk.caller, tk.account, t("tickets.owner") + " " + (tk.owner || "—"), t("tickets.answer_due") + " " + when(tk.due_at)].filter(Boolean).join(" · "));
  setText($("#ticket-description"), tk.description);
  const body = $("#ticket-history tbody"); body.textContent = "";
  for (const h of tk.history || []) {
    const tr = document.createElement("tr");
    tr.innerHTML = "<td></td><td></td><td></td><td></td><td></td>";
    const c = tr.children;
    c[0].textContent = when(h.at); c[1].textContent = h.actor; c[2].textContent = T["ticket_action." + h.action] || h.action;
    c[3].textContent = (h.from ? ticketState(h.from) + " → " : "") + ticketState(h.to);
    c[4].textContent = h.note || ""; c[4].style.whiteSpace = "normal";
    body.append(tr);
  }
  $("#ticket-card").scrollIntoView({ block: "nearest" });
}

const complainersMonth = $("#complainers-month");
complainersMonth.addEventListener("change", loadComplainers);
async function loadComplainers() {
  const q = complainersMonth.value ? "?month=" + complainersMonth.value : "";
  const res = await fetch("/supervisor/api/repeat-complainers" + q, { credentials: "same-origin" });
  const body = $("#complainers tbody"); body.textContent = "";
  if (!res.ok) { toast(await errorText(res), "error"); return; }
  const v = await res.json();
  if (!complainersMonth.value) complainersMonth.value = v.month;
  const all = v.five_or_more || [];
  $("#no-complainers").hidden = all.length > 0;
  setText($("#complainers-summary"), t("console.five_or_more") + " " + all.length + " · " + t("console.ten_or_more") + " " + (v.ten_or_more || []).length);
  for (const c of all) {
    const tr = document.createElement("tr"); tr.dataset.caller = c.caller;
    tr.innerHTML = '<td></td><td class="num"></td><td></td><td style="white-space:normal"></td>';
    const cells = tr.children;
    cells[0].textContent = c.caller; cells[1].textContent = c.complaints;
    cells[2].textContent = c.complaints >= 10 ? t("console.ten_or_more") : t("console.five_or_more");
    cells[2].dataset.level = c.complaints >= 10 ? "bad" : "warn";
    for (const tk of c.tickets || []) {
      const b = document.createElement("button"); b.className = "act"; b.dataset.ticket = tk.id;
      b.textContent = tk.id + " · " + ticketState(tk.state);
      b.addEventListener("click", () => openTicket(tk.id));
      cells[3].append(b);
    }
    body.append(tr);
  }
}
