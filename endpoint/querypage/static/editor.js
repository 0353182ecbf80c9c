/* drugkg query page: its SPARQL editors, YASGUI's and the built-in one (the fallback).
 *
 * The built-in editor is a textarea over a highlighted copy of its text, a gutter of line numbers, and a small
 * popup completing prefixed names (dk:Tra... -> dk:TraffickingRoute) from the ontology's
 * terms. `DrugkgEditor.builtin(host, options)` and `DrugkgEditor.yasqe(host, Yasqe, options)`
 * (YASGUI's editor, the default when its files are served) return the same small interface:
 * getValue, setValue, focus, markError, clearError.
 */
"use strict";

(function () {
  const KEYWORDS = new Set((
    "SELECT CONSTRUCT DESCRIBE ASK WHERE FROM NAMED PREFIX BASE OPTIONAL FILTER UNION MINUS " +
    "GRAPH SERVICE SILENT BIND VALUES AS DISTINCT REDUCED ORDER BY ASC DESC LIMIT OFFSET " +
    "GROUP HAVING NOT EXISTS IN UNDEF A COUNT SUM MIN MAX AVG SAMPLE GROUP_CONCAT SEPARATOR " +
    "STR LANG LANGMATCHES DATATYPE BOUND IRI URI BNODE REGEX CONTAINS STRSTARTS STRENDS " +
    "LCASE UCASE COALESCE IF TRUE FALSE YEAR MONTH DAY NOW ISIRI ISURI ISLITERAL ISBLANK"
  ).split(" "));
  const TOKEN = new RegExp([
    "(#[^\\n]*)",                                      // 1 comment
    "(\"\"\"[\\s\\S]*?\"\"\"|'''[\\s\\S]*?'''|\"(?:[^\"\\\\\\n]|\\\\.)*\"?|'(?:[^'\\\\\\n]|\\\\.)*'?)", // 2 string
    "(<[^<>\"{}|^`\\\\\\s]*>)",                         // 3 IRI
    "([?$][A-Za-z0-9_\\u00C0-\\uFFFF]+)",               // 4 variable
    "((?:[A-Za-z][\\w.-]*)?:[\\w.-]*)",                 // 5 prefixed name
    "([A-Za-z_]+)",                                    // 6 word
    "(\\d+(?:\\.\\d+)?(?:[eE][+-]?\\d+)?)",             // 7 number
  ].join("|"), "g");
  const CLASSES = [null, "c-comment", "c-string", "c-iri", "c-var", "c-pname", null, "c-num"];

  function escapeHtml(text) {
    return text.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
  }

  function highlight(text) {
    let out = "";
    let last = 0;
    TOKEN.lastIndex = 0;
    let m;
    while ((m = TOKEN.exec(text)) !== null) {
      if (m[0] === "") { TOKEN.lastIndex += 1; continue; }
      out += escapeHtml(text.slice(last, m.index));
      let cls = null;
      for (let i = 1; i < CLASSES.length; i += 1) {
        if (m[i] !== undefined) { cls = CLASSES[i]; break; }
      }
      if (m[6] !== undefined && KEYWORDS.has(m[6].toUpperCase())) cls = "c-kw";
      out += cls ? `<span class="${cls}">${escapeHtml(m[0])}</span>` : escapeHtml(m[0]);
      last = m.index + m[0].length;
    }
    return out + escapeHtml(text.slice(last)) + "\n";
  }

  function builtin(host, options) {
    const terms = options.terms || [];
    host.classList.add("fb-editor");
    host.innerHTML =
      '<div class="gutter" aria-hidden="true"></div>' +
      '<div class="code"><pre class="hl" aria-hidden="true"></pre>' +
      '<textarea id="query-text" spellcheck="false" autocomplete="off" aria-label="SPARQL query"></textarea></div>' +
      '<ul class="complete" role="listbox" hidden></ul>';
    const gutter = host.querySelector(".gutter");
    const pre = host.querySelector("pre.hl");
    const area = host.querySelector("textarea");
    const popup = host.querySelector("ul.complete");
    let errorLine = null;
    let choices = [];
    let chosen = 0;

    function render() {
      pre.innerHTML = highlight(area.value);
      const lines = area.value.split("\n").length;
      let numbers = "";
      for (let i = 1; i <= lines; i += 1) {
        numbers += i === errorLine ? `<span class="err">${i}</span>\n` : `${i}\n`;
      }
      gutter.innerHTML = numbers;
      sync();
    }
    function sync() {
      pre.scrollTop = area.scrollTop;
      pre.scrollLeft = area.scrollLeft;
      gutter.scrollTop = area.scrollTop;
    }
    function wordBeforeCaret() {
      const before = area.value.slice(0, area.selectionStart);
      const m = /(?:^|[^\w:.-])((?:[A-Za-z][\w.-]*)?:[\w-]*)$/.exec(before);
      return m ? m[1] : null;
    }
    function closePopup() { popup.hidden = true; choices = []; }
    function openPopup() {
      const word = wordBeforeCaret();
      if (!word || word.endsWith(":") && word.length < 2) { closePopup(); return; }
      const low = word.toLowerCase();
      choices = terms.filter((t) => t.curie.toLowerCase().startsWith(low) && t.curie !== word).slice(0, 10);
      if (!choices.length) { closePopup(); return; }
      chosen = 0;
      popup.innerHTML = choices.map((t, i) =>
        `<li role="option" data-i="${i}"${i === 0 ? ' class="on"' : ""}><code>${escapeHtml(t.curie)}</code>` +
        ` <span>${escapeHtml(t.label)}</span> <em>${t.kind}</em></li>`).join("");
      popup.hidden = false;
    }
    function accept(i) {
      const term = choices[i];
      const word = wordBeforeCaret();
      if (!term || word === null) return;
      const at = area.selectionStart;
      area.setRangeText(term.curie, at - word.length, at, "end");
      closePopup();
      render();
      area.focus();
    }
    function move(step) {
      chosen = (chosen + step + choices.length) % choices.length;
      popup.querySelectorAll("li").forEach((li, i) => li.classList.toggle("on", i === chosen));
    }

    area.addEventListener("input", () => { errorLine = null; render(); openPopup(); });
    area.addEventListener("scroll", sync);
    area.addEventListener("blur", () => setTimeout(closePopup, 150));
    popup.addEventListener("mousedown", (ev) => {
      const li = ev.target.closest("li");
      if (li) { ev.preventDefault(); accept(Number(li.dataset.i)); }
    });
    area.addEventListener("keydown", (ev) => {
      if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) {
        ev.preventDefault();
        closePopup();
        options.onRun();
        return;
      }
      if (!popup.hidden) {
        if (ev.key === "ArrowDown") { ev.preventDefault(); move(1); return; }
        if (ev.key === "ArrowUp") { ev.preventDefault(); move(-1); return; }
        if (ev.key === "Enter" || ev.key === "Tab") { ev.preventDefault(); accept(chosen); return; }
        if (ev.key === "Escape") { closePopup(); return; }
      }
      if (ev.key === "Tab") {
        ev.preventDefault();
        area.setRangeText("  ", area.selectionStart, area.selectionEnd, "end");
        render();
      }
    });
    render();

    return {
      kind: "built-in editor",
      getValue: () => area.value,
      setValue(text) { area.value = text; errorLine = null; render(); area.scrollTop = 0; sync(); },
      focus: () => area.focus(),
      markError(line, column) {
        errorLine = line;
        render();
        const rows = area.value.split("\n");
        let offset = 0;
        for (let i = 0; i < line - 1 && i < rows.length; i += 1) offset += rows[i].length + 1;
        offset += Math.max(0, column - 1);
        area.focus();
        area.setSelectionRange(offset, Math.min(offset + 1, area.value.length));
      },
      clearError() { errorLine = null; render(); },
    };
  }

  /* YASGUI's editor (Yasqe), served by this server. Its completers that ask other hosts
   * (prefix.cc, LOV) are replaced by ones over the graph's prefixes and the ontology's terms. */
  function yasqe(host, Yasqe, options) {
    const iris = (kind) => options.terms.filter((t) => t.kind === kind).map((t) => t.iri);
    const prefixes = Object.entries(options.prefixes).map(([p, ns]) => `${p}: <${ns}>`).sort();
    const local = { persistenceId: null, bulk: true, autoShow: true };
    Yasqe.forkAutocompleter("prefixes", { ...local, name: "drugkg-prefixes", get: prefixes }, false);
    Yasqe.forkAutocompleter("class", { ...local, name: "drugkg-classes", get: iris("class") }, false);
    Yasqe.forkAutocompleter("property", { ...local, name: "drugkg-properties", get: iris("property") }, false);
    Yasqe.defaults.autocompleters = ["drugkg-prefixes", "drugkg-classes", "drugkg-properties", "variables"];
    host.classList.remove("fb-editor");
    host.innerHTML = "";
    const editor = new Yasqe(host, {
      value: options.value,
      persistenceId: null,
      showQueryButton: false,
      createShareableLink: null,
      consumeShareLink: null,
      resizeable: true,
      editorHeight: "22rem",
    });
    host.addEventListener("keydown", (ev) => {
      if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) {
        ev.preventDefault();
        ev.stopPropagation();
        options.onRun();
      }
    }, true);
    let marked = null;
    function clearError() {
      if (marked === null) return;
      editor.removeLineClass(marked, "wrap", "drugkg-error-line");
      marked = null;
    }
    editor.on("change", clearError);
    return {
      kind: `YASGUI editor ${options.version}`,
      getValue: () => editor.getValue(),
      setValue: (text) => { clearError(); editor.setValue(text); },
      focus: () => editor.focus(),
      markError(line, column) {
        clearError();
        marked = editor.addLineClass(line - 1, "wrap", "drugkg-error-line");
        editor.setCursor({ line: line - 1, ch: Math.max(0, column - 1) });
        editor.scrollIntoView({ line: line - 1, ch: 0 });
        editor.focus();
      },
      clearError,
    };
  }

  window.DrugkgEditor = { builtin, yasqe, highlight, escapeHtml };
})();
