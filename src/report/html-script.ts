// The report's only script: filters kept in the URL hash, deep links to a cell
// (#cell=<id>). It reads the embedded JSON, never guest text from the DOM as HTML,
// and never writes HTML: only attributes, `hidden` and textContent.
// Static text, so the CSP can allow it by hash (see html.ts).

export const REPORT_SCRIPT = `(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('pm-data').textContent);
  var KEYS = ['status', 'arch', 'kernel', 'config', 'test'];
  var byId = {};
  data.cells.forEach(function (c) { byId[c.id] = c; });
  var details = Array.prototype.slice.call(document.querySelectorAll('details.cell'));
  var gridCells = Array.prototype.slice.call(document.querySelectorAll('td[data-id]'));
  var rows = Array.prototype.slice.call(document.querySelectorAll('tr[data-row]'));
  var lastCell = null;

  function enc(v) { return encodeURIComponent(v).replace(/%2F/g, '/').replace(/%2C/g, ','); }

  function readHash() {
    var params = new URLSearchParams(location.hash.slice(1));
    var filters = {};
    KEYS.forEach(function (k) {
      var v = params.get(k);
      filters[k] = v ? v.split(',').filter(Boolean) : [];
    });
    return { filters: filters, cell: params.get('cell') };
  }

  function writeHash(state) {
    var parts = [];
    KEYS.forEach(function (k) { if (state.filters[k].length) parts.push(k + '=' + enc(state.filters[k].join(','))); });
    if (state.cell) parts.push('cell=' + enc(state.cell));
    var url = location.pathname + location.search + (parts.length ? '#' + parts.join('&') : '');
    history.replaceState(null, '', url);
    apply();
  }

  function facets(c) {
    return { status: c.status, arch: c.arch, kernel: c.kernel.name, config: c.config, test: (c.tests || []).map(function (t) { return t.name; }) };
  }

  function matches(filters, c) {
    var f = facets(c);
    return KEYS.every(function (k) {
      if (!filters[k].length) return true;
      // A cell answers to every test it ran.
      var values = Array.isArray(f[k]) ? f[k] : [f[k]];
      return values.some(function (v) { return filters[k].indexOf(v) >= 0; });
    });
  }

  function apply() {
    var shownTests = readHash().filters.test;
    // Filtering by test also narrows each cell to that test's section.
    document.querySelectorAll('details.test').forEach(function (el) {
      el.hidden = shownTests.length > 0 && shownTests.indexOf(el.getAttribute('data-test')) < 0;
    });
    var state = readHash();
    var shown = 0;
    details.forEach(function (el) {
      var c = byId[el.getAttribute('data-id')];
      // A deep-linked cell stays visible even when the filters would hide it.
      var visible = matches(state.filters, c) || c.id === state.cell;
      el.hidden = !visible;
      if (visible) shown++;
      el.classList.toggle('target', c.id === state.cell);
    });
    gridCells.forEach(function (td) {
      var c = byId[td.getAttribute('data-id')];
      td.classList.toggle('dim', !matches(state.filters, c));
      td.classList.toggle('target', c.id === state.cell);
    });
    rows.forEach(function (tr) {
      tr.hidden = !tr.querySelector('td[data-id]:not(.dim)') && !tr.querySelector('td.target');
    });
    document.querySelectorAll('[data-filter-status]').forEach(function (b) {
      b.setAttribute('aria-pressed', String(state.filters.status.indexOf(b.getAttribute('data-filter-status')) >= 0));
    });
    document.querySelectorAll('select[data-filter]').forEach(function (s) {
      s.value = state.filters[s.getAttribute('data-filter')][0] || '';
    });
    var active = KEYS.some(function (k) { return state.filters[k].length; });
    document.getElementById('pm-shown').textContent = active ? shown + ' of ' + data.cells.length + ' cells shown' : 'all ' + data.cells.length + ' cells shown';
    document.getElementById('pm-clear').hidden = !active;
    if (state.cell !== lastCell) {
      lastCell = state.cell;
      var target = details.filter(function (el) { return el.getAttribute('data-id') === state.cell; })[0];
      if (target) {
        target.open = true;
        target.scrollIntoView({ block: 'start' });
      }
    }
  }

  document.querySelectorAll('[data-filter-status]').forEach(function (b) {
    b.addEventListener('click', function () {
      var state = readHash();
      var s = b.getAttribute('data-filter-status');
      var i = state.filters.status.indexOf(s);
      if (i >= 0) state.filters.status.splice(i, 1); else state.filters.status.push(s);
      writeHash(state);
    });
  });
  document.querySelectorAll('select[data-filter]').forEach(function (sel) {
    sel.addEventListener('change', function () {
      var state = readHash();
      state.filters[sel.getAttribute('data-filter')] = sel.value ? [sel.value] : [];
      writeHash(state);
    });
  });
  document.getElementById('pm-clear').addEventListener('click', function () {
    writeHash({ filters: { status: [], arch: [], kernel: [], config: [], test: [] }, cell: null });
  });
  // Grid links keep the filters: only the cell part of the hash changes.
  document.querySelectorAll('a[data-cell-link]').forEach(function (a) {
    a.addEventListener('click', function (event) {
      event.preventDefault();
      var state = readHash();
      state.cell = a.getAttribute('data-cell-link');
      lastCell = null;
      writeHash(state);
    });
  });
  // Opening a cell by hand makes the address a link to it, without scrolling.
  details.forEach(function (el) {
    el.addEventListener('toggle', function () {
      var state = readHash();
      var id = el.getAttribute('data-id');
      if (el.open && state.cell !== id) { state.cell = id; lastCell = id; writeHash(state); }
      else if (!el.open && state.cell === id) { state.cell = null; lastCell = null; writeHash(state); }
    });
  });
  window.addEventListener('hashchange', apply);
  document.documentElement.classList.add('js');
  apply();
})();
`;
