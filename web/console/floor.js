function render(snap) {
  serverOffset = Date.parse(snap.server_time) - Date.now();
  document.body.dataset.updates = String(Number(document.body.dataset.updates) + 1);
  renderQueues(snap.queues || []);
  renderWaiting(snap.waiting || []);
  renderAgents(snap.agents || [], Date.parse(snap.server_time));
  renderTicketCounts(snap.tickets);
}

function setText(el, text) { if (el.textContent !== text) el.textContent = text; }
function setAttr(el, name, value) { if (el.getAttribute(name) !== value) el.setAttribute(name, value); }

function renderQueues(queues) {
  const body = $("#queues tbody");
  for (const q of queues) {
    queueNames[q.queue] = q.display_name || q.queue;
    let r = queueRows.get(q.queue);
    if (!r) {
      const tr = document.createElement("tr"); tr.dataset.queue = q.queue;
      for (let i = 0; i < 12; i++) { const td = document.createElement("td"); if (i) td.className = "num"; tr.append(td); }
      body.append(tr); r = { tr, cells: tr.children }; queueRows.set(q.queue, r);
    }
    const c = r.cells, a = q.agents || {};
    setText(c[0], q.display_name || q.queue);
    setText(c[1], String(q.waiting));
    setText(c[2], q.waiting ? clock(q.oldest_wait_seconds) : "—");
    setAttr(c[2], "data-level", q.oldest_wait_seconds >= 90 ? "bad" : q.oldest_wait_seconds >= 60 ? "warn" : "");
    setText(c[3], pct(q.service_level));
    const sl = q.service_level;
    setAttr(c[3], "data-level", !defined(sl) ? "" : sl >= q.service_level_target ? "good" : sl >= q.service_level_target - .1 ? "warn" : "bad");
    setText(c[4], pct(q.abandon_rate));
    const ab = q.abandon_rate;
    setAttr(c[4], "data-level", !defined(ab) ? "" : ab <= .05 ? "good" : ab <= .1 ? "warn" : "bad");
    setText(c[5], defined(q.asa_seconds) ? clock(q.asa_seconds) : "—");
    setText(c[6], String(q.answered));
    setText(c[7], String(a.available || 0)); setText(c[8], String(a.talking || 0));
    setText(c[9], String(a.wrapup || 0)); setText(c[10], String(a.paused || 0));
    setText(c[11], pct(q.adherence));
    setAttr(c[11], "data-level", !defined(q.adherence) || !q.adherence_target ? "" : q.adherence >= q.adherence_target ? "good" : "bad");
  }
}

function renderWaiting(waiting) {
  const body = $("#waiting tbody");
  $("#no-waiting").hidden = waiting.length > 0;
  const seen = new Set();
  for (const w of waiting) {
    seen.add(w.call_id);
    let tr = body.querySelector(`tr[data-call="${CSS.escape(w.call_id)}"]`);
    if (!tr) {
      tr = document.createElement("tr"); tr.dataset.call = w.call_id;
      tr.innerHTML = '<td></td><td class="num"></td><td></td><td class="num"></td><td><select></select> <button class="act" data-act="move"></button></td>';
      tr.querySelector("button").textContent = t("console.move");
      tr.querySelector("button").addEventListener("click", () => {
        const to = tr.querySelector("select").value;
        act("/supervisor/api/calls/" + encodeURIComponent(w.call_id) + "/move", { queue: to }, t("console.moved"));
      });
      body.append(tr);
    }
    const c = tr.children;
    setText(c[0], queueNames[w.queue] || w.queue);
    setText(c[1], String(w.position));
    setText(c[2], (w.caller || "—") + (w.callback ? " ↺" : "") + (w.ringing ? " ☎" : ""));
    setText(c[3], clock(w.wait_seconds));
    const sel = c[4].querySelector("select");
    if (sel.options.length !== Object.keys(queueNames).length - 1) {
      sel.textContent = "";
      for (const [key, name] of Object.entries(queueNames)) {
        if (key === w.queue) continue;
        const o = document.createElement("option"); o.value = key; o.textContent = name; sel.append(o);
      }
    }
    c[4].querySelector("button").disabled = w.callback;
  }
  for (const tr of [...body.children]) if (!seen.has(tr.dataset.call)) tr.remove();
}

// The agents' table draws only the rows in view (plus a margin), from a
// pool of row elements: with thousands of agents an update costs what
// the screen shows, not what the floor holds.
const ROW_H = 28, MARGIN = 10;
const agentTemplate = document.createElement("template");
agentTemplate.innerHTML = '<tr><td></td><td></td><td></td><td><span class="state"></span></td><td class="num"></td><td></td><td class="num"></td><td class="num"></td>' +
  '<td><button class="act" data-act="pause"></button><button class="act" data-act="ready"></button><button class="act" data-act="logout"></button>' +
  '<button class="act" data-act="listen"></button><button class="act" data-act="whisper"></button><button class="act" data-act="barge"></button></td></tr>';
