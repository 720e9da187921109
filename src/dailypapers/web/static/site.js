// Upvotes without a page reload: the form still works without JavaScript (it posts and redirects back).
document.addEventListener("submit", async (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.matches("form.upvote")) return;
  event.preventDefault();
  const button = form.querySelector("button");
  button.disabled = true;
  try {
    const response = await fetch(form.action, {
      method: "POST", body: new FormData(form), headers: { Accept: "application/json" }, credentials: "same-origin",
    });
    const data = await response.json();
    if (!response.ok) { alert(data.error || "could not vote"); return; }
    document.querySelectorAll(`form.upvote[data-paper="${CSS.escape(form.dataset.paper)}"]`).forEach((f) => {
      const b = f.querySelector("button");
      b.setAttribute("aria-pressed", data.voted ? "true" : "false");
      b.querySelector(".count").textContent = data.upvotes;
      b.setAttribute("aria-label", `${data.voted ? "Remove upvote" : "Upvote"} (${data.upvotes} upvotes)`);
    });
  } finally {
    button.disabled = false;
  }
});
// Keyboard: j/k move between papers, u upvotes the focused one, / focuses search.
document.addEventListener("keydown", (event) => {
  if (event.target.closest("input, textarea, select") || event.metaKey || event.ctrlKey || event.altKey) return;
  const cards = [...document.querySelectorAll("ol.cards > li")];
  if (event.key === "/") {
    const search = document.querySelector("header.top input[type=search]");
    if (search) { event.preventDefault(); search.focus(); }
    return;
  }
  if (!cards.length || !["j", "k", "u"].includes(event.key)) return;
  const current = cards.findIndex((c) => c.contains(document.activeElement));
  if (event.key === "u") {
    if (current >= 0) cards[current].querySelector("form.upvote button")?.click();
    return;
  }
  const next = event.key === "j" ? Math.min(current + 1, cards.length - 1) : Math.max(current - 1, 0);
  cards[next].querySelector("h3 a")?.focus();
});
// A paper being fetched from arXiv: poll its queue state and show the paper once it has arrived.
const fetchStatus = document.querySelector("[data-fetch-status]");
if (fetchStatus) {
  const poll = async () => {
    try {
      const response = await fetch(fetchStatus.dataset.fetchStatus, { headers: { Accept: "application/json" } });
      const data = await response.json();
      if (response.ok && (data.state === "queued" || data.state === "running")) {
        fetchStatus.textContent = data.state === "running" ? "Asking arXiv now…"
          : `Queued${data.attempts ? ` (attempt ${data.attempts} failed: ${data.lastError})` : ""}…`;
        setTimeout(poll, 3000);
        return;
      }
    } catch (error) {
      setTimeout(poll, 10000);
      return;
    }
    window.location.reload();
  };
  setTimeout(poll, 2000);
}
// Search suggestions as you type (ARIA combobox): debounced, arrow keys + Enter, Escape closes; an arXiv id
// suggestion goes straight to the paper. Without JavaScript the box is a plain search form.
const combo = document.querySelector("header.top input[role=combobox]");
const listbox = combo && document.getElementById(combo.getAttribute("aria-controls"));
if (combo && listbox) {
  const form = combo.form;
  let timer = 0;
  let active = -1;
  let items = [];
  let asked = "";
  const close = () => {
    listbox.hidden = true; combo.setAttribute("aria-expanded", "false");
    combo.removeAttribute("aria-activedescendant"); active = -1;
  };
  const mark = (index) => {
    active = index;
    [...listbox.children].forEach((li, i) => li.setAttribute("aria-selected", i === index ? "true" : "false"));
    if (index >= 0) combo.setAttribute("aria-activedescendant", listbox.children[index].id);
    else combo.removeAttribute("aria-activedescendant");
  };
  const show = (suggestions) => {
    items = suggestions;
    listbox.replaceChildren(...suggestions.map((s, i) => {
      const li = document.createElement("li");
      li.id = `q-option-${i}`; li.setAttribute("role", "option"); li.setAttribute("aria-selected", "false");
      li.textContent = s.title;
      const sid = document.createElement("span"); sid.className = "sid"; sid.textContent = s.id; li.append(sid);
      li.addEventListener("mousedown", (e) => { e.preventDefault(); window.location.href = s.url; });
      return li;
    }));
    if (!suggestions.length) { close(); return; }
    listbox.hidden = false; combo.setAttribute("aria-expanded", "true"); mark(-1);
  };
  const ask = async () => {
    const q = combo.value.trim();
    if (q === asked) return;
    asked = q;
    if (q.length < 2) { show([]); return; }
    try {
      const response = await fetch(`${form.dataset.suggest}?q=${encodeURIComponent(q)}`, { headers: { Accept: "application/json" } });
      if (!response.ok || combo.value.trim() !== q) return;
      show((await response.json()).suggestions);
    } catch (error) { show([]); }
  };
  combo.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(ask, 200); });
  combo.addEventListener("keydown", (event) => {
    const open = !listbox.hidden && items.length;
    if (event.key === "ArrowDown" && open) { event.preventDefault(); mark((active + 1) % items.length); }
    else if (event.key === "ArrowUp" && open) { event.preventDefault(); mark(active <= 0 ? items.length - 1 : active - 1); }
    else if (event.key === "Escape" && open) { event.preventDefault(); close(); }
    else if (event.key === "Enter" && open && active >= 0) { event.preventDefault(); window.location.href = items[active].url; }
  });
  combo.addEventListener("blur", () => setTimeout(close, 100));
}
// Search filters: folded on phones, open on wide screens.
const filtersBox = document.querySelector("details.filters-box");
if (filtersBox && window.matchMedia("(min-width: 761px)").matches) filtersBox.open = true;
// After submitting, the new card is marked and scrolled into view (the page is /papers?added=ID#paper-ID).
const added = new URLSearchParams(window.location.search).get("added");
if (added) document.getElementById(`paper-${added}`)?.classList.add("just-added");
