function tick() {
  if (!view) return;
  const a = view.agent, now = serverNow();
  $("#since").textContent = clock((now - Date.parse(a.since)) / 1000);
  const c = view.call;
  if (c && c.answered_at) {
    const end = c.talk_ended_at ? Date.parse(c.talk_ended_at) : now;
    field("talk").textContent = clock((end - Date.parse(c.answered_at)) / 1000);
  } else if (c) {
    field("talk").textContent = "—";
  }
  if (view.wrapup_until) {
    $("#state-note").textContent = t("panel.wrapup_ends") + " " + clock((Date.parse(view.wrapup_until) - now) / 1000);
  }
}
setInterval(tick, 1000);

function connect() {
  if (source) source.close();
  source = new EventSource("/agent/api/stream");
  source.addEventListener("view", (e) => {
    document.body.dataset.live = "true";
    $("#conn").textContent = t("common.live");
    apply(JSON.parse(e.data));
  });
  source.addEventListener("session_ended", () => { source.close(); source = null; load(); });
  // The browser reconnects by itself; only a gap longer than one retry
  // is worth telling the agent about.
  source.onopen = () => {
    clearTimeout(staleTimer);
    document.body.dataset.live = "true";
    $("#conn").textContent = t("common.live");
  };
  source.onerror = () => {
    clearTimeout(staleTimer);
    // A refused stream (session gone, server restarted without it) is not
    // retried by the browser: ask again, which shows the sign-in if needed.
    if (source.readyState === EventSource.CLOSED) {
      source = null;
      setTimeout(load, 2000);
      return;
    }
    staleTimer = setTimeout(() => {
      document.body.dataset.live = "false";
      $("#conn").textContent = t("panel.reconnecting");
    }, 3000);
  };
}

async function load() {
  let res;
  try {
    res = await fetch("/agent/api/me", { credentials: "same-origin" });
  } catch (e) {
    document.body.dataset.live = "false";
    $("#conn").textContent = t("panel.unreachable");
    setTimeout(load, 5000);
    return;
  }
  if (res.status === 401) {
    if (source) { source.close(); source = null; }
    view = null;
    document.body.dataset.live = "false";
    $("#conn").textContent = t("panel.signed_out");
    show("login");
    return;
  }
  if (!res.ok) {
    $("#conn").textContent = t("panel.error") + " " + await errorText(res);
    return;
  }
  apply(await res.json());
  show("panel");
  connect();
  loadReviews();
}
