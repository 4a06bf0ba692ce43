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

// The entry editor: as people type in a paragraph field, the open plain-English checker
// (POST /api/v1/text/check) reads it and the advice under the field is brought up to date.
// Without JavaScript the same advice appears after saving.
const BANDS = { target: 'plain English', good: 'good', hard: 'hard to read', 'very-hard': 'very hard to read' }

// As the pages show it (charter-web pages::reading_age): past 25 the number means little.
const readingAge = (years) => (years > 25 ? 'over 25' : String(years))

function showReading (box, analysis) {
  box.replaceChildren()
  const p = document.createElement('p')
  p.className = 'govuk-body-s govuk-!-margin-bottom-1'
  const strong = document.createElement('strong')
  if (analysis.reading_age) {
    const years = analysis.reading_age.years
    strong.textContent = `Reading age ${readingAge(years)}`
    p.append(strong, `: ${BANDS[analysis.band] || analysis.band}${analysis.indicative ? ' (a rough guide: fewer than 100 words)' : ''}.`)
  } else if (analysis.too_short) {
    const words = analysis.counts.words
    strong.textContent = 'Too short for a reading age'
    p.append(strong, `: ${words} ${words === 1 ? 'word' : 'words'}. Say more: we need 20 words or more.`)
  } else {
    return
  }
  box.append(p)
  if (analysis.band && analysis.band !== 'target' && analysis.suggestions.length > 0) {
    const list = document.createElement('ul')
    list.className = 'govuk-list govuk-list--bullet govuk-body-s'
    for (const s of analysis.suggestions) {
      const li = document.createElement('li')
      li.textContent = s
      list.append(li)
    }
    box.append(list)
  }
  if (analysis.findings.length > 0) {
    const list = document.createElement('ul')
    list.className = 'govuk-list govuk-list--bullet govuk-body-s'
    for (const f of analysis.findings) {
      const li = document.createElement('li')
      li.textContent = `${f.message}: “${f.text}”. ${f.suggestion}`
      list.append(li)
    }
    box.append(list)
  }
}

for (const field of document.querySelectorAll('textarea[data-plain-english]')) {
  const box = document.getElementById(field.dataset.plainEnglish)
  if (!box) continue
  let timer
  field.addEventListener('input', () => {
    clearTimeout(timer)
    timer = setTimeout(async () => {
      try {
        const reply = await fetch('/api/v1/text/check', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ text: field.value })
        })
        if (reply.ok) showReading(box, await reply.json())
      } catch {
        // The advice after saving still works; nothing to tell the writer here.
      }
    }, 500)
  })
}
