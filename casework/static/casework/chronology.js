// The print button only appears when this script runs; without it, browsers' own print works.
for (const button of document.querySelectorAll("[data-chronology-print]")) {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
}
