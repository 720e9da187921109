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
