// Quality review.
const monthInput = $("#review-month");
monthInput.addEventListener("change", loadReviewQueue);
async function loadReviewQueue() {
  if (!forms.length) {
    const fr = await fetch("/supervisor/api/reviews/forms", { credentials: "same-origin" });
    if (fr.ok) forms = await fr.json();
  }
  const q = monthInput.value ? "?month=" + monthInput.value : "";
  const res = await fetch("/supervisor/api/reviews/queue" + q, { credentials: "same-origin" });
  const body = $("#review-queue tbody"); body.textContent = "";
  if (!res.ok) { toast(await errorText(res), "error"); return; }
  const v = await res.json();
  if (!monthInput.value) monthInput.value = v.month;
  setText($("#review-progress"), t("console.reviewed") + " " + v.reviewed + " / " + v.total);
  for (const it of v.items) {
    const tr = document.createElement("tr"); tr.dataset.call = it.call_id;
    tr.innerHTML = '<td></td><td></td><td></td><td class="num"></td><td></td><td class="num"></td><td></td>';
    const c = tr.children;
    c[0].textContent = it.agent; c[1].textContent = queueNames[it.queue] || it.queue;
    c[2].textContent = new Date(it.started).toLocaleString(document.documentElement.lang);
    c[3].textContent = clock(it.duration_seconds);
    for (const r of it.reasons) { const s = document.createElement("span"); s.className = "reason"; s.dataset.reason = r; s.textContent = t("review." + r); c[4].append(s); }
    c[5].textContent = it.score === undefined || it.score === null ? "—" : it.score.toFixed(1);
    if (it.score === undefined || it.score === null) {
      const b = document.createElement("button"); b.className = "act"; b.dataset.act = "review"; b.textContent = t("console.review");
      b.addEventListener("click", () => openReview(it)); c[6].append(b);
    }
    body.append(tr);
  }
  loadScores(q);
}
async function loadScores(q) {
  const res = await fetch("/supervisor/api/reviews/scores" + q, { credentials: "same-origin" });
  const body = $("#review-scores tbody"); body.textContent = "";
  if (!res.ok) return;
  const v = await res.json();
  const row = (name, s, strong) => {
    const tr = document.createElement("tr");
    tr.innerHTML = '<td></td><td class="num"></td><td class="num"></td><td class="num"></td><td class="num"></td>';
    const c = tr.children;
    c[0].textContent = name; c[1].textContent = s.reviews;
    c[2].textContent = s.reviews ? s.score.toFixed(1) : "—";
    c[3].textContent = s.critical_failed; c[4].textContent = s.acknowledged;
    if (strong) tr.style.fontWeight = "600";
    body.append(tr);
  };
  row(t("console.all"), v.all, true);
  for (const s of v.teams) row(s.name, s, true);
  for (const s of v.agents) row(s.name, s, false);
}
function openReview(it) {
  reviewItem = it;
  const form = forms.find((f) => f.id === it.form);
  $("#review-card").hidden = false;
  $("#review-card").scrollIntoView({ block: "nearest" });
  setText($("#review-call"), it.call_id);
  $("#review-audio").src = "/supervisor/api/recordings/" + encodeURIComponent(it.call_id) + "/audio";
  setText($("#review-meta"), it.agent + " · " + (queueNames[it.queue] || it.queue) + " · " + clock(it.duration_seconds) +
    (it.survey_score ? " · " + t("console.survey") + " " + it.survey_score : "") + (it.category ? " · " + it.category : ""));
  $("#review-comment").value = ""; setText($("#review-result"), "");
  const box = $("#review-questions"); box.textContent = "";
  if (!form) { box.textContent = t("console.no_form"); return; }
  for (const s of form.sections) {
    const h = document.createElement("h3"); h.textContent = s.title; h.style.fontSize = ".95rem"; box.append(h);
    for (const q of s.questions) {
      const row = document.createElement("div"); row.className = "question";
      const label = document.createElement("span"); label.textContent = q.text + " (" + q.weight + ")";
      if (q.critical) { const c = document.createElement("span"); c.className = "critical"; c.textContent = t("console.critical"); label.append(c); }
      const sel = document.createElement("select"); sel.name = q.id; sel.dataset.question = q.id;
      const values = q.max === 1 ? [[1, t("common.yes")], [0, t("common.no")]] : Array.from({ length: q.max + 1 }, (_, i) => [q.max - i, String(q.max - i)]);
      for (const [v, text] of values) { const o = document.createElement("option"); o.value = v; o.textContent = text; sel.append(o); }
      row.append(label, sel); box.append(row);
    }
  }
}
$("#review-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  if (!reviewItem) return;
  const answers = {};
  for (const sel of document.querySelectorAll("#review-questions select")) answers[sel.name] = Number(sel.value);
  const saved = await act("/supervisor/api/reviews", { call_id: reviewItem.call_id, form: reviewItem.form, answers, comment: $("#review-comment").value }, t("console.saved"));
  if (saved) {
    setText($("#review-result"), t("console.score") + " " + saved.score.toFixed(1));
    document.body.dataset.lastReviewScore = saved.score.toFixed(1);
    loadReviewQueue();
  }
});
