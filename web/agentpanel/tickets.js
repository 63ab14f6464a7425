// The ticket form sits under the disposition: what was not settled on the
// call is followed as a ticket, owned by this agent.
function renderTicketForm(c) {
  const form = $("#ticket-form");
  const cats = view.ticket_categories || [];
  form.hidden = !c || !c.answered_at || cats.length === 0;
  if (form.hidden) return;
  const sel = $("#ticket-category");
  if (sel.dataset.filled !== cats.join(",")) {
    sel.textContent = "";
    for (const cat of cats) {
      const o = document.createElement("option");
      o.value = cat; o.textContent = T["category." + cat] || cat;
      sel.append(o);
    }
    sel.dataset.filled = cats.join(",");
  }
  if (form.dataset.call !== c.call_id) {
    form.dataset.call = c.call_id;
    $("#ticket-account").value = (c.vars || {}).account || "";
    $("#ticket-description").value = "";
    $("#ticket-saved").textContent = $("#ticket-error").textContent = "";
  }
}

// The caller's history is read when a call arrives, not on every view.
let customerCall = "";
async function loadCustomer(c, force) {
  const card = $("#customer-card");
  if (!c || !(view.ticket_categories || []).length) { card.hidden = true; customerCall = ""; return; }
  if (!force && customerCall === c.call_id) return;
  customerCall = c.call_id;
  card.hidden = false;
  const res = await fetch("/agent/api/customer", { credentials: "same-origin" });
  if (!res.ok) { $("#customer-error").textContent = await errorText(res); return; }
  $("#customer-error").textContent = "";
  renderCustomer(await res.json());
}

function renderCustomer(h) {
  const rows = $("#open-tickets tbody");
  rows.textContent = "";
  $("#no-tickets").hidden = h.open_tickets.length > 0;
  $("#open-tickets").hidden = h.open_tickets.length === 0;
  for (const tk of h.open_tickets) rows.append(...ticketRows(tk));
  $("#last-calls").textContent = h.last_calls.length ? h.last_calls.map((c) =>
    `${new Date(c.arrived_at).toLocaleString(document.documentElement.lang)} · ${c.queue ? queueName(c.queue) : "IVR"} · ${c.agent || "—"} · ${T["result." + c.result] || c.result.replaceAll("_", " ")}`
  ).join("\n") : t("tickets.no_earlier_call");
  $("#last-calls").style.whiteSpace = "pre-line";
}

function cell(tr, text, cls) {
  const td = document.createElement("td");
  td.textContent = text;
  if (cls) td.className = cls;
  tr.append(td);
  return td;
}

function ticketRows(tk) {
  const tr = document.createElement("tr");
  tr.dataset.ticket = tk.id;
  if (tk.overdue) tr.classList.add("overdue");
  cell(tr, tk.id);
  cell(tr, `${categoryName(tk.category)}${tk.urgency === "urgent" ? " · " + t("tickets.urgent") : ""}`);
  cell(tr, T["ticket_state." + tk.state] || tk.state.replaceAll("_", " "));
  cell(tr, tk.owner || "—");
  cell(tr, new Date(tk.due_at).toLocaleString(document.documentElement.lang) + (tk.overdue ? " · " + t("tickets.overdue") : ""), "due");
  cell(tr, tk.description);
  const act = document.createElement("tr"), td = document.createElement("td");
  td.colSpan = 6;
  act.append(td);
  const box = document.createElement("div");
  box.className = "ticket-act";
  const note = document.createElement("input");
  note.type = "text"; note.placeholder = t("tickets.note_placeholder"); note.setAttribute("aria-label", t("tickets.note"));
  const sat = document.createElement("select"), res = document.createElement("select");
  sat.setAttribute("aria-label", t("tickets.satisfaction"));
  res.setAttribute("aria-label", t("panel.resolved"));
  for (const n of ["", "1", "2", "3", "4", "5"]) sat.append(new Option(n ? t("tickets.satisfied_n").replace("{n}", n) : t("tickets.satisfaction_pick"), n));
  for (const [v, label] of [["", t("tickets.resolved_pick")], ["true", t("panel.resolved")], ["false", t("panel.not_resolved")]]) res.append(new Option(label, v));
  const err = document.createElement("span");
  err.className = "error";
  const button = (label, action) => {
    const b = document.createElement("button");
    b.type = "button"; b.textContent = label; b.dataset.ticketAction = action;
    b.addEventListener("click", () => ticketAction(tk.id, action, note, sat, res, err));
    return b;
  };
  box.append(note, button(t("tickets.note"), "note"), button(t("tickets.answered"), "answer"), button(t("tickets.close"), "close"),
    button(t("tickets.call"), "call"), sat, res, button(t("tickets.save_visit"), "return_visit"), err);
  td.append(box);
  return [tr, act];
}

async function ticketAction(id, action, note, sat, res, err) {
  err.textContent = "";
  const body = {};
  if (note.value.trim()) body.note = note.value.trim();
  if (action === "return_visit") {
    if (!sat.value || !res.value) { err.textContent = t("tickets.pick_visit"); return; }
    body.satisfaction = Number(sat.value);
    body.resolved = res.value === "true";
  }
  const r = await post(`/agent/api/tickets/${encodeURIComponent(id)}/${action}`, body);
  if (r.status === 401) return load();
  if (!r.ok) { err.textContent = await errorText(r); return; }
  if (action === "call") { err.textContent = t("tickets.phone_rings"); return; }
  loadCustomer(view.call, true);
}
