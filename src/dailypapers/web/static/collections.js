// Collections without a page reload: save to the reading list from any card, add to / remove from a collection on
// the paper page, and annotate, reorder and remove items on a collection page. Every form also works without
// JavaScript (it posts and redirects back); here the same form is posted with Accept: application/json.
async function postForm(form, body) {
  const response = await fetch(form.action, {
    method: "POST", body, credentials: "same-origin",
    headers: { Accept: "application/json", "X-CSRF-Token": body.get("csrf_token") || "" },
  });
  let data = {};
  try { data = await response.json(); } catch (_) { /* not JSON: fall through to the error */ }
  if (!response.ok) throw new Error(data.error || `the server answered ${response.status}`);
  return data;
}

function showSaved(paper, saved) {
  document.querySelectorAll(`form.save[data-paper="${CSS.escape(paper)}"]`).forEach((f) => {
    f.querySelector("input[name=saved]").value = saved ? "0" : "1";
    const b = f.querySelector("button");
    b.setAttribute("aria-pressed", saved ? "true" : "false");
    b.textContent = saved ? "★ Saved" : "☆ Save";
  });
}

function showMembership(form, inside) {
  form.dataset.in = inside ? "1" : "0";
  form.action = inside ? form.dataset.removeUrl : form.dataset.addUrl;
  const b = form.querySelector("button");
  b.setAttribute("aria-pressed", inside ? "true" : "false");
  b.textContent = `${inside ? "✓" : "+"} ${form.dataset.title}`;
}

const handlers = {
  "form.save": async (form, body) => {
    const data = await postForm(form, body);
    showSaved(data.paper, data.saved);
  },
  "form.collection-toggle": async (form, body) => {
    const data = await postForm(form, body);
    showMembership(form, data.in);
  },
  "form.item-move": async (form, body, submitter) => {
    await postForm(form, body);
    const item = form.closest("li");
    if (submitter && submitter.value === "up" && item.previousElementSibling) {
      item.parentNode.insertBefore(item, item.previousElementSibling);
    } else if (submitter && submitter.value === "down" && item.nextElementSibling) {
      item.parentNode.insertBefore(item.nextElementSibling, item);
    }
    submitter?.focus();
  },
  "form.item-remove": async (form, body) => {
    await postForm(form, body);
    form.closest("li").remove();
  },
  "form.item-note-form": async (form, body) => {
    await postForm(form, body);
    const b = form.querySelector("button");
    b.textContent = "Note saved";
    setTimeout(() => { b.textContent = "Save note"; }, 1500);
  },
};

document.addEventListener("submit", async (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement)) return;
  const selector = Object.keys(handlers).find((s) => form.matches(s));
  if (!selector) return;
  event.preventDefault();
  const body = new FormData(form, event.submitter);  // before the buttons are disabled (disabled ones are left out)
  const buttons = form.querySelectorAll("button");
  buttons.forEach((b) => { b.disabled = true; });
  try {
    await handlers[selector](form, body, event.submitter);
  } catch (error) {
    alert(error.message);
  } finally {
    buttons.forEach((b) => { b.disabled = false; });
  }
});