const scroller = $("#agents-scroll"), agentBody = $("#agents tbody"), topPad = $("#agents-top"), bottomPad = $("#agents-bottom");
const pool = [];
let lastAgents = [], shownAgents = [], agentNow = 0;

function poolRow() {
  const tr = agentTemplate.content.firstChild.cloneNode(true);
  for (const b of tr.querySelectorAll("button")) {
    b.textContent = t("console.act_" + b.dataset.act);
    b.addEventListener("click", () => agentAction(tr.dataset.agent, b.dataset.act));
  }
  const r = { tr, cells: tr.children, state: tr.querySelector(".state"), buttons: tr.querySelectorAll("button"), last: "" };
  agentBody.insertBefore(tr, bottomPad);
  pool.push(r);
  return r;
}

const filter = $("#agent-filter");
filter.addEventListener("input", () => renderAgents(lastAgents, agentNow));
scroller.addEventListener("scroll", () => requestAnimationFrame(paintAgents));

function renderAgents(agents, now) {
  lastAgents = agents; agentNow = now;
  const needle = filter.value.trim().toLowerCase();
  shownAgents = !needle ? agents : agents.filter((a) => a.id.includes(needle) ||
    (a.name || "").toLowerCase().includes(needle) || a.state.includes(needle) || (T["state." + a.state] || "").toLowerCase().includes(needle));
  setText($("#agent-count"), shownAgents.length + " / " + agents.length);
  paintAgents();
}

function paintAgents() {
  const total = shownAgents.length;
  const first = Math.min(Math.max(0, Math.floor(scroller.scrollTop / ROW_H) - MARGIN), Math.max(0, total - 1));
  const count = Math.max(0, Math.min(total - first, Math.ceil(scroller.clientHeight / ROW_H) + 2 * MARGIN));
  // The table is as tall as its rows, up to most of the screen.
  const height = Math.min(Math.round(window.innerHeight * .62), total * ROW_H + 40) + "px";
  if (scroller.style.height !== height) scroller.style.height = height;
  topPad.style.height = first * ROW_H + "px";
  bottomPad.style.height = (total - first - count) * ROW_H + "px";
  while (pool.length < count) poolRow();
  for (let i = 0; i < pool.length; i++) {
    const r = pool[i];
    if (i >= count) { if (!r.tr.hidden) r.tr.hidden = true; continue; }
    if (r.tr.hidden) r.tr.hidden = false;
    fillAgent(r, shownAgents[first + i]);
  }
}

function fillAgent(r, a) {
  const c = r.cells;
  // Only what changed is written; the time in state moves every second.
  const key = a.id + "|" + a.state + "|" + a.reason + "|" + a.call_id + "|" + a.queue + "|" + a.calls_today + "|" + a.adherence + "|" + a.name;
  if (key !== r.last) {
    r.last = key;
    r.tr.dataset.agent = a.id;
    setText(c[0], a.id); setText(c[1], a.name || ""); setText(c[2], a.work_number || "");
    r.state.dataset.state = a.state;
    setText(r.state, t("state." + a.state) + (a.reason ? " · " + (T["reason." + a.reason] || a.reason) : ""));
    setText(c[5], a.call_id ? (queueNames[a.queue] || a.queue || "") + " · " + a.call_id : "");
    setText(c[6], String(a.calls_today));
    const adh = a.adherence;
    setText(c[7], defined(adh) ? Math.round(adh * 100) + "%" : "—");
    setAttr(c[7], "data-level", !defined(adh) ? "" : adh >= .92 ? "good" : adh >= .85 ? "warn" : "bad");
    const onCall = a.state === "talking" || a.state === "hold";
    for (const b of r.buttons) {
      const which = b.dataset.act;
      b.hidden = (which === "listen" || which === "whisper" || which === "barge") ? (!onCall || !me.monitor)
        : which === "ready" ? a.state !== "paused" : which === "pause" ? (a.state === "paused" || a.state === "logged_out")
        : a.state === "logged_out";
    }
  }
  setText(c[4], a.state === "logged_out" ? "" : clock((agentNow - Date.parse(a.since)) / 1000));
}

function agentAction(id, which) {
  if (which === "listen" || which === "whisper" || which === "barge") {
    const ext = $("#monitor-ext").value.trim();
    if (!ext) { toast(t("console.need_extension"), "error"); $("#monitor-ext").focus(); return; }
    act("/supervisor/api/monitor", { supervisor: ext, agent: id, mode: which }, t("console.ringing_you"));
    return;
  }
  const body = which === "pause" ? { reason: $("#pause-reason").value } : {};
  act("/supervisor/api/agents/" + encodeURIComponent(id) + "/" + which, body, t("console.done"));
}
