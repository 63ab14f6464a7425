// Schedules: one day's shifts with each agent's adherence, the shift
// form and the CSV import. Every check is the server's: the page only
// turns the form into the API's shape and shows the answer.
function send(method, path, body, type) {
  return fetch(path, { method, credentials: "same-origin",
    headers: { "Content-Type": type || "application/json", "X-Hotline-Console": "1" },
    body: type ? body : JSON.stringify(body || {}) });
}
const pad2 = (n) => String(n).padStart(2, "0");
const localDay = (d) => d.getFullYear() + "-" + pad2(d.getMonth() + 1) + "-" + pad2(d.getDate());
const hhmm = (d) => pad2(d.getHours()) + ":" + pad2(d.getMinutes());
const localInput = (iso) => { const d = new Date(iso); return localDay(d) + "T" + hhmm(d); };
const serverToday = () => localDay(new Date(Date.now() + serverOffset));
let shiftEditing = null, shiftsShown = [];

const shiftDate = $("#shift-date");
shiftDate.addEventListener("change", loadSchedules);
async function loadSchedules() {
  if (!shiftDate.value) shiftDate.value = serverToday();
  fillAgentList();
  const day = shiftDate.value;
  const [res, live] = await Promise.all([
    fetch("/supervisor/api/shifts?from=" + day, { credentials: "same-origin" }),
    day === serverToday() ? fetch("/supervisor/api/adherence", { credentials: "same-origin" }) : null]);
  if (!res.ok) { toast(await errorText(res), "error"); return; }
  shiftsShown = (await res.json()).sort((a, b) => a.agent.localeCompare(b.agent) || a.start.localeCompare(b.start));
  const adherence = {};
  if (live && live.ok) for (const a of (await live.json()).agents) adherence[a.agent] = a;
  renderShifts(adherence);
}

function breaksText(breaks) {
  return (breaks || []).map((b) => hhmm(new Date(b.start)) + "-" + hhmm(new Date(b.end)) + " " + b.activity).join("; ");
}

function renderShifts(adherence) {
  const body = $("#shifts tbody"); body.textContent = "";
  $("#no-shifts").hidden = shiftsShown.length > 0;
  setText($("#shift-count"), String(shiftsShown.length));
  let last = "";
  for (const sh of shiftsShown) {
    const tr = document.createElement("tr"); tr.dataset.shift = sh.id; tr.dataset.agent = sh.agent;
    tr.innerHTML = '<td></td><td></td><td></td><td></td><td></td><td></td><td></td><td class="num"></td><td></td>';
    const c = tr.children, live = adherence[sh.agent];
    c[0].textContent = sh.agent === last ? "" : sh.agent;
    c[1].textContent = hhmm(new Date(sh.start));
    c[2].textContent = hhmm(new Date(sh.end)) + (localDay(new Date(sh.end)) !== localDay(new Date(sh.start)) ? " +1" : "");
    c[3].textContent = t("activity." + sh.activity) === "activity." + sh.activity ? sh.activity : t("activity." + sh.activity);
    c[4].textContent = breaksText(sh.breaks); c[5].textContent = sh.note || "";
    if (live && sh.agent !== last) {
      c[6].textContent = live.planned ? live.planned + (live.in_adherence === false ? " ✗" : " ✓") : "—";
      c[6].dataset.level = live.in_adherence === false ? "bad" : "";
      c[7].textContent = pct(live.adherence);
      c[7].dataset.level = !defined(live.adherence) ? "" : live.adherence >= .92 ? "good" : "bad";
    }
    last = sh.agent;
    for (const which of ["edit", "delete"]) {
      const b = document.createElement("button"); b.className = "act"; b.dataset.act = which;
      b.textContent = t("console.act_" + which);
      b.addEventListener("click", () => which === "edit" ? editShift(sh) : deleteShift(sh, b));
      c[8].append(b);
    }
    body.append(tr);
  }
}

function fillAgentList() {
  const list = $("#agent-ids");
  if (list.options.length === lastAgents.length) return;
  list.textContent = "";
  for (const a of lastAgents) { const o = document.createElement("option"); o.value = a.id; o.label = a.name || a.id; list.append(o); }
}

