// mlsalary web app: the little JavaScript that helps; every page works without it.
"use strict";

// The offer form: show the equity fields of the chosen kind (grant value for RSUs, shares and prices for options).
function showEquityFields() {
  const kind = document.getElementById("f-offer-equity-kind");
  if (!kind) return;
  const update = () => {
    document.querySelectorAll("[data-kind]").forEach((el) => {
      el.hidden = !el.dataset.kind.split(" ").includes(kind.value);
    });
  };
  kind.addEventListener("change", update);
  update();
}

// Permalinks: a button that copies the page's address.
function copyButtons() {
  document.querySelectorAll("button.copy").forEach((button) => {
    button.addEventListener("click", () => {
      const url = new URL(button.dataset.copy, window.location.href).href;
      const done = () => { button.textContent = "copied"; };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(url).then(done, () => window.prompt("Copy this link:", url));
      } else {
        window.prompt("Copy this link:", url);
      }
    });
  });
}

// An input marked invalid by the server gets the focus, so the error is where the user looks.
function focusInvalid() {
  const bad = document.querySelector("[aria-invalid=true]");
  if (bad) bad.focus();
}

// Search forms (GET): leave empty fields out of the address, so the answer's link is short enough to share.
function shortLinks() {
  document.querySelectorAll("form[method=get]").forEach((form) => {
    form.addEventListener("submit", (event) => {
      const params = new URLSearchParams();
      for (const [name, value] of new FormData(form)) {
        if (String(value).trim() !== "") params.append(name, String(value));
      }
      event.preventDefault();
      window.location.assign(form.action + (params.toString() ? "?" + params.toString() : ""));
    });
  });
}

document.addEventListener("DOMContentLoaded", () => {
  shortLinks();
  showEquityFields();
  copyButtons();
  focusInvalid();
});
