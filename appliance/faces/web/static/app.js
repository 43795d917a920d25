"use strict";
// The appliance's page: vanilla JS, no build step. Text from the station is always set with
// textContent, never parsed as HTML.

let csrf = "";
let state = null;
let socket = null;
let retry = 500;

const $ = (id) => document.getElementById(id);

function el(tag, text, attrs) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = text;
  for (const [key, value] of Object.entries(attrs || {})) node.setAttribute(key, value);
  return node;
}

function button(text, action) {
  const node = el("button", text, { type: "button" });
  node.addEventListener("click", action);
  return node;
}

async function api(method, path, body) {
  const options = { method, headers: {}, credentials: "same-origin" };
  if (body !== undefined) {
    options.headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(body);
  }
  if (method !== "GET") options.headers["X-CSRF-Token"] = csrf;
  let response;
  try {
    response = await fetch(path, options);
  } catch (error) {  // the appliance is restarting, or the phone lost the network
    return { ok: false, error: "the appliance does not answer: is it on, and this phone on its network?", status: 0 };
  }
  let data = {};
  try { data = await response.json(); } catch (error) { data = { ok: false, error: response.statusText }; }
  if (response.status === 401 && path !== "/api/login" && !path.startsWith("/api/pair")) showLogin();
  data.status = response.status;
  return data;
}

function listener() { return $("listener").value || undefined; }

async function command(name, fields) {
  const body = Object.assign({ command: name }, fields || {});
  const by = listener();
  if (by) body.by = by;
  const result = await api("POST", "/api/command", body);
  if (!result.ok) $("answer").textContent = result.error || "refused";
  else if (result.text) $("answer").textContent = result.text;
  return result;
}

// -- login -------------------------------------------------------------------------------------

function showLogin() {
  $("connection").textContent = "";
  $("app").hidden = true;
  $("login-view").hidden = false;
  if (socket) { socket.onclose = null; socket.close(); socket = null; }
  $("password").focus();
}

// The configured station name in the tab title and the headers, in place of the product's.
function showName(name) {
  if (!name) return;
  document.title = name;
  $("station").textContent = name;
  $("login-name").textContent = name;
}

async function showApp() {
  $("login-view").hidden = true;
  $("app").hidden = false;
  connect();
}

$("login").addEventListener("submit", async (event) => {
  event.preventDefault();
  const result = await api("POST", "/api/login", { password: $("password").value });
  if (result.ok) {
    csrf = result.csrf;
    $("password").value = "";
    $("login-error").textContent = "";
    showApp();
    firstRun();
  } else {
    $("login-error").textContent = result.error || "refused";
  }
});

// pairing: the speaker says a one-time code aloud; typed here it logs this phone in
$("pair-start").addEventListener("click", async () => {
  $("pair-error").textContent = "";
  const result = await api("POST", "/api/pair/start");
  if (!result.ok) { $("pair-error").textContent = result.error || "refused"; return; }
  $("pair-note").textContent = `Listen: ${result.note}. The code lasts ${Math.round(result.seconds / 60)} minutes.`;
  $("pair-entry").hidden = false;
  $("pair-code").focus();
});

$("pair").addEventListener("submit", async (event) => {
  event.preventDefault();
  const result = await api("POST", "/api/pair", { code: $("pair-code").value });
  if (!result.ok) { $("pair-error").textContent = result.error || "refused"; return; }
  csrf = result.csrf;
  $("pair-code").value = "";
  $("pair-note").textContent = "";
  $("pair-error").textContent = "";
  $("pair-entry").hidden = true;
  showApp();
  firstRun();
});

$("logout").addEventListener("click", async () => {
  await api("POST", "/api/logout");
  csrf = "";
  showLogin();
});

// -- live state --------------------------------------------------------------------------------

function connect() {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  socket = new WebSocket(`${scheme}//${location.host}/api/events`);
  socket.onopen = () => { retry = 500; $("connection").textContent = ""; };
  socket.onmessage = (message) => {
    const data = JSON.parse(message.data);
    if (data.type === "state") render(data.state);
    else if (data.type === "said") addLine(data.text);
    else if (data.type === "notice" && data.kind === "library-scan") showScan(data.detail);
  };
  socket.onclose = () => {
    socket = null;
    $("connection").textContent = "Lost the appliance: reconnecting\u2026";
    setTimeout(reconnect, retry);
    retry = Math.min(retry * 2, 10000);
  };
}

