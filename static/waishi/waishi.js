// Small behaviours without inline scripts (the Content-Security-Policy forbids them).
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) {
    window.print();
  }
});

// Formsets: "add a row" clones the empty form's template with the next index.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-formset-add]");
  if (!button) {
    return;
  }
  const formset = button.closest(".formset");
  const prefix = formset.dataset.prefix;
  const total = formset.querySelector(`input[name="${prefix}-TOTAL_FORMS"]`);
  const index = Number(total.value);
  const html = formset.querySelector("template.formset-template").innerHTML.replaceAll("__prefix__", index);
  formset.querySelector(".formset-rows").insertAdjacentHTML("beforeend", html);
  total.value = index + 1;
});
