function renderCall(c) {
  $("#call").hidden = !c;
  $("#no-call").hidden = !!c;
  $("#call-title").textContent = c && !c.current ? t("panel.last_call") : t("console.call");
  if (!c) return;
  field("caller").textContent = c.caller || t("panel.unknown_number");
  if (c.on_hold) {
    const tag = document.createElement("span");
    tag.className = "tag"; tag.textContent = t("state.hold");
    field("caller").append(tag);
  }
  field("number").textContent = c.number || "—";
  field("queue").textContent = c.queue ? queueName(c.queue) : "—";
  field("language").textContent = c.language || "—";
  field("wait").textContent = c.answered_at ? clock(c.wait_seconds) : t("state.ringing");
  const path = field("path");
  path.textContent = "";
  for (const node of c.ivr_path || []) {
    if (path.childElementCount) {
      const sep = document.createElement("i");
      sep.textContent = "›";
      path.append(sep);
    }
    const s = document.createElement("span");
    s.textContent = node;
    path.append(s);
  }
  if (!path.childElementCount) path.textContent = "—";
  const vars = $("#vars");
  vars.textContent = "";
  for (const [k, v] of Object.entries(c.vars || {}).sort()) {
    const dt = document.createElement("dt"), dd = document.createElement("dd");
    dt.textContent = k.replaceAll("_", " ");
    dd.textContent = v;
    dd.dataset.var = k;
    vars.append(dt, dd);
  }
}

function renderDisposition(c) {
  const card = $("#disposition-card");
  card.hidden = !c || !c.answered_at;
  if (card.hidden) return;
  const cats = $("#categories");
  if (cats.dataset.call !== c.call_id) {
    cats.dataset.call = c.call_id;
    cats.textContent = "";
    for (const cat of view.categories) {
      const l = document.createElement("label"), i = document.createElement("input");
      i.type = "radio"; i.name = "category"; i.value = cat;
      l.append(i, categoryName(cat));
      cats.append(l);
    }
    document.querySelectorAll('input[name="resolved"]').forEach((r) => { r.checked = false; });
    $("#disposition-error").textContent = "";
  }
  const d = c.disposition;
  $("#disposition-saved").textContent = d ? t("panel.saved") + " " + categoryName(d.category) + ", " + (d.resolved ? t("panel.resolved") : t("panel.not_resolved")) : "";
  if (d && !document.querySelector('input[name="category"]:checked')) {
    const r = document.querySelector(`input[name="category"][value="${CSS.escape(d.category)}"]`);
    if (r) r.checked = true;
    document.querySelector(`input[name="resolved"][value="${d.resolved}"]`).checked = true;
  }
}
