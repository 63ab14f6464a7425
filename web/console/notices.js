// Outage notices.
async function loadNotices() {
  const res = await fetch("/supervisor/api/notices", { credentials: "same-origin" });
  const body = $("#notices tbody"); body.textContent = "";
  if (!res.ok) { toast(await errorText(res), "error"); return; }
  for (const n of await res.json()) {
    const tr = document.createElement("tr");
    tr.innerHTML = "<td></td><td></td><td></td><td></td><td></td>";
    const c = tr.children;
    c[0].textContent = n.id; c[1].textContent = n.areas.join(", "); c[2].textContent = n.text;
    c[2].style.whiteSpace = "normal";
    c[3].textContent = n.expired ? t("console.expired") : t("console.active");
    if (!n.expired) {
      const b = document.createElement("button"); b.className = "act"; b.textContent = t("console.expire");
      b.addEventListener("click", async () => { if (await act("/supervisor/api/notices/" + n.id + "/expire", {}, t("console.done"))) loadNotices(); });
      c[4].append(b);
    }
    body.append(tr);
  }
}
$("#notice-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const areas = $("#notice-areas").value.split(",").map((s) => s.trim()).filter(Boolean);
  if (await act("/supervisor/api/notices", { areas, text: $("#notice-text").value }, t("console.published"))) {
    $("#notice-text").value = ""; loadNotices();
  }
});
