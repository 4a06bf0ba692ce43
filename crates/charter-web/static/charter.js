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

// Search suggestions: each search box marked `data-suggest` becomes an ARIA combobox (list
// autocomplete, manual selection: https://www.w3.org/WAI/ARIA/apg/patterns/combobox/) fed by
// GET /api/v1/suggestions. Up and down move through the list, Enter searches for the one chosen,
// Escape closes it. Without JavaScript the box is a plain search field and the form works as
// before.
function enhanceSearch (input) {
  const form = input.form
  if (!form || !input.id) return
  const listId = `${input.id}-suggestions`
  const list = document.createElement('ul')
  list.id = listId
  list.className = 'charter-suggestions'
  list.setAttribute('role', 'listbox')
  list.setAttribute('aria-label', 'Suggestions')
  list.hidden = true
  const status = document.createElement('div')
  status.className = 'govuk-visually-hidden'
  status.setAttribute('role', 'status')
  input.parentElement.classList.add('charter-combobox')
  input.after(list)
  list.after(status)
  input.setAttribute('role', 'combobox')
  input.setAttribute('aria-autocomplete', 'list')
  input.setAttribute('aria-expanded', 'false')
  input.setAttribute('aria-controls', listId)

  let items = []
  let active = -1
  let timer
  let asked = 0

  const close = () => {
    list.hidden = true
    input.setAttribute('aria-expanded', 'false')
    input.removeAttribute('aria-activedescendant')
    active = -1
  }
  const open = () => {
    if (items.length === 0) return
    list.style.left = `${input.offsetLeft}px`
    list.style.top = `${input.offsetTop + input.offsetHeight}px`
    list.style.width = `${input.offsetWidth}px`
    list.hidden = false
    input.setAttribute('aria-expanded', 'true')
  }
  const mark = (i) => {
    active = i
    list.querySelectorAll('[role=option]').forEach((li, n) => {
      const on = n === i
      li.setAttribute('aria-selected', on ? 'true' : 'false')
      li.classList.toggle('charter-suggestions__option--active', on)
      if (on) {
        input.setAttribute('aria-activedescendant', li.id)
        li.scrollIntoView({ block: 'nearest' })
      }
    })
    if (i < 0) input.removeAttribute('aria-activedescendant')
  }
  const choose = (i) => {
    input.value = items[i].text
    close()
    if (form.requestSubmit) form.requestSubmit()
    else form.submit()
  }
  const show = (suggestions) => {
    items = suggestions
    list.replaceChildren()
    suggestions.forEach((s, i) => {
      const li = document.createElement('li')
      li.id = `${listId}-${i}`
      li.className = 'charter-suggestions__option'
      li.setAttribute('role', 'option')
      li.setAttribute('aria-selected', 'false')
      li.textContent = s.text
      const count = document.createElement('span')
      count.className = 'charter-suggestions__count'
      count.textContent = ` (${s.matches} ${s.matches === 1 ? 'project' : 'projects'})`
      li.append(count)
      // Keep the focus in the box when an option is clicked.
      li.addEventListener('mousedown', (e) => e.preventDefault())
      li.addEventListener('click', () => choose(i))
      list.append(li)
    })
    active = -1
    if (suggestions.length > 0) {
      open()
      status.textContent = `${suggestions.length} ${suggestions.length === 1 ? 'suggestion' : 'suggestions'}. Use the up and down keys to choose.`
    } else {
      close()
      status.textContent = ''
    }
  }

  input.addEventListener('input', () => {
    clearTimeout(timer)
    const text = input.value.trim()
    if (text.length < 2) {
      items = []
      close()
      return
    }
    timer = setTimeout(async () => {
      const mine = ++asked
      try {
        const reply = await fetch(`/api/v1/suggestions?q=${encodeURIComponent(text)}`)
        if (!reply.ok || mine !== asked) return
        const body = await reply.json()
        if (mine === asked && document.activeElement === input) show(body.suggestions)
      } catch {
        // Searching still works without suggestions.
      }
    }, 150)
  })
  input.addEventListener('keydown', (e) => {
    const shown = !list.hidden
    if (e.key === 'ArrowDown') {
      if (items.length === 0) return
      e.preventDefault()
      if (!shown) open()
      mark(active + 1 >= items.length ? 0 : active + 1)
    } else if (e.key === 'ArrowUp') {
      if (items.length === 0) return
      e.preventDefault()
      if (!shown) open()
      mark(active <= 0 ? items.length - 1 : active - 1)
    } else if (e.key === 'Enter') {
      if (shown && active >= 0) {
        e.preventDefault()
        choose(active)
      }
    } else if (e.key === 'Escape') {
      if (shown) {
        e.preventDefault()
        close()
      }
    } else if (e.key === 'Tab') {
      close()
    }
  })
  input.addEventListener('blur', close)
}

for (const input of document.querySelectorAll('input[data-suggest]')) enhanceSearch(input)
