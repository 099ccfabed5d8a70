// The privacy notice: static paragraphs marked data-i18n, shown in the
// visitor's language (?lang, the confero_lang cookie, the browser's), with
// the language switcher in the header.
'use strict';

(async () => {
  await I18N.init();
  Pub.mountSwitcher();
})();
