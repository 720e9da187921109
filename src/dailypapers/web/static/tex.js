// Render LaTeX in titles and abstracts with the vendored KaTeX (no network).
window.addEventListener("DOMContentLoaded", () => {
  if (!window.renderMathInElement) return;
  document.querySelectorAll(".tex").forEach((el) => window.renderMathInElement(el, {
    delimiters: [
      { left: "$$", right: "$$", display: true }, { left: "\\[", right: "\\]", display: true },
      { left: "$", right: "$", display: false }, { left: "\\(", right: "\\)", display: false },
    ],
    throwOnError: false,
  }));
});
