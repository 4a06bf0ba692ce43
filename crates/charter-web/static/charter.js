// Charter: progressive enhancement entry point. Load with
//   <script type="module" src="/static/charter.js"></script>
// at the end of <body>.
//
// GOV.UK Frontend's page template adds `js-enabled` and `govuk-frontend-supported` to <body> with an
// inline <script>. Our Content-Security-Policy forbids inline scripts (no 'unsafe-inline'),
// so we do it here instead. A module script only runs in browsers that support ES modules, which is
// exactly GOV.UK Frontend's test for `govuk-frontend-supported` ('noModule' in HTMLScriptElement), so
// both classes can be added unconditionally. initAll() does nothing unless `govuk-frontend-supported`
// is on <body>, so the classes must be set before it is called.
//
// Every page must work without this file: it only enhances (error summary focus, service navigation
// menu toggle on mobile, checkbox conditional reveals, notification banner focus, skip link, ...).

import { initAll } from './govuk-frontend.min.js'

document.body.classList.add('js-enabled', 'govuk-frontend-supported')

initAll()