// after a restart or a network drop: back in by itself, with the login kept by the appliance
async function reconnect() {
  const session = await api("GET", "/api/session");
  if (session.status === 0) { setTimeout(reconnect, retry); retry = Math.min(retry * 2, 10000); return; }
  if (session.logged_in) { csrf = session.csrf; connect(); } else showLogin();
}

function clock(seconds) {
  if (!isFinite(seconds) || seconds < 0) seconds = 0;
  const whole = Math.floor(seconds);
  return `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, "0")}`;
}

function addLine(text) {
  const lines = $("lines");
  lines.prepend(el("li", text));
  while (lines.children.length > 8) lines.lastChild.remove();
}

function render(next) {
  const before = state;
  next.receivedAt = Date.now() / 1000;
  state = next;
  const now = next.now_playing;
  const track = now ? now.track : null;
  $("title").textContent = track ? track.title : "Nothing playing";
  $("artist").textContent = track ? track.artist : "";
  $("album").textContent = track ? track.album : "";
  $("why").textContent = now ? now.why : "";
  if (!before || (before.now_playing && before.now_playing.track.id) !== (track && track.id)) {
    $("cover").src = track ? `/api/cover/${encodeURIComponent(track.id)}?size=300` : "/static/icon.svg";
  }
  $("toggle").textContent = next.play_state === "playing" ? "Pause" : "Play";
  $("mute").textContent = next.muted ? "Unmute" : "Mute";
  if (document.activeElement !== $("volume")) $("volume").value = next.volume;
  const who = next.listener_name || next.listener || "nobody";
  $("status").textContent = `${next.play_state} \u00b7 volume ${next.volume}${next.muted ? " (muted)" : ""}` +
    ` \u00b7 listening: ${who}${next.mood ? " \u00b7 mood: " + next.mood : ""} \u00b7 voice: ${next.voice}`;
  const select = $("listener");
  const chosen = select.value;
  select.replaceChildren(...next.listeners.map((l) => el("option", l.name || l.id, { value: l.id })));
  if (next.listeners.every((l) => l.id !== next.listener) && next.listener) {
    select.append(el("option", next.listener_name || next.listener, { value: next.listener }));
  }
  select.value = before && before.listener === next.listener && chosen ? chosen : next.listener;
  const lines = $("lines");
  lines.replaceChildren(...next.dj_lines.slice().reverse().map((said) => el("li", said.text)));
  renderQueue(next.up_next);
  tick();
}

function tick() {
  const now = state && state.now_playing;
  if (!now) { $("progress").value = 0; $("time").textContent = ""; return; }
  let position = now.position;
  if (state.play_state === "playing") position += Date.now() / 1000 - state.receivedAt;
  const duration = now.duration || 0;
  position = duration ? Math.min(position, duration) : position;
  $("progress").max = duration || 1;
  $("progress").value = position;
  $("time").textContent = `${clock(position)} / ${clock(duration)}`;
}
setInterval(tick, 1000);

// a track without cover art shows the station's icon, not a broken picture
$("cover").addEventListener("error", () => {
  if (!$("cover").src.endsWith("/static/icon.svg")) $("cover").src = "/static/icon.svg";
});

// -- controls ----------------------------------------------------------------------------------

$("previous").addEventListener("click", () => command("previous"));
$("skip").addEventListener("click", () => command("skip"));
$("stop").addEventListener("click", () => command("stop"));
$("like").addEventListener("click", () => command("like"));
$("dislike").addEventListener("click", () => command("dislike"));
$("mute").addEventListener("click", () => command("mute", { on: !(state && state.muted) }));
$("toggle").addEventListener("click", () =>
  command(state && state.play_state === "playing" ? "pause" : "resume"));
$("volume").addEventListener("change", () => command("volume", { level: Number($("volume").value) }));
$("listener").addEventListener("change", () => command("switch_listener", { user_id: $("listener").value }));
$("ask").addEventListener("submit", async (event) => {
  event.preventDefault();
  const text = $("ask-text").value.trim();
  if (!text) return;
  $("answer").textContent = "\u2026";
  const result = await command("ask", { text });
  if (result.ok) $("ask-text").value = "";
});

function renderQueue(tracks) {
  $("queue").replaceChildren(...tracks.map((track, index) => {
    const item = el("li");
    item.append(el("span", `${track.title} \u2014 ${track.artist}`));
    const up = button("\u2191", () => command("move_queued", { index, to: Math.max(0, index - 1) }));
    const down = button("\u2193", () => command("move_queued", { index, to: index + 1 }));
    up.setAttribute("aria-label", `Move ${track.title} up`);
    down.setAttribute("aria-label", `Move ${track.title} down`);
    item.append(up, down);
    item.append(button("Remove", () => command("remove_queued", { index })));
    return item;
  }));
}
$("clear-queue").addEventListener("click", () => command("clear_queue"));

