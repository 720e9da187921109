// For you: "not interested" without a reload, and the blend dial applied as it moves. Without JavaScript the same
// forms post and redirect back (no inline scripts: this file is the only code of these controls).
document.addEventListener("submit", async (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.matches("form.not-interested")) return;
  event.preventDefault();
  const response = await fetch(form.action, {
    method: "POST", body: new FormData(form), headers: { Accept: "application/json" }, credentials: "same-origin",
  });
  if (!response.ok) { form.submit(); return; }
  form.closest("li.card")?.remove();
});
const dial = document.getElementById("dial");
const dialForm = document.getElementById("dial-form");
if (dial && dialForm) {
  const shown = document.getElementById("dial-value");
  dial.addEventListener("input", () => { if (shown) shown.textContent = `${Math.round(dial.value * 100)}% trending`; });
  dial.addEventListener("change", () => dialForm.requestSubmit());
}
