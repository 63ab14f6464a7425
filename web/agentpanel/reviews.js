// The agent's quality reviews of this month, which they acknowledge
// once read. A server without the quality review answers 404: no card.
let reviewsTimer = 0;
async function loadReviews() {
  clearTimeout(reviewsTimer);
  let res;
  try { res = await fetch("/agent/api/reviews", { credentials: "same-origin" }); } catch (e) { return; }
  if (res.status === 404) { $("#reviews-card").hidden = true; return; }
  reviewsTimer = setTimeout(loadReviews, 60000);
  if (!res.ok) return;
  const list = await res.json();
  $("#reviews-card").hidden = false;
  $("#no-reviews").hidden = list.length > 0;
  $("#reviews").hidden = list.length === 0;
  const body = $("#reviews tbody");
  body.textContent = "";
  for (const r of list) {
    const tr = document.createElement("tr");
    tr.dataset.review = r.id;
    tr.innerHTML = '<td></td><td></td><td><span class="score" data-field="review-score"></span></td><td></td><td></td>';
    const c = tr.children;
    c[0].textContent = new Date(r.call_started).toLocaleString(document.documentElement.lang);
    c[1].textContent = queueName(r.queue);
    c[2].firstChild.textContent = r.score.toFixed(1);
    if (r.critical_failed && r.critical_failed.length) {
      const d = document.createElement("div"); d.className = "critical";
      d.textContent = t("panel.critical_missed") + " " + r.critical_failed.join(", ");
      c[3].append(d);
    }
    if (r.comment) { const d = document.createElement("div"); d.textContent = r.comment; c[3].append(d); }
    if (r.acknowledged_at) {
      c[4].textContent = t("panel.acknowledged");
      c[4].dataset.field = "acknowledged";
    } else {
      const b = document.createElement("button"); b.type = "button"; b.dataset.ack = r.id; b.textContent = t("panel.acknowledge");
      b.addEventListener("click", async () => {
        const res = await post("/agent/api/reviews/" + r.id + "/acknowledge");
        if (res.ok) loadReviews(); else $("#state-error").textContent = await errorText(res);
      });
      c[4].append(b);
    }
    body.append(tr);
  }
}