// -- tabs --------------------------------------------------------------------------------------

for (const tab of document.querySelectorAll(".tab")) {
  tab.addEventListener("click", () => {
    for (const other of document.querySelectorAll(".tab")) {
      other.classList.toggle("active", other === tab);
      other.setAttribute("aria-pressed", String(other === tab));
    }
    for (const panel of document.querySelectorAll(".panel")) panel.hidden = panel.id !== `tab-${tab.dataset.tab}`;
    const load = { library: loadStats, listeners: loadListeners, settings: loadSettings, system: loadSystem }[tab.dataset.tab];
    if (load) load();
  });
}

// -- library -----------------------------------------------------------------------------------

async function loadStats() {
  const result = await api("GET", "/api/library/stats");
  if (!result.ok) { $("stats").textContent = result.error; return; }
  const s = result.stats;
  $("stats").textContent = `${s.tracks} tracks, ${s.artists} artists, ${s.albums} albums, ` +
    `${s.genres} genres; ${s.analysed} measured, ${s.pending} waiting, ${s.errors} problems`;
}

// a re-scan's progress comes as "library-scan" notices; the counts are reloaded when it is done
function showScan(d) {
  const counts = `${d.seen} files seen, ${d.added} added, ${d.changed} changed, ${d.removed} removed` +
    (d.not_indexed ? `, ${d.not_indexed} not indexed` : "");
  if (!d.done) { $("scan").textContent = `Scanning: ${counts}`; return; }
  $("scan").textContent = d.error ? `Scan stopped: ${d.error}` : `Scan done: ${counts}`;
  loadStats();
}

$("rescan").addEventListener("click", async () => {
  $("scan").textContent = "Scanning\u2026";  // before the answer: a small scan's notices beat it
  const result = await command("rescan");
  if (!result.ok) $("scan").textContent = result.error || "refused";
});

function showTracks(tracks, more) {
  $("tracks").replaceChildren(...tracks.map((track) => {
    const item = el("li");
    item.append(el("span", `${track.title} \u2014 ${track.artist}${track.album ? " (" + track.album + ")" : ""}`));
    item.append(button("Play", () => command("play", { track_id: track.id })));
    item.append(button("Queue", () => command("enqueue", { track_id: track.id })));
    return item;
  }));
  if (more) $("tracks").append(el("li", `and ${more} more`));
}

for (const choice of document.querySelectorAll("[data-browse]")) {
  choice.addEventListener("click", async () => {
    const kind = choice.dataset.browse;
    const key = { artists: "artist", albums: "album", genres: "genre", folders: "folder" }[kind];
    const result = await api("GET", `/api/library/${kind}`);
    if (!result.ok) return;
    $("tracks").replaceChildren();
    $("browse").replaceChildren(...result.items.map((entry) => {
      const item = el("li");
      item.append(el("span", entry.artist ? `${entry.name} \u2014 ${entry.artist}` : entry.name));
      item.append(button("Open", async () => {
        const found = await api("GET", `/api/library/tracks?${key}=${encodeURIComponent(entry.name)}`);
        if (found.ok) showTracks(found.tracks, found.more);
      }));
      if (key !== "folder") {
        item.append(button("Play", () => command("play", { [key]: entry.name })));
        item.append(button("Queue", () => command("enqueue", { [key]: entry.name })));
      }
      return item;
    }));
  });
}

$("search").addEventListener("submit", async (event) => {
  event.preventDefault();
  const text = $("search-text").value.trim();
  if (!text) return;
  const result = await api("GET", `/api/library/search?q=${encodeURIComponent(text)}`);
  $("browse").replaceChildren();
  if (result.ok) showTracks(result.tracks, result.more);
});

// -- listeners ---------------------------------------------------------------------------------

async function loadListeners() {
  const result = await api("GET", "/api/listeners");
  if (!result.ok) return;
  $("listeners").replaceChildren(...result.listeners.map((person) => {
    const item = el("li");
    item.append(el("span", `${person.name || person.id}${person.id === result.current ? " (listening)" : ""}`));
    item.append(button("Switch", () => command("switch_listener", { user_id: person.id })));
    item.append(button("Profile", () => loadProfile(person.id)));
    return item;
  }));
}

