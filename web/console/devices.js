// Check-in devices: an API token with the checkin role, shown once as a
// QR code of the pairing URL (/scan/#event=<slug>&token=<secret>) that a
// phone at the door opens; the list of tokens, with revoke.
'use strict';

(() => {
  const A = ConsoleApp;

  function pairingUrl(slug, secret) {
    return `${location.origin}/scan/#event=${encodeURIComponent(slug)}&token=${encodeURIComponent(secret)}`;
  }

  function qrImage(text, label) {
    const qr = qrcode(0, 'M');
    qr.addData(text);
    qr.make();
    // A GIF data URL (img-src allows data:), so no markup is injected.
    return UI.el('img', { class: 'pair-qr', src: qr.createDataURL(6, 4), alt: label,
      width: String((qr.getModuleCount() + 8) * 6), height: String((qr.getModuleCount() + 8) * 6) });
  }

  A.route(/^\/events\/([^/]+)\/devices$/, async (m, [slug], _q, current) => {
    const ev = await A.loadEvent(slug);
    if (!current()) return;
    const msgs = UI.el('div', { class: 'messages', 'aria-live': 'polite' });
    const created = UI.el('div', { class: 'pairing', 'aria-live': 'polite' });
    const list = UI.el('div');

    async function draw() {
      const r = await Confero.get('/api/v1/tokens');
      const mine = (r.tokens || []).filter((t) => t.role === 'checkin' && (t.event === null || t.event === slug));
      if (!mine.length) {
        A.put(list, UI.el('p', { class: 'empty', text: 'No check-in devices yet.' }));
        return;
      }
      A.put(list, A.table(['Device', 'Key starts', 'Scope', 'Created', 'Last used', 'State', 'Actions'],
        mine.map((t) => [t.name, UI.el('code', { text: t.prefix }),
          t.event ? 'This event' : 'All your events',
          t.created_at ? UI.fmtDateTime(t.created_at, ev.timezone) : '',
          t.last_used_at ? UI.fmtDateTime(t.last_used_at, ev.timezone) : 'Never',
          t.revoked ? UI.el('span', { class: 'badge status-cancelled', text: 'Revoked' }) : UI.el('span', { class: 'badge status-confirmed', text: 'Active' }),
          t.revoked ? '' : A.actionButton('Revoke', async () => {
            await Confero.del('/api/v1/tokens/' + t.id);
            A.flash(msgs, `${t.name} revoked: it cannot check anyone in any more.`);
            await draw();
          }, { class: 'danger small', label: 'Revoke ' + t.name,
            confirm: `Revoke ${t.name}? The device stops working at once.`, errors: () => msgs })]),
      { caption: 'Check-in devices', class: 'tokens-table' }));
    }

    async function createToken(name) {
      try {
        return { token: await Confero.post('/api/v1/tokens', { name, role: 'checkin', event: slug }), scoped: true };
      } catch (e) {
        // A server that cannot scope tokens to one event yet: fall back to
        // a check-in token for the creator's events, and say so.
        if (e.status === 422 && e.fields && e.fields.event) {
          return { token: await Confero.post('/api/v1/tokens', { name, role: 'checkin', event: null }), scoped: false };
        }
        throw e;
      }
    }

    const f = Forms.build([
      { name: 'name', label: 'Device name', required: true, maxlength: 100,
        hint: 'For example \u201cMain door phone 1\u201d; shown in the list below.' },
    ], { name: 'Door ' + new Date().toISOString().slice(11, 16).replace(':', '') }, {
      submit: 'Create device key',
      onSubmit: async (v) => {
        const { token, scoped } = await createToken(v.name);
        const url = pairingUrl(slug, token.token);
        const copy = UI.el('button', { type: 'button', class: 'secondary', text: 'Copy link' });
        const copied = UI.el('span', { class: 'muted', 'aria-live': 'polite' });
        copy.addEventListener('click', async () => {
          try { await navigator.clipboard.writeText(url); copied.textContent = 'Copied.'; } catch (e) { copied.textContent = 'Select the link and copy it.'; }
        });
        A.put(created,
          UI.el('h3', { text: 'Pair \u201c' + token.name + '\u201d' }),
          UI.el('p', { class: 'notice warn', text: 'This code is shown only now. Scan it with the phone\u2019s camera, or open the link on the device; anyone with it can check people in until you revoke it.' }),
          scoped ? null : UI.el('p', { class: 'notice warn', text: 'This server cannot limit device keys to one event yet: this key can check in at every event you manage.' }),
          UI.el('div', { class: 'pair-grid' },
            qrImage(url, 'QR code that pairs a phone as check-in device \u201c' + token.name + '\u201d'),
            UI.el('div', {},
              UI.el('p', { class: 'label', text: 'Pairing link' }),
              UI.el('p', {}, UI.el('code', { class: 'pair-url', text: url })),
              UI.el('div', { class: 'actions' }, copy, copied))));
        f.control('name').set('');
        await draw();
      },
    });
    f.form.id = 'device-form';

    await draw();
    if (!current()) return;
    A.put(m,
      A.eventHeader(ev, 'devices', 'Check-in devices: ' + ev.name),
      msgs,
      A.section('Pair a device',
        UI.el('p', { text: 'A device key lets a phone or laptop at the door check people in without a staff login. It can only check in and look attendees up.' }),
        f.form, created),
      A.section('Devices', list));
  });
})();