function openShiftForm(sh) {
  shiftEditing = sh;
  $("#shift-card").hidden = false;
  setText($("#shift-form-title"), t(sh ? "console.edit_shift" : "console.new_shift"));
  setText($("#shift-error"), "");
  const day = shiftDate.value || serverToday();
  $("#shift-agent").value = sh ? sh.agent : "";
  $("#shift-start").value = sh ? localInput(sh.start) : day + "T08:00";
  $("#shift-end").value = sh ? localInput(sh.end) : day + "T16:00";
  $("#shift-activity").value = sh ? sh.activity : "";
  $("#shift-breaks").value = sh ? breaksText(sh.breaks) : "";
  $("#shift-note").value = sh ? sh.note || "" : "";
  $("#shift-agent").focus();
}
const editShift = (sh) => openShiftForm(sh);
$("#shift-new").addEventListener("click", () => openShiftForm(null));
$("#shift-cancel").addEventListener("click", () => { $("#shift-card").hidden = true; });

// parseBreaks turns "12:00-12:30 lunch; 14:30-14:45" into the API's
// breaks on the shift's days (a break before the start is the next day's).
function parseBreaks(text, start) {
  const out = [];
  for (const part of text.split(";").map((s) => s.trim()).filter(Boolean)) {
    const m = /^(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})(?:\s+(\S+))?$/.exec(part);
    if (!m) throw new Error(t("console.bad_break") + " " + part);
    const at = (h, min, after) => {
      const d = new Date(start); d.setHours(Number(h), Number(min), 0, 0);
      while (d < after) d.setDate(d.getDate() + 1);
      return d;
    };
    const from = at(m[1], m[2], start), to = at(m[3], m[4], from);
    out.push({ start: from.toISOString(), end: to.toISOString(), activity: m[5] || "" });
  }
  return out;
}

$("#shift-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const start = new Date($("#shift-start").value), end = new Date($("#shift-end").value);
  let breaks;
  try { breaks = parseBreaks($("#shift-breaks").value, start); } catch (err) { setText($("#shift-error"), err.message); return; }
  const body = { agent: $("#shift-agent").value.trim(), start: start.toISOString(), end: end.toISOString(),
    activity: $("#shift-activity").value.trim(), breaks, note: $("#shift-note").value };
  const res = shiftEditing ? await send("PUT", "/supervisor/api/shifts/" + shiftEditing.id, body) : await send("POST", "/supervisor/api/shifts", body);
  if (!res.ok) { setText($("#shift-error"), await errorText(res)); return; }
  $("#shift-card").hidden = true;
  toast(t("console.saved"));
  shiftDate.value = localDay(start);
  loadSchedules();
});

async function deleteShift(sh, button) {
  // The first click arms the button, the second deletes.
  if (button.dataset.armed !== "1") { button.dataset.armed = "1"; button.textContent = t("console.confirm_delete"); return; }
  const res = await send("DELETE", "/supervisor/api/shifts/" + sh.id);
  if (!res.ok) { toast(await errorText(res), "error"); return; }
  toast(t("console.deleted"));
  loadSchedules();
}

$("#import-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const file = $("#import-file").files[0], list = $("#import-problems");
  list.textContent = ""; setText($("#import-result"), "");
  if (!file) return;
  const q = $("#import-replace").checked ? "?replace=true" : "";
  const res = await send("POST", "/supervisor/api/shifts/import" + q, await file.text(), "text/csv");
  const v = await res.json().catch(() => ({}));
  if (!res.ok) {
    $("#import-result").dataset.level = "bad";
    setText($("#import-result"), v.error || res.statusText);
    for (const p of v.problems || []) {
      const li = document.createElement("li"); li.dataset.line = p.line;
      li.textContent = t("console.line") + " " + p.line + ": " + p.problem; list.append(li);
    }
    return;
  }
  $("#import-result").dataset.level = "good";
  setText($("#import-result"), t("console.imported").replace("{created}", v.created).replace("{replaced}", v.replaced));
  loadSchedules();
});