function section(title, items) {
  const box = el("div");
  box.append(el("h4", title));
  const list = el("ul", null, { class: "list" });
  list.append(...(items.length ? items : [el("li", "none")]));
  box.append(list);
  return box;
}

async function loadProfile(id) {
  const result = await api("GET", `/api/listeners/${encodeURIComponent(id)}`);
  const box = $("profile");
  if (!result.ok) { box.replaceChildren(el("p", result.error, { class: "error" })); return; }
  const p = result.listener;
  const friendInput = el("input", null, { placeholder: "friend's id", maxlength: "64", "aria-label": "Friend id" });
  const addFriend = button("Add friend", async () => {
    const added = await api("POST", `/api/listeners/${encodeURIComponent(id)}/friends`, { friend_id: friendInput.value.trim() });
    if (added.ok) loadProfile(id); else box.prepend(el("p", added.error, { class: "error" }));
  });
  const exportLink = el("a", "Export (JSON)", { href: `/api/listeners/${encodeURIComponent(id)}/export`, download: `${id}.json`, id: "export" });
  const remove = button("Delete for good", async () => {
    const typed = window.prompt(`This deletes everything the DJ knows about ${p.name || id}. Type "${id}" to confirm.`);
    if (typed !== id) return;
    const done = await api("DELETE", `/api/listeners/${encodeURIComponent(id)}`, { confirm: id });
    box.replaceChildren(el("p", done.ok ? `${id} is forgotten.` : done.error));
    loadListeners();
  });
  box.replaceChildren(
    el("h3", `${p.name || p.id}`),
    el("p", `trust: ${p.trust_level} (${p.trust}) \u00b7 mood: ${p.mood || "not set"}`),
    section("Favourites", p.favourites.map((g) => el("li", g))),
    section("Blocked genres", p.blocked_genres.map((g) => el("li", g))),
    section("Friends", p.community.map((friend) => {
      const item = el("li");
      item.append(el("span", friend));
      item.append(button("Remove", async () => {
        await api("DELETE", `/api/listeners/${encodeURIComponent(id)}/friends/${encodeURIComponent(friend)}`);
        loadProfile(id);
      }));
      return item;
    })),
    friendInput, addFriend,
    section("Recently", p.recent.map((r) => el("li", `${r.event}: ${r.title || r.track_id} ${r.artist ? "\u2014 " + r.artist : ""}`))),
    section("Likes", p.likes.map((r) => el("li", `${r.title || r.track_id} ${r.artist ? "\u2014 " + r.artist : ""}`))),
    exportLink, remove,
  );
}

$("new-listener").addEventListener("submit", async (event) => {
  event.preventDefault();
  const user_id = $("new-id").value.trim();
  const name = $("new-name").value.trim();
  if (!user_id) return;
  const result = await command("switch_listener", name ? { user_id, name } : { user_id });
  if (result.ok) { $("new-id").value = ""; $("new-name").value = ""; loadListeners(); }
});

// -- settings ----------------------------------------------------------------------------------

async function loadSettings() {
  const result = await api("GET", "/api/settings");
  if (!result.ok) return;
  $("settings-file").textContent = `Saved to ${result.file}; settings apply when the appliance restarts.`;
  const form = $("settings");
  form.replaceChildren();
  for (const part of result.sections) {
    const set = el("fieldset");
    set.append(el("legend", `[${part.name}]`));
    set.append(el("p", part.doc, { class: "quiet" }));
    for (const field of part.fields) {
      const id = `set-${part.name}-${field.key}`;
      const box = el("div", null, { class: "field" });
      box.append(el("label", field.key, { for: id }));
      let input;
      if (field.kind === "bool") {
        input = el("input", null, { type: "checkbox", id });
        input.checked = field.value === true;
      } else if (field.choices.length) {
        input = el("select", null, { id });
        input.append(...field.choices.map((c) => el("option", c, { value: c })));
        input.value = field.value;
      } else if (field.kind === "paths") {
        input = el("textarea", null, { id, rows: "3" });
        input.value = field.value;
      } else if (field.kind === "password" || field.kind === "noise_key") {
        // a secret that is set comes masked; sent back untouched it keeps the stored one
        input = el("input", null, { id, type: "password", autocomplete: "new-password" });
        input.value = field.value;
        input.placeholder = "not set: made up at the first start";
      } else {
        input = el("input", null, { id, type: "text" });
        input.value = field.value;
        if (field.example) input.placeholder = field.example;
      }
      input.dataset.section = part.name;
      input.dataset.key = field.key;
      input.dataset.kind = field.kind;
      box.append(input);
      let help = field.doc;
      if (field.choices.length) help += ` Valid: ${field.choices.join(", ")}.`;
      else if (field.low !== null) help += ` Valid: ${field.low} to ${field.high}.`;
      box.append(el("small", help));
      set.append(box);
    }
    form.append(set);
  }
  form.append(el("button", "Save", { type: "submit", id: "settings-save" }));
}

