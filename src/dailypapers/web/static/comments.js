// Render the math of comments with the vendored KaTeX; the comment HTML holds it as escaped text in
// <span class="math-inline"> / .math-display (see src/dailypapers/markup.py). No network, no inline script.
window.addEventListener("DOMContentLoaded", () => {
  if (!window.katex) return;
  document.querySelectorAll(".comment-body .math-inline, .comment-body .math-display").forEach((el) => {
    try {
      window.katex.render(el.textContent, el, {
        displayMode: el.classList.contains("math-display"), throwOnError: false, trust: false, maxExpand: 1000,
      });
    } catch (err) {
      el.title = String(err);
    }
  });
});
