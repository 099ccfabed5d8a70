// Forms for the console, built from a small field list: every control has
// a visible label, hints and errors are tied to it with aria-describedby,
// and the server's 422 field codes land next to the field they name.
//
//   const f = Forms.build([{ name: 'title', label: 'Title', required: true }, ...],
//                         values, { tz: () => 'Europe/Ljubljana', submit: 'Save', onSubmit });
//   f.form           the <form> element
//   f.read()         { values, errors } (errors: client-side, by field)
//   f.showErrors(e)  an ApiError or { field: code }
//
// Field types: text (default), email, password, number, url, textarea,
// select, checkbox, datetime (datetime-local in the event's zone -> RFC
// 3339 with the right offset), money (decimal -> cents), lines (one per
// line -> array), multi (checkbox list -> array of values), sessions
// ("all" or a list of session ids).
'use strict';

const Forms = (() => {
  let seq = 0;

  // The field error codes (the server's and the page's own) in words; a
  // function, as the catalog is loaded after this script runs.
  function messages() {
    return {
      required: t('Required.'),
      invalid: t('Not valid.'),
      invalid_datetime: t('Not a valid date and time.'),
      nonexistent_time: t('This time does not exist in the event\u2019s time zone (the clocks skip it).'),
      before_start: t('Must be after the start.'),
      before_opening: t('Must be after registration opens.'),
      outside_event: t('Must be within a day of the event\u2019s dates.'),
      unknown_timezone: t('Unknown time zone.'),
      below_registrations: t('Lower than the seats already taken.'),
      below_sold: t('Lower than the tickets already sold.'),
      below_signups: t('Lower than the sign-ups so far.'),
      too_long: t('Too long.'),
      too_short: t('Too short.'),
      not_found: t('Not found.'),
      immutable: t('Cannot be changed.'),
      slug_taken: t('This address is taken; choose another.'),
      unknown_placeholder: t('Unknown placeholder.'),
      unknown_speaker: t('Unknown speaker.'),
      unknown_session: t('Unknown session.'),
      not_a_number: t('Enter a number.'),
      out_of_range: t('Out of range.'),
      invalid_money: t('Enter an amount such as 25 or 25.50.'),
      invalid_email: t('Not a valid email address.'),
      duplicate_option: t('Each option must be different.'),
      invalid_option: t('An option is empty or too long.'),
      session_full: t('A chosen session is full.'),
      not_included: t('A chosen session is not included in the ticket type.'),
      not_an_option: t('Not one of the options.'),
      unknown_country: t('Unknown country code.'),
      no_such_active_user: t('No such active user.'),
      already_registered_for_this_event: t('Already registered for this event.'),
      invalid_characters: t('Contains characters that are not allowed.'),
      not_an_integer: t('Enter a whole number.'),
      unsupported: t('Not supported.'),
      taken: t('Already taken.'),
    };
  }

  function message(code) {
    if (typeof code !== 'string') return t('Not valid.');
    // A code this page does not know yet: readable, though not translated.
    return messages()[code] || (code.charAt(0).toUpperCase() + code.slice(1).replace(/_/g, ' ') + '.');
  }

  function build(spec, values = {}, opts = {}) {
    const id = 'f' + (++seq);
    const controls = new Map();
    const form = UI.el('form', { novalidate: true, class: opts.class || 'console-form' });
    const summary = UI.el('div', { class: 'form-summary', role: 'alert' });
    form.append(summary);

    for (const f of spec) {
      const wrap = field(f, values[f.name], id);
      controls.set(f.name, wrap);
      form.append(wrap.root);
    }

    const actions = UI.el('div', { class: 'actions' });
    const submit = UI.el('button', { type: 'submit', text: opts.submit || t('Save') });
    actions.append(submit);
    for (const b of opts.buttons || []) if (b) actions.append(b);
    form.append(actions);

    function read() {
      const out = {};
      const errors = {};
      for (const f of spec) {
        if (f.readonly) continue;
        const c = controls.get(f.name);
        if (c.hidden()) continue;
        const r = c.read(typeof opts.tz === 'function' ? opts.tz() : opts.tz);
        if (r.error) errors[f.name] = r.error;
        else if (r.value !== undefined) out[f.name] = r.value;
        if (f.required && !r.error && (r.value === null || r.value === '' ||
            (Array.isArray(r.value) && f.type !== 'multi' && r.value.length === 0))) {
          errors[f.name] = 'required';
        }
      }
      return { values: out, errors };
    }

    function clearErrors() {
      UI.clear(summary);
      summary.className = 'form-summary';
      for (const c of controls.values()) c.setError(null);
    }

    // e: ApiError, or { field: code }
    function showErrors(e, fallback) {
      clearErrors();
      let fields = e;
      let msg = null;
      if (e instanceof Error) {
        fields = e.fields || {};
        msg = e.message;
        if (e.code === 'slug_taken') fields = { slug: 'slug_taken' };
        if (e.code === 'rate_limited') msg = t('Too many attempts; wait a little and try again.');
      }
      let first = null;
      const unplaced = [];
      for (const [name, code] of Object.entries(fields || {})) {
        const c = controls.get(name);
        let text = message(code);
        if (code === 'unknown_placeholder' && msg) text = msg;
        if (code === 'invalid' && c && c.type === 'email') text = t('Not a valid email address.');
        if (c && !c.hidden()) {
          c.setError(text);
          if (!first) first = c;
        } else if (name !== 'full_session_id') {
          // TRANSLATORS: a field's error shown above the form: the field's name (the API's), then the message.
          unplaced.push(t('{field}: {message}', { field: name, message: text }));
        }
      }
      summary.className = 'form-summary notice bad';
      const head = first ? t('Please correct the marked fields.') : (msg || fallback || t('Could not save.'));
      summary.append(UI.el('p', { text: head }));
      for (const u of unplaced) summary.append(UI.el('p', { text: u }));
      if (first) first.focus();
      else { summary.setAttribute('tabindex', '-1'); summary.focus(); }
    }

    function notice(text, kind = 'ok') {
      clearErrors();
      summary.className = 'form-summary notice ' + kind;
      summary.append(UI.el('p', { text }));
    }

    function busy(on) {
      submit.disabled = !!on;
      form.setAttribute('aria-busy', on ? 'true' : 'false');
    }

    if (opts.onSubmit) {
      form.addEventListener('submit', async (ev) => {
        ev.preventDefault();
        clearErrors();
        const r = read();
        if (Object.keys(r.errors).length) { showErrors(r.errors); return; }
        busy(true);
        try {
          await opts.onSubmit(r.values, api);
        } catch (err) {
          if (err instanceof Confero.ApiError && err.status === 401) { ConsoleApp.signedOut(); return; }
          showErrors(err instanceof Error ? err : new Error(String(err)));
        } finally {
          busy(false);
        }
      });
    }

    const api = {
      form, read, showErrors, clearErrors, notice, busy, submit,
      control: (name) => controls.get(name),
      set: (name, v) => controls.get(name).set(v),
    };
    return api;
  }

  function field(f, value, formId) {
    const fid = `${formId}-${f.name.replace(/[^A-Za-z0-9_-]/g, '_')}`;
    const errId = fid + '-err';
    const hintId = fid + '-hint';
    const root = UI.el('div', { class: 'field' + (f.type === 'checkbox' ? ' check-field' : '') + (f.class ? ' ' + f.class : '') });
    const err = UI.el('p', { class: 'field-error', id: errId, hidden: true });
    const hint = f.hint ? UI.el('p', { class: 'hint', id: hintId, text: f.hint }) : null;
    const describedBy = [hint ? hintId : null, errId].filter(Boolean).join(' ');
    let input;
    let read;
    let set;
    let focusEl;
    const type = f.type || 'text';

    if (type === 'checkbox') {
      input = UI.el('input', { type: 'checkbox', id: fid, name: f.name, 'aria-describedby': describedBy });
      const label = UI.el('label', { for: fid, text: f.label });
      root.append(UI.el('div', { class: 'check' }, input, label));
      set = (v) => { input.checked = !!v; };
      read = () => ({ value: input.checked });
      focusEl = input;
    } else if (type === 'multi' || type === 'sessions') {
      // A fieldset of checkboxes (and for sessions an "all" switch).
      const fs = UI.el('fieldset', { 'aria-describedby': describedBy, id: fid });
      fs.append(UI.el('legend', { text: f.label }));
      let allBox = null;
      if (type === 'sessions') {
        allBox = UI.el('input', { type: 'checkbox', id: fid + '-all' });
        fs.append(UI.el('div', { class: 'check' }, allBox,
          UI.el('label', { for: fid + '-all', text: f.allLabel || t('All sessions') })));
      }
      const list = UI.el('div', { class: 'multi-list' });
      const boxes = [];
      for (const [val, lab] of f.options || []) {
        const b = UI.el('input', { type: 'checkbox', id: `${fid}-${val}`, value: String(val) });
        boxes.push(b);
        list.append(UI.el('div', { class: 'check' }, b, UI.el('label', { for: `${fid}-${val}`, text: lab })));
      }
      if (!boxes.length) list.append(UI.el('p', { class: 'muted', text: f.empty || t('None yet.') }));
      fs.append(list);
      root.append(fs);
      const sync = () => { if (allBox) list.hidden = allBox.checked; };
      if (allBox) allBox.addEventListener('change', sync);
      set = (v) => {
        if (allBox) allBox.checked = v === undefined || v === null || v === 'all';
        const chosen = new Set((Array.isArray(v) ? v : []).map(String));
        for (const b of boxes) b.checked = chosen.has(b.value);
        sync();
      };
      read = () => {
        if (allBox && allBox.checked) return { value: 'all' };
        const vals = boxes.filter((b) => b.checked).map((b) => (f.numeric === false ? b.value : Number(b.value)));
        return { value: vals };
      };
      focusEl = allBox || boxes[0] || fs;
      input = fs;
    } else {
      const label = UI.el('label', { for: fid, text: f.required || type === 'select' || f.optionalMark === false ? f.label
        : t('{label} (optional)', { label: f.label }) });
      root.append(label);
      if (type === 'textarea' || type === 'lines') {
        input = UI.el('textarea', { id: fid, name: f.name, rows: f.rows || 4 });
      } else if (type === 'select') {
        input = UI.el('select', { id: fid, name: f.name });
        for (const o of f.options || []) {
          const [val, lab] = Array.isArray(o) ? o : [o, o];
          input.append(UI.el('option', { value: String(val), text: lab }));
        }
      } else {
        const itype = { datetime: 'datetime-local', money: 'text' }[type] || type;
        input = UI.el('input', { type: itype, id: fid, name: f.name });
        if (type === 'money') input.setAttribute('inputmode', 'decimal');
        if (type === 'number') input.setAttribute('inputmode', 'numeric');
      }
      for (const a of ['min', 'max', 'step', 'placeholder', 'autocomplete', 'maxlength', 'list', 'pattern', 'spellcheck']) {
        if (f[a] !== undefined) input.setAttribute(a, String(f[a]));
      }
      if (f.required) input.setAttribute('aria-required', 'true');
      input.setAttribute('aria-describedby', describedBy);
      if (hint) root.append(hint);
      root.append(input);
      focusEl = input;

      set = (v) => {
        if (type === 'datetime') input.value = v ? TZ.toLocalInput(v, f.tzValue || ConsoleApp.currentTz()) : '';
        else if (type === 'money') input.value = v === null || v === undefined ? '' : (v / 100).toFixed(2);
        else if (type === 'lines') input.value = Array.isArray(v) ? v.join('\n') : '';
        else input.value = v === null || v === undefined ? '' : String(v);
      };
      read = (tz) => {
        const raw = input.value.trim();
        if (type === 'datetime') {
          if (!raw) return { value: null };
          const r = TZ.fromLocalInput(raw, tz || ConsoleApp.currentTz());
          return r.error ? { error: r.error } : { value: r.iso };
        }
        if (type === 'number') {
          if (!raw) return { value: null };
          if (!/^-?\d+$/.test(raw)) return { error: 'not_a_number' };
          return { value: Number(raw) };
        }
        if (type === 'money') {
          if (!raw) return { value: 0 };
          const m = /^(\d{1,9})(?:[.,](\d{1,2}))?$/.exec(raw);
          if (!m) return { error: 'invalid_money' };
          return { value: Number(m[1]) * 100 + Number((m[2] || '0').padEnd(2, '0')) };
        }
        if (type === 'lines') {
          return { value: input.value.split('\n').map((s) => s.trim()).filter(Boolean) };
        }
        if (type === 'textarea') return { value: input.value };
        if (type === 'select') return { value: input.value };
        if (f.emptyNull && !raw) return { value: null };
        return { value: raw };
      };
    }
    root.append(err);
    if (f.readonly && input.tagName !== 'FIELDSET') input.readOnly = true;
    set(value === undefined ? f.default : value);

    return {
      root, input, type,
      read,
      set,
      hidden: () => root.hidden,
      show: (on) => { root.hidden = !on; },
      focus: () => focusEl && focusEl.focus(),
      setError(text) {
        if (text) {
          err.textContent = text;
          err.hidden = false;
          if (input.tagName !== 'FIELDSET') input.setAttribute('aria-invalid', 'true');
          else input.classList.add('invalid');
        } else {
          err.textContent = '';
          err.hidden = true;
          input.removeAttribute('aria-invalid');
          input.classList.remove('invalid');
        }
      },
    };
  }

  return { build, message };
})();
