// hawser statistics page: what the script adds. The page is complete
// without it (plain HTML, reloaded by the Refresh header); with it, the
// tables refresh in place, sort on a click and filter as you type.
(function () {
  'use strict';
  var doc = document, body = doc.body;
  body.classList.add('js');
  var period = parseInt(body.getAttribute('data-refresh'), 10) || 0;
  var store = window.sessionStorage;
  var sortState = {};
  try { sortState = JSON.parse(store.getItem('hawser-sort') || '{}') || {}; } catch (e) { sortState = {}; }
  // Keep only well-formed entries: a column is "name", "status" or a number.
  Object.keys(sortState).forEach(function (k) {
    var st = sortState[k];
    if (!st || !/^(name|status|\d+)$/.test(String(st.col)) || (st.dir !== 1 && st.dir !== -1)) { delete sortState[k]; }
  });
  var filterText = store.getItem('hawser-filter') || '';

  // The value a cell sorts by: data-v (numbers, state), else its text.
  function key(tr, col) {
    if (col === 'name') { return tr.getAttribute('data-name'); }
    var td = col === 'status' ? tr.querySelector('td.status') : tr.querySelectorAll('td.n')[+col];
    if (!td) { return ''; }
    var v = td.getAttribute('data-v');
    return v === null ? td.textContent.trim() : v;
  }

  function cmp(a, b) {
    var x = parseFloat(a), y = parseFloat(b);
    var xn = !isNaN(x), yn = !isNaN(y);
    if (xn && yn) { return x - y; }
    if (xn !== yn) { return xn ? 1 : -1; } // empty cells first
    return String(a).localeCompare(String(b), undefined, { numeric: true });
  }

  function applySort(sec) {
    var st = sortState[sec.getAttribute('data-proxy')];
    var ths = sec.querySelectorAll('th[data-col]');
    for (var i = 0; i < ths.length; i++) { ths[i].classList.remove('asc', 'desc'); }
    var tb = sec.querySelector('tbody.srv');
    if (!st || !tb) { return; }
    var th = sec.querySelector('th[data-col="' + st.col + '"]');
    if (th) { th.classList.add(st.dir > 0 ? 'asc' : 'desc'); }
    var rows = Array.prototype.slice.call(tb.rows);
    rows.sort(function (a, b) { return st.dir * cmp(key(a, st.col), key(b, st.col)); });
    rows.forEach(function (r) { tb.appendChild(r); });
  }

  function applyFilter() {
    var q = filterText.toLowerCase();
    var secs = doc.querySelectorAll('section.proxy');
    for (var i = 0; i < secs.length; i++) {
      var sec = secs[i];
      var pxMatch = sec.getAttribute('data-proxy').toLowerCase().indexOf(q) >= 0;
      var any = false;
      var rows = sec.querySelectorAll('tbody.srv tr');
      for (var j = 0; j < rows.length; j++) {
        var m = !q || pxMatch || rows[j].getAttribute('data-name').toLowerCase().indexOf(q) >= 0;
        rows[j].classList.toggle('hide', !m);
        any = any || m;
      }
      sec.classList.toggle('hide', !!q && !pxMatch && !any);
    }
  }

  function enhance() {
    var secs = doc.querySelectorAll('section.proxy');
    for (var i = 0; i < secs.length; i++) { applySort(secs[i]); }
    applyFilter();
  }

  // Sorting: a first click sorts numbers biggest first and names A to Z,
  // a second click reverses, a third goes back to the configuration order.
  doc.addEventListener('click', function (e) {
    var th = e.target.closest && e.target.closest('th[data-col]');
    if (!th) { return; }
    var sec = th.closest('section.proxy');
    var px = sec.getAttribute('data-proxy'), col = th.getAttribute('data-col');
    var first = (col === 'name' || col === 'status') ? 1 : -1;
    var st = sortState[px];
    if (!st || st.col !== col) { sortState[px] = { col: col, dir: first }; }
    else if (st.dir === first) { st.dir = -first; }
    else { delete sortState[px]; }
    store.setItem('hawser-sort', JSON.stringify(sortState));
    if (!sortState[px]) {
      // Back to the configuration order: the next refresh brings it, or
      // reload the tables now.
      refreshNow();
      return;
    }
    applySort(sec);
  });

  // "Select every server" in the admin form.
  doc.addEventListener('change', function (e) {
    if (!e.target.matches || !e.target.matches('input.all')) { return; }
    var boxes = e.target.closest('table').querySelectorAll('td.sel input[type=checkbox]');
    for (var i = 0; i < boxes.length; i++) {
      if (!boxes[i].closest('tr').classList.contains('hide')) { boxes[i].checked = e.target.checked; }
    }
  });

  var tools = doc.getElementById('tools');
  var filter = doc.getElementById('filter');
  tools.hidden = false;
  filter.value = filterText;
  filter.addEventListener('input', function () {
    filterText = filter.value;
    store.setItem('hawser-filter', filterText);
    applyFilter();
  });

  // The result of an admin action (;st=) is shown once: later refreshes and
  // reloads use the address without it.
  var address = location.href.replace(/;st=[A-Za-z]*/, '');
  if (address !== location.href && history.replaceState) { history.replaceState(null, '', address); }

  var live = doc.getElementById('livebox');
  var timer = 0, paused = false, loading = false;

  function setLive(ok) {
    if (!period) { return; }
    live.innerHTML = '';
    var s = doc.createElement('span');
    s.className = ok ? 'live' : 'live lost';
    s.textContent = ok ? (paused ? 'Paused' : 'Live, every ' + period + 's') : 'Connection lost, retrying';
    var b = doc.createElement('button');
    b.type = 'button';
    b.textContent = paused ? 'Resume' : 'Pause';
    b.addEventListener('click', function () { paused = !paused; setLive(true); if (!paused) { refreshNow(); } });
    live.appendChild(s);
    live.appendChild(doc.createTextNode(' '));
    live.appendChild(b);
  }

  // Someone choosing servers or an action must not lose the choice.
  function busy() {
    var a = doc.activeElement;
    return doc.hidden || paused || !!doc.querySelector('td.sel input:checked, th.sel input:checked') ||
      (a && a.tagName === 'SELECT');
  }

  function schedule() {
    clearTimeout(timer);
    if (period) { timer = setTimeout(tick, period * 1000); }
  }

  function tick() {
    if (busy()) { schedule(); return; }
    refreshNow();
  }

  function refreshNow() {
    if (loading) { return; }
    loading = true;
    fetch(address, { credentials: 'same-origin', cache: 'no-store' })
      .then(function (r) { if (!r.ok) { throw new Error('HTTP ' + r.status); } return r.text(); })
      .then(function (html) {
        var d = new DOMParser().parseFromString(html, 'text/html');
        ['meta', 'summary', 'content'].forEach(function (id) {
          var n = d.getElementById(id), o = doc.getElementById(id);
          if (n && o) { o.replaceWith(doc.importNode(n, true)); }
        });
        enhance();
        setLive(true);
      })
      .catch(function () { setLive(false); })
      .then(function () { loading = false; schedule(); });
  }

  if (period) {
    // The Refresh header (and the meta tag) reload the whole page for
    // browsers without scripts; this one refreshes in place instead.
    // window.stop() cancels the pending reload once the page has loaded.
    var takeOver = function () { window.stop(); setLive(true); schedule(); };
    if (doc.readyState === 'complete') { takeOver(); } else { window.addEventListener('load', takeOver); }
  }
  enhance();
})();