$("settings").addEventListener("submit", async (event) => {
  event.preventDefault();
  const values = {};
  for (const input of $("settings").querySelectorAll("[data-section]")) {
    const part = (values[input.dataset.section] ||= {});
    const kind = input.dataset.kind;
    let value = input.type === "checkbox" ? input.checked : input.value;
    if ((kind === "int" || kind === "float") && value.trim() !== "" && !isNaN(Number(value))) value = Number(value);
    part[input.dataset.key] = value;
  }
  const result = await api("POST", "/api/settings", { values });
  $("settings-errors").replaceChildren(...(result.problems || []).map((p) =>
    el("li", `${p.key ? p.key + ": " : ""}${p.problem}${p.valid ? " (valid: " + p.valid + ")" : ""}`)));
  $("settings-result").textContent = result.ok ? result.note : (result.problems ? "Not saved:" : result.error);
});

// -- system ------------------------------------------------------------------------------------

async function loadLog() {
  const result = await api("GET", "/api/system/log?lines=200");
  if (!result.ok) return;
  $("log").textContent = result.lines.map((line) =>
    `${new Date(line.at * 1000).toLocaleTimeString()} ${line.level} ${line.text}`).join("\n");
}

async function loadSystem() {
  loadLog();
  loadModels();
  $("checks").replaceChildren(el("li", "checking\u2026"));
  const checks = await api("GET", "/api/system/doctor");
  if (checks.ok) {
    $("checks").replaceChildren(...checks.checks.map((check) =>
      el("li", `${check.status} ${check.name}: ${check.message}${check.fix ? " (fix: " + check.fix + ")" : ""}`)));
  } else {
    $("checks").replaceChildren(el("li", checks.error, { class: "error" }));
  }
  const plan = await api("GET", "/api/system/plan");
  if (!plan.ok) { $("plan").textContent = plan.error; return; }
  const p = plan.plan;
  $("plan").textContent = `${p.title}: ${p.total_ram_mb} MB of ${p.memory_budget_mb} MB ` +
    `(peak ${p.peak_ram_mb} MB)${p.fits ? "" : " \u2014 does not fit"}`;
  $("plan-models").replaceChildren(...p.models.map((m) => el("li", `${m.kind}: ${m.name} (${m.ram_mb} MB)`)));
}
$("log-refresh").addEventListener("click", loadLog);

// models: the catalog with what is here; a fetch runs on the appliance and is polled here
let modelsPoll = null;

function megabytes(bytes) { return (bytes / 1048576).toFixed(1); }

function jobText(job) {
  if (job.phase === "failed") return `not installed: ${job.error}${job.hint ? " (" + job.hint + ")" : ""}`;
  if (job.phase === "installed") return "installed just now";
  if (job.phase === "network") return "reaching the server\u2026";
  if (job.phase === "verifying") return "checking the download\u2026";
  if (job.phase === "installing") return "installing\u2026";
  const share = job.percent === null ? "" : `${job.percent}% `;
  return `downloading ${share}(${megabytes(job.bytes)}${job.total ? " of " + megabytes(job.total) : ""} MB)`;
}

