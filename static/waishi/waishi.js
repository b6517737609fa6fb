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
  const rows = formset.querySelector(".formset-rows");
  rows.insertAdjacentHTML("beforeend", html);
  searchSelects(rows.lastElementChild);
  total.value = index + 1;
});

// Selects of many records (data-search-url, core.forms.FastOptions): they list only the chosen records;
// Tom Select asks the server for the records matching what the user types. The server searches (names,
// pinyin, codes), so the browser shows what it returned for the query as it is, without filtering again.
function searchSelects(root) {
  root.querySelectorAll("select[data-search-url]").forEach((select) => {
    if (select.tomselect) {
      return;
    }
    const found = new Map(); // query → the values the server returned for it
    const text = (message) => {
      const div = document.createElement("div");
      div.className = "no-results";
      div.textContent = message;
      return div;
    };
    new TomSelect(select, {
      valueField: "value",
      labelField: "text",
      searchField: ["text"],
      maxOptions: null,
      preload: "focus",
      loadThrottle: 250,
      plugins: select.multiple ? ["remove_button"] : [],
      score: (query) => (item) => (found.get(query)?.has(String(item.value)) ? 1 : 0),
      load(query, callback) {
        const url = new URL(select.dataset.searchUrl, window.location.href);
        url.searchParams.set("q", query);
        fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
          .then((response) => (response.ok ? response.json() : Promise.reject(response.status)))
          .then((data) => {
            found.set(query, new Set(data.results.map((result) => result.value)));
            callback(data.results);
          })
          .catch(() => callback());
      },
      render: {
        no_results: () => text(select.dataset.searchEmpty),
        loading: () => text(select.dataset.searchLoading),
      },
    });
  });
}

document.addEventListener("DOMContentLoaded", () => searchSelects(document));
document.addEventListener("htmx:load", (event) => searchSelects(event.target));
