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

  A.route(/^\/events\/([^\/]+)\/devices$/, async (m, [slug], _q, current) => {
    const ev = await A.loadEvent(slug);
    if (!current()) return;
    const msgs = UI.el('div', { class: 'messages', 'aria-live': 'polite' });
    const created = UI.el('div', { class: 'pairing', 'aria-live': 'polite' });
    const list = UI.el('div');

    async function draw() {
      const r = await Confero.get('/api/v1/tokens');
      const mine = (r.tokens || []).filter((tok) => tok.role === 'checkin' && (tok.event === null || tok.event === slug));
      if (!mine.length) {
        A.put(list, UI.el('p', { class: 'empty', text: t('No check-in devices yet.') }));
        return;
      }
      A.put(list, A.table([t('Device'), t('Key starts'), t('Scope'), t('Created'), t('Last used'), t('State'), t('Actions')],
        mine.map((tok) => [tok.name, UI.el('code', { text: tok.prefix }),
          tok.event ? t('This event') : t('All your events'),
          tok.created_at ? UI.fmtDateTime(tok.created_at, ev.timezone) : '',
          tok.last_used_at ? UI.fmtDateTime(tok.last_used_at, ev.timezone) : t('Never'),
          tok.revoked ? UI.el('span', { class: 'badge status-cancelled', text: tc('device key', 'Revoked') })
            : UI.el('span', { class: 'badge status-confirmed', text: tc('device key', 'Active') }),
          tok.revoked ? '' : A.actionButton(t('Revoke'), async () => {
            await Confero.del('/api/v1/tokens/' + tok.id);
            A.flash(msgs, t('{device} revoked: it cannot check anyone in any more.', { device: tok.name }));
            await draw();
          }, { class: 'danger small', label: t('Revoke {device}', { device: tok.name }),
            confirm: t('Revoke {device}? The device stops working at once.', { device: tok.name }), errors: () => msgs })]),
      { caption: t('Check-in devices'), class: 'tokens-table' }));
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
      { name: 'name', label: t('Device name'), required: true, maxlength: 100,
        hint: t('For example \u201cMain door phone 1\u201d; shown in the list below.') },
      // TRANSLATORS: a suggested device name; {time} is like 0930.
    ], { name: t('Door {time}', { time: new Date().toISOString().slice(11, 16).replace(':', '') }) }, {
      submit: t('Create device key'),
      onSubmit: async (v) => {
        const { token, scoped } = await createToken(v.name);
        const url = pairingUrl(slug, token.token);
        const copy = UI.el('button', { type: 'button', class: 'secondary', text: t('Copy link') });
        const copied = UI.el('span', { class: 'muted', 'aria-live': 'polite' });
        copy.addEventListener('click', async () => {
          try { await navigator.clipboard.writeText(url); copied.textContent = t('Copied.'); } catch (e) { copied.textContent = t('Select the link and copy it.'); }
        });
        A.put(created,
          UI.el('h3', { text: t('Pair \u201c{device}\u201d', { device: token.name }) }),
          UI.el('p', { class: 'notice warn', text: t('This code is shown only now. Scan it with the phone\u2019s camera, or open the link on the device; anyone with it can check people in until you revoke it.') }),
          scoped ? null : UI.el('p', { class: 'notice warn', text: t('This server cannot limit device keys to one event yet: this key can check in at every event you manage.') }),
          UI.el('div', { class: 'pair-grid' },
            qrImage(url, t('QR code that pairs a phone as check-in device \u201c{device}\u201d', { device: token.name })),
            UI.el('div', {},
              UI.el('p', { class: 'label', text: t('Pairing link') }),
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
      A.eventHeader(ev, 'devices', t('Check-in devices: {event}', { event: ev.name })),
      msgs,
      A.section('pair-a-device', t('Pair a device'),
        UI.el('p', { text: t('A device key lets a phone or laptop at the door check people in without a staff login. It can only check in and look attendees up.') }),
        f.form, created),
      A.section('devices', t('Devices'), list));
  });
})();
