// Search on a site opened from disk (file://). Sphinx's search shows each hit's page title and then fetches
// the page to show a snippet; a browser does not let a file:// page read other files, so every fetch fails
// (a console error) and hits on several sections of one page look like duplicate rows. Opened from disk,
// the snippets are switched off and each hit names its section instead. Over http nothing changes.
if (window.location.protocol === "file:") {
  DOCUMENTATION_OPTIONS.SHOW_SEARCH_SUMMARY = false;
  const nameSections = () => {
    document.querySelectorAll("ul.search li > a").forEach((link) => {
      const anchor = decodeURIComponent(new URL(link.href).hash.slice(1));
      if (!anchor || link.parentElement.querySelector(".file-search-section")) return;
      // the anchor is all the search page knows of the section: "term-Attention-head" -> "Attention head"
      const name = anchor.replace(/^term-/, "").replace(/-/g, " ");
      const span = link.parentElement.appendChild(document.createElement("span"));
      span.className = "file-search-section";
      span.textContent = " › " + name;
    });
  };
  document.addEventListener("DOMContentLoaded", () => {
    const results = document.getElementById("search-results");
    if (results) new MutationObserver(nameSections).observe(results, {childList: true, subtree: true});
  });
}