async function loadModels() {
  const result = await api("GET", "/api/models");
  if (!result.ok) { $("models-result").textContent = result.error; return; }
  $("models-folder").textContent = `Downloaded models live in ${result.folder}.`;
  const jobs = Object.fromEntries(result.jobs.map((job) => [job.name, job]));
  $("models").replaceChildren(...result.models.map((m) => {
    const item = el("li", null, { id: `model-${m.name}` });
    let where = "not installed";
    if (m.source === "package") where = "ships with the appliance";
    else if (m.installed) where = `installed, ${m.size_mb} MB${m.verified ? "" : " (unverified)"}`;
    const flags = [m.in_use ? "in use" : "", m.planned ? "the plan wants it" : ""].filter(Boolean);
    item.append(el("span", `${m.name} \u2014 ${m.kind}, ${m.engine}, ${m.disk_mb} MB on disk, ` +
      `${m.ram_mb} MB memory: ${where}${flags.length ? " \u00b7 " + flags.join(", ") : ""}`));
    const job = jobs[m.name];
    if (job) item.append(el("span", jobText(job), { class: job.phase === "failed" ? "error" : "quiet", role: "status" }));
    if (!m.installed && m.fetchable && !(job && !["installed", "failed"].includes(job.phase))) {
      const fetching = button("Fetch", async () => {
        const started = await api("POST", `/api/models/${encodeURIComponent(m.name)}/fetch`);
        $("models-result").textContent = started.ok ? "" : started.error;
        loadModels();
      });
      fetching.setAttribute("aria-label", `Fetch ${m.name}`);
      item.append(fetching);
    }
    if (m.installed && m.source === "download") {
      const removing = button("Remove", async () => {
        const warning = m.in_use ? " The station uses it now." : (m.planned ? " This board's plan wants it." : "");
        if (!window.confirm(`Remove ${m.name}?${warning}`)) return;
        const done = await api("DELETE", `/api/models/${encodeURIComponent(m.name)}`, { confirm: m.name });
        $("models-result").textContent = done.ok ? done.note : done.error;
        loadModels();
      });
      removing.setAttribute("aria-label", `Remove ${m.name}`);
      item.append(removing);
    }
    return item;
  }));
  const running = result.jobs.some((job) => !["installed", "failed"].includes(job.phase));
  clearTimeout(modelsPoll);
  if (running && !$("tab-system").hidden) modelsPoll = setTimeout(loadModels, 500);
}

// -- first run ---------------------------------------------------------------------------------

async function firstRun() {
  const setup = await api("GET", "/api/setup");
  if (!setup.ok || !setup.needed) return;
  $("setup-name").value = setup.name;
  $("setup-music").value = setup.music_folders.join("\n");
  for (const panel of document.querySelectorAll(".panel")) panel.hidden = panel.id !== "welcome";
  wakeWord = setup.wake_word || "the wake word";
  micLevel();
}

// the microphone's level as the station hears it (never this phone's own microphone)
let wakeWord = "the wake word";
async function micLevel() {
  if ($("welcome").hidden) return;
  const found = await api("GET", "/api/setup/microphone");
  if (found.ok && !found.available) {
    $("mic-level").hidden = true;
    $("wake-test").disabled = true;
    $("mic-note").textContent = found.note;
    return;
  }
  if (found.ok) {
    $("mic-level").value = found.level_db === null ? -60 : Math.max(-60, found.level_db);
    $("mic-note").textContent = found.note || `${Math.round(found.level_db)} dB`;
  }
  setTimeout(micLevel, 300);
}

$("wake-test").addEventListener("click", async () => {
  $("wake-test").disabled = true;
  $("wake-result").textContent = `Say \u201c${wakeWord}\u201d now\u2026`;
  const result = await api("POST", "/api/setup/wake-test", { seconds: 10 });
  $("wake-result").textContent = result.ok ? (result.fired ? `It works: ${result.note}.` : result.note) : result.error;
  $("wake-test").disabled = false;
});

$("setup-test").addEventListener("click", () =>
  command("announce", { text: `Hello, this is ${$("setup-name").value || "your speaker"}.` }));

$("setup").addEventListener("submit", async (event) => {
  event.preventDefault();
  const name = $("setup-listener").value.trim();
  const values = { station: { name: $("setup-name").value.trim() }, library: { music_folders: $("setup-music").value } };
  if (name) {
    const id = name.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, "-").replace(/^-+|-+$/g, "").slice(0, 64);
    values.dj = { default_user: id };
    await command("switch_listener", { user_id: id, name });
  }
  const result = await api("POST", "/api/settings", { values, users: name ? [{ id: values.dj.default_user, name }] : [] });
  $("setup-errors").replaceChildren(...(result.problems || []).map((p) =>
    el("li", `${p.key ? p.key + ": " : ""}${p.problem}${p.valid ? " (valid: " + p.valid + ")" : ""}`)));
  $("setup-result").textContent = result.ok ? result.note : (result.problems ? "Not saved:" : result.error);
  if (result.ok) for (const panel of document.querySelectorAll(".panel")) panel.hidden = panel.id !== "tab-now";
});

// -- start -------------------------------------------------------------------------------------

(async () => {
  const session = await api("GET", "/api/session");
  showName(session.name);
  if (session.logged_in) { csrf = session.csrf; showApp(); firstRun(); } else showLogin();
})();
