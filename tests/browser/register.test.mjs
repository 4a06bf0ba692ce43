// Browser tests for the Charter register: accessibility (axe-core, WCAG 2.2 AA), no-JavaScript
// search and filters, keyboard-only use, 320 px reflow, security headers and the vendored CSS.
//
// Runs headless Debian Chromium through playwright-core (browsers cannot be downloaded here).
// Start with `npm ci && npm test` after `cargo build -p charter-cli`.
//
// Environment:
//   CHARTER_BIN    the charter binary (default ../../target/debug/charter, from this file)
//   CHROMIUM_PATH  the Chromium binary (default /usr/bin/chromium)

import { test, describe, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, spawnSync } from 'node:child_process'
import { createRequire } from 'node:module'
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'

const require = createRequire(import.meta.url)
const HERE = path.dirname(fileURLToPath(import.meta.url))
const AXE_PATH = require.resolve('axe-core/axe.min.js')
const ARTIFACTS = path.join(HERE, 'artifacts')
const CHARTER_BIN = process.env.CHARTER_BIN
  ? path.resolve(process.env.CHARTER_BIN)
  : path.resolve(HERE, '../../target/debug/charter')
const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium'
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']
const STARTUP_TIMEOUT_MS = 60_000

/** Every page type of the register, with the status it must answer with. */
const PAGES = [
  { name: 'home', path: '/', status: 200 },
  { name: 'projects', path: '/projects', status: 200 },
  { name: 'projects-search', path: '/projects?q=bus', status: 200 },
  { name: 'projects-filtered', path: '/projects?q=homes&topic=housing&ai=yes&sort=title', status: 200 },
  { name: 'projects-no-results', path: '/projects?q=zzzznothingmatches', status: 200 },
  { name: 'projects-did-you-mean', path: '/projects?q=bux', status: 200 },
  { name: 'projects-typo', path: '/projects?q=artifical+inteligence', status: 200 },
  { name: 'project-LCR-0001', path: '/projects/LCR-0001', status: 200 },
  { name: 'project-LCR-0003', path: '/projects/LCR-0003', status: 200 },
  { name: 'history', path: '/projects/LCR-0003/history', status: 200 },
  { name: 'version-first', path: '/projects/LCR-0001/versions/1', status: 200 },
  { name: 'version-changed', path: '/projects/LCR-0001/versions/2', status: 200 },
  { name: 'history-check', path: '/history-check', status: 200 },
  { name: 'not-found-version', path: '/projects/LCR-0001/versions/0', status: 404 },
  { name: 'organisations', path: '/organisations', status: 200 },
  // The organisation page's path is read from the organisations page in `before`.
  { name: 'organisation', path: null, status: 200 },
  { name: 'charter', path: '/charter', status: 200 },
  { name: 'open-data', path: '/open-data', status: 200 },
  { name: 'accessibility', path: '/accessibility', status: 200 },
  { name: 'privacy', path: '/privacy', status: 200 },
  { name: 'cookies', path: '/cookies', status: 200 },
  { name: 'compliance', path: '/compliance', status: 200 },
  { name: 'dashboard', path: '/dashboard', status: 200 },
  { name: 'dashboard-past-day', path: '/dashboard?on=2024-06-30', status: 200 },
  { name: 'dashboard-organisation', path: '/organisations/liverpool-city-council/dashboard', status: 200 },
  // A 400 page other than search names the field its error summary links to.
  { name: 'dashboard-day-not-yet-come', path: '/dashboard?on=2999-01-01', status: 400, field: 'on' },
  { name: 'plain-english', path: '/plain-english', status: 200 },
  { name: 'opt-out', path: '/opt-out', status: 200 },
  { name: 'opt-out-figures', path: '/opt-out/figures', status: 200 },
  { name: 'challenge-form', path: '/projects/LCR-0001/challenge', status: 200 },
  { name: 'question-form', path: '/projects/LCR-0001/question', status: 200 },
  { name: 'not-found-challenge-link', path: `/challenges/${'0'.repeat(64)}`, status: 404 },
  { name: 'sign-in', path: '/sign-in', status: 200 },
  { name: 'reset-password', path: '/account/reset-password', status: 200 },
  { name: 'not-found-project', path: '/projects/LCR-9999', status: 404 },
  { name: 'not-found-page', path: '/no-such-page', status: 404 },
  { name: 'bad-request', path: '/projects?page=abc', status: 400 },
]

let server // child process
let dataDir
let baseUrl
let browser

// ---------------------------------------------------------------------------------------------
// Helpers

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer()
    srv.unref()
    srv.on('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address()
      srv.close(() => resolve(port))
    })
  })
}

/** Starts `charter serve --demo` and resolves with its base URL once it says it is running. */
function startServer(port) {
  return new Promise((resolve, reject) => {
    const child = spawn(
      CHARTER_BIN,
      ['--data-dir', dataDir, 'serve', '--demo', '--addr', `127.0.0.1:${port}`],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    )
    server = child
    let stdout = ''
    let stderr = ''
    let settled = false
    const fail = (why) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      reject(new Error(`${why}\n--- charter stdout ---\n${stdout}\n--- charter stderr ---\n${stderr}`))
    }
    const timer = setTimeout(
      () => fail(`charter did not say "running at" within ${STARTUP_TIMEOUT_MS / 1000} s`),
      STARTUP_TIMEOUT_MS,
    )
    child.stdout.setEncoding('utf8')
    child.stderr.setEncoding('utf8')
    child.stdout.on('data', (chunk) => {
      stdout += chunk
      const m = stdout.match(/running at (http:\/\/\S+?)\/?(?:\s|$)/)
      if (m && !settled) {
        settled = true
        clearTimeout(timer)
        resolve(m[1].replace(/\/$/, ''))
      }
    })
    child.stderr.on('data', (chunk) => {
      stderr += chunk
    })
    child.on('error', (err) => fail(`could not start ${CHARTER_BIN}: ${err.message}`))
    child.on('exit', (code, signal) => fail(`charter exited early (code ${code}, signal ${signal})`))
  })
}

function stopServer() {
  return new Promise((resolve) => {
    if (!server || server.exitCode !== null || server.signalCode !== null) return resolve()
    const timer = setTimeout(() => server.kill('SIGKILL'), 10_000)
    server.once('exit', () => {
      clearTimeout(timer)
      resolve()
    })
    server.kill('SIGTERM')
  })
}

function url(p) {
  return baseUrl + p
}

function pageByName(name) {
  const p = PAGES.find((x) => x.name === name)
  assert.ok(p, `no page called ${name}`)
  return p
}

/** Runs axe-core (WCAG 2.2 AA) on the page and fails on any violation. */
async function axeClean(page, what) {
  await page.addScriptTag({ path: AXE_PATH })
  const results = await page.evaluate(
    (tags) => window.axe.run(document, { runOnly: { type: 'tag', values: tags } }),
    AXE_TAGS,
  )
  assert.equal(results.violations.length, 0, `axe on ${what}:\n${formatViolations(results.violations)}`)
}

/** Formats axe violations so they can be fixed from the test output alone. */
function formatViolations(violations) {
  return violations
    .map((v) => {
      const nodes = v.nodes
        .map((n) => `    - target: ${JSON.stringify(n.target)}\n      html: ${n.html}\n      ${(n.failureSummary || '').replace(/\n/g, '\n      ')}`)
        .join('\n')
      return `  * ${v.id} (${v.impact}): ${v.help}\n    ${v.helpUrl}\n${nodes}`
    })
    .join('\n')
}

/** Collects console errors, page errors and CSP violations on a page. */
function watchPage(page) {
  const log = { consoleErrors: [], pageErrors: [] }
  page.on('console', (msg) => {
    if (msg.type() === 'error') log.consoleErrors.push({ url: page.url(), text: msg.text() })
  })
  page.on('pageerror', (err) => log.pageErrors.push({ url: page.url(), text: String(err) }))
  return log
}

const CSP_WORDS = /content security policy|content-security-policy|refused to (load|execute|apply|connect|frame)|violates the following/i

/** True when the active element shows a focus indicator (outline, box shadow or, for GOV.UK
 *  checkboxes and radios, the ring on the label's ::before box). Runs in the page. */
function focusReport() {
  const el = document.activeElement
  if (!el || el === document.body || el === document.documentElement) {
    return { tag: el ? el.tagName : null, visible: false, indicator: false, describe: 'nothing focused' }
  }
  const isTransparent = (c) => c === 'transparent' || /rgba\([^)]*,\s*0\)$/.test(c)
  const hasIndicator = (s) =>
    (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0 && !isTransparent(s.outlineColor)) ||
    (s.boxShadow && s.boxShadow !== 'none')
  let indicator = hasIndicator(getComputedStyle(el))
  if (!indicator && el.matches('input[type=checkbox], input[type=radio]') && el.labels && el.labels[0]) {
    indicator = hasIndicator(getComputedStyle(el.labels[0], '::before'))
  }
  const r = el.getBoundingClientRect()
  const describe = `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''} "${(el.textContent || el.value || '').trim().slice(0, 40)}"`
  return { tag: el.tagName, visible: r.width > 0 && r.height > 0, indicator, describe }
}

/** The page's scroll width and the innermost elements that stick out past the viewport's right
 *  edge (their children do not), so a reflow failure names its cause. Runs in the page. */
function reflowReport() {
  const vw = document.documentElement.clientWidth
  const out = (el) => el.getBoundingClientRect().right > vw + 1
  const offenders = [...document.querySelectorAll('body *')]
    .filter((el) => out(el) && ![...el.children].some(out))
    .slice(0, 5)
    .map((el) => {
      const name = `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${[...el.classList].map((c) => '.' + c).join('')}`
      return `${name} (right edge ${Math.round(el.getBoundingClientRect().right)} px): "${(el.textContent || '').trim().slice(0, 60)}"`
    })
  return { scrollWidth: document.documentElement.scrollWidth, offenders }
}

async function activeId(page) {
  return page.evaluate(() => document.activeElement && document.activeElement.id)
}

// ---------------------------------------------------------------------------------------------
// Setup

before(async () => {
  assert.ok(
    existsSync(CHARTER_BIN),
    `charter binary not found at ${CHARTER_BIN}: run \`cargo build -p charter-cli\` or set CHARTER_BIN`,
  )
  assert.ok(existsSync(CHROMIUM_PATH), `Chromium not found at ${CHROMIUM_PATH}: set CHROMIUM_PATH`)
  mkdirSync(ARTIFACTS, { recursive: true })
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'charter-browser-'))
  baseUrl = await startServer(await freePort())
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS })

  // Take an organisation page from the organisations list.
  const res = await fetch(url('/organisations'))
  assert.equal(res.status, 200)
  const m = (await res.text()).match(/href="(\/organisations\/[a-z0-9-]+)"/)
  assert.ok(m, 'the organisations page links to no organisation')
  pageByName('organisation').path = m[1]
})

after(async () => {
  if (browser) await browser.close()
  await stopServer()
  if (dataDir) rmSync(dataDir, { recursive: true, force: true })
})

// ---------------------------------------------------------------------------------------------
// a. Accessibility: zero axe-core violations on every page type

describe('accessibility (axe-core, WCAG 2.2 AA)', () => {
  let context
  before(async () => {
    // addScriptTag injects axe as an inline <script>; our CSP rightly forbids that, so this
    // context alone bypasses CSP. The CSP itself is tested below without the bypass.
    context = await browser.newContext({ bypassCSP: true })
  })
  after(async () => {
    await context.close()
  })

  for (const p of PAGES) {
    test(`${p.name} has no axe violations and answers ${p.status}`, { timeout: 60_000 }, async () => {
      const page = await context.newPage()
      try {
        const response = await page.goto(url(p.path), { waitUntil: 'load' })
        await page.screenshot({ path: path.join(ARTIFACTS, `${p.name}.png`), fullPage: true })
        assert.ok(response, `no response for ${p.path}`)
        assert.equal(response.status(), p.status, `${p.path} answered ${response.status()}`)
        if (p.status === 400) {
          // The search page (or the page of `field`), with a GOV.UK error summary.
          assert.equal(await page.locator('.govuk-error-summary').count(), 1, 'no error summary on the 400 page')
          const field = p.field ?? 'q'
          assert.equal(await page.locator(`#${field}`).count(), 1, `the 400 page has no #${field} box`)
        }
        await page.addScriptTag({ path: AXE_PATH })
        const results = await page.evaluate(
          (tags) => window.axe.run(document, { runOnly: { type: 'tag', values: tags } }),
          AXE_TAGS,
        )
        assert.equal(
          results.violations.length,
          0,
          `axe found ${results.violations.length} violation(s) on ${p.path}:\n${formatViolations(results.violations)}`,
        )
      } finally {
        await page.close()
      }
    })
  }
})

// ---------------------------------------------------------------------------------------------
// Opting out: a resident opts out, sees their choices and withdraws one, with axe on every page

describe('opting out', () => {
  let context
  before(async () => {
    context = await browser.newContext({ bypassCSP: true })
  })
  after(async () => {
    await context.close()
  })


  test('opt out, see the choices, withdraw one', { timeout: 120_000 }, async () => {
    const page = await context.newPage()
    try {
      await page.goto(url('/opt-out'))
      await axeClean(page, 'the opt-out form')
      // Sending the form empty shows the error summary, linked to the fields.
      await page.getByRole('button', { name: 'Opt out' }).click()
      await page.waitForLoadState('load')
      assert.equal(await page.locator('.govuk-error-summary').count(), 1)
      await page.screenshot({ path: path.join(ARTIFACTS, 'opt-out-errors.png'), fullPage: true })
      await axeClean(page, 'the opt-out form with errors')
      await page.locator('.govuk-error-summary a[href="#nhs_number"]').click()
      assert.equal(await activeId(page), 'nhs_number', 'the error link moves focus to the field')

      await page.check('#scope')
      await page.check('#scope-ai-decisions')
      await page.check('#for')
      await page.fill('#nhs_number', '943 476 5919')
      await page.getByRole('button', { name: 'Opt out' }).click()
      await page.waitForLoadState('load')
      assert.match(page.url(), /\/opt-out\/manage\/[0-9a-f]{48}\?new=1$/)
      assert.match(await page.locator('.govuk-panel__title').innerText(), /You have opted out/)
      assert.match(await page.locator('.govuk-panel__body').innerText(), /OPT-[0-9A-F]{10}/)
      await page.screenshot({ path: path.join(ARTIFACTS, 'opt-out-receipt.png'), fullPage: true })
      await axeClean(page, 'the receipt')

      await page.check('#withdraw')
      await page.getByRole('button', { name: 'Withdraw these opt-outs' }).click()
      await page.waitForLoadState('load')
      const text = await page.locator('main').innerText()
      assert.match(text, /withdrew/)
      assert.equal(await page.locator('input[name="scope"][value="research-planning"]').count(), 1, 'research-planning can be chosen again')
      await page.screenshot({ path: path.join(ARTIFACTS, 'opt-out-after-withdrawing.png'), fullPage: true })
      await axeClean(page, 'the choices after withdrawing')
    } finally {
      await page.close()
    }
  })
})

// ---------------------------------------------------------------------------------------------
// Challenging a decision: a resident challenges one made with a project, the organisation says it
// has seen it and answers, and the resident reads the answer on their private page. Axe and the
// 320 px reflow check on every step.

describe('challenging a decision', () => {
  const contexts = []
  after(async () => {
    for (const c of contexts) await c.close()
  })

  async function checked(page, what) {
    await page.screenshot({ path: path.join(ARTIFACTS, `challenge-${what.replace(/\W+/g, '-')}.png`), fullPage: true })
    await axeClean(page, what)
    const { scrollWidth, offenders } = await page.evaluate(reflowReport)
    assert.ok(scrollWidth <= 320 + 1, `${what} is ${scrollWidth} px wide at 320 px:\n${offenders.join('\n')}`)
  }

  async function click(page, name) {
    await page.getByRole('button', { name, exact: true }).click()
    await page.waitForLoadState('load')
  }

  test('a resident challenges, the organisation answers, the resident reads it', { timeout: 180_000 }, async () => {
    const resident = await browser.newContext({ bypassCSP: true, viewport: { width: 320, height: 640 } })
    contexts.push(resident)
    const page = await resident.newPage()
    const statistics = async () => (await page.request.get(url('/api/v1/statistics/challenges?project=LCR-0001'))).json()
    const before = await statistics()
    await page.goto(url('/projects/LCR-0001'))
    await page.getByRole('link', { name: 'Challenge a decision made with this project' }).click()
    await page.waitForLoadState('load')
    await checked(page, 'the challenge form')
    await click(page, 'Send')
    assert.equal(await page.locator('.govuk-error-summary').count(), 1)
    await checked(page, 'the challenge form with errors')
    await page.locator('.govuk-error-summary a[href="#about"]').click()
    assert.equal(await activeId(page), 'about', 'the error link moves focus to the field')
    await page.fill('#about', 'My housing repair was put last')
    await page.fill('#details', 'The damp in my flat is bad. <b>It is not</b> on the list.')
    await page.fill('#wanted', 'Look at my flat again')
    await page.check('#contact_by')
    await page.fill('#email', 'resident@example.com')
    await page.check('#support-large-print')
    await click(page, 'Send')
    assert.match(page.url(), /\/challenges\/[0-9a-f]{64}\?new=1$/)
    const reference = (await page.locator('.govuk-panel__body strong').innerText()).trim()
    assert.match(reference, /^CH-\d{4}-\d{6}$/)
    assert.match(await page.locator('main').innerText(), /<b>It is not<\/b>/, 'markup shows as text')
    await checked(page, 'the private page')
    const privateLink = page.url().replace(/\?new=1$/, '')

    // The organisation, from its inbox.
    const added = spawnSync(CHARTER_BIN, ['--data-dir', dataDir, 'user', 'add', '--email', 'duty@estuary.example',
      '--role', 'organisation-editor', '--organisation', 'estuary-homes', '--base-url', baseUrl], { encoding: 'utf8' })
    assert.equal(added.status, 0, added.stderr)
    const org = await browser.newContext({ bypassCSP: true, viewport: { width: 320, height: 640 } })
    contexts.push(org)
    const staff = await org.newPage()
    await staff.goto(added.stdout.trim())
    await staff.fill('#password', 'liver building clock')
    await staff.fill('#confirm', 'liver building clock')
    await click(staff, 'Set password')
    await staff.fill('#email', 'duty@estuary.example')
    await staff.fill('#password', 'liver building clock')
    await click(staff, 'Sign in')
    await staff.goto(url('/manage'))
    await staff.getByRole('link', { name: /Your inbox/ }).click()
    await staff.waitForLoadState('load')
    await checked(staff, 'the inbox')
    await staff.getByRole('link', { name: reference }).click()
    await staff.waitForLoadState('load')
    assert.match(await staff.locator('main').innerText(), /resident@example\.com/)
    await checked(staff, 'the item')
    await click(staff, 'We have seen it')
    await checked(staff, 'the item once seen')
    await staff.check('#outcome-partly-upheld')
    await click(staff, 'Send the answer')
    assert.equal(await staff.locator('.govuk-error-summary').count(), 1, 'an answer is needed')
    await checked(staff, 'the answer form with errors')
    await staff.fill('#answer', 'We looked again. Your flat is now on the list.')
    await staff.fill('#changes', 'We fixed the list.')
    await click(staff, 'Send the answer')
    assert.match(await staff.locator('main').innerText(), /Your flat is now on the list/)
    await checked(staff, 'the answered item')

    // The resident reads the answer.
    await page.goto(privateLink)
    const text = await page.locator('main').innerText()
    assert.match(text, /Our answer/)
    assert.match(text, /We agree in part/)
    assert.match(text, /Your flat is now on the list/)
    await checked(page, 'the private page with the answer')

    // The public figures count the answer; the project's page shows them.
    const afterAnswer = await statistics()
    assert.notDeepEqual(afterAnswer, before, 'the statistics change once the organisation answers')
    await page.goto(url('/projects/LCR-0001#answer-times'))
    assert.equal(await page.locator('#answer-times').count(), 1)
    await checked(page, 'the project page with its answer figures')
  })
})

// ---------------------------------------------------------------------------------------------
// An organisation administrator sets a password, signs in and makes an API token

describe('organisation tools', () => {
  test('set a password, sign in, make a token, sign out', { timeout: 120_000 }, async () => {
    const slug = pageByName('organisation').path.split('/').pop()
    const added = spawnSync(CHARTER_BIN, ['--data-dir', dataDir, 'user', 'add', '--email', 'admin@org.example',
      '--role', 'organisation-admin', '--organisation', slug, '--base-url', baseUrl], { encoding: 'utf8' })
    assert.equal(added.status, 0, added.stderr)
    const link = added.stdout.trim()
    const context = await browser.newContext({ bypassCSP: true })
    const page = await context.newPage()
    try {
      await page.goto(link)
      await axeClean(page, 'set password')
      await page.fill('#password', 'short')
      await page.fill('#confirm', 'short')
      await page.getByRole('button', { name: 'Set password' }).click()
      await page.waitForLoadState('load')
      assert.equal(await page.locator('.govuk-error-summary').count(), 1)
      await axeClean(page, 'set password with errors')
      await page.fill('#password', 'mersey ferry at dawn')
      await page.fill('#confirm', 'mersey ferry at dawn')
      await page.getByRole('button', { name: 'Set password' }).click()
      await page.waitForLoadState('load')
      assert.match(page.url(), /\/sign-in\?password-set$/)
      await axeClean(page, 'sign in with a notice')
      await page.fill('#email', 'admin@org.example')
      await page.fill('#password', 'mersey ferry at dawn')
      await page.getByRole('button', { name: 'Sign in' }).click()
      await page.waitForLoadState('load')
      assert.match(page.url(), /\/manage$/)
      await axeClean(page, 'your account')
      assert.equal(await page.locator(`a[href="/manage/organisations/${slug}"]`).count(), 1, 'the account page links to the organisation')
      await page.goto(url(`/manage/organisations/${slug}`))
      await page.fill('#label', 'Browser test')
      await page.check('#scope')
      await page.getByRole('button', { name: 'Make a token' }).click()
      await page.waitForLoadState('load')
      assert.match(await page.locator('.govuk-panel__body').innerText(), /^chr_[0-9a-f]{48}$/)
      await page.screenshot({ path: path.join(ARTIFACTS, 'organisation-tools.png'), fullPage: true })
      await axeClean(page, 'organisation tools')
      await page.goto(url('/manage'))
      await page.getByRole('link', { name: 'Emails you get' }).click()
      await page.waitForLoadState('load')
      await axeClean(page, 'emails you get')
      await page.uncheck('input[value="person-joined"]')
      await page.getByRole('button', { name: 'Save' }).click()
      await page.waitForLoadState('load')
      assert.match(page.url(), /\/account\/notifications\?saved$/)
      assert.equal(await page.locator('input[value="person-joined"]:checked').count(), 0, 'the choice is kept')
      await axeClean(page, 'emails you get, saved')
      await page.goto(url('/manage'))
      await page.getByRole('button', { name: 'Sign out' }).click()
      await page.waitForLoadState('load')
      assert.match(page.url(), /\/sign-in\?signed-out$/)
    } finally {
      await context.close()
    }
  })
})

// ---------------------------------------------------------------------------------------------
// The publishing workflow: an editor drafts and submits, the charter body returns it, the editor
// fixes it, the charter body approves; a change is approved too, and the history shows it.

describe('publishing workflow', () => {
  /** Adds a person with the command line, sets their password by the link, and signs them in. */
  async function signedIn(email, role, organisation) {
    const args = ['--data-dir', dataDir, 'user', 'add', '--email', email, '--role', role, '--base-url', baseUrl]
    if (organisation) args.push('--organisation', organisation)
    const added = spawnSync(CHARTER_BIN, args, { encoding: 'utf8' })
    assert.equal(added.status, 0, added.stderr)
    const context = await browser.newContext({ bypassCSP: true })
    const page = await context.newPage()
    await page.goto(added.stdout.trim())
    await page.fill('#password', 'liver building clock')
    await page.fill('#confirm', 'liver building clock')
    await page.getByRole('button', { name: 'Set password' }).click()
    await page.waitForLoadState('load')
    await page.fill('#email', email)
    await page.fill('#password', 'liver building clock')
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.waitForLoadState('load')
    return { context, page }
  }

  async function click(page, name) {
    await page.getByRole('button', { name, exact: true }).click()
    await page.waitForLoadState('load')
  }

  async function openSection(page, draftUrl, title) {
    await page.goto(draftUrl)
    await page.getByRole('link', { name: title, exact: true }).click()
    await page.waitForLoadState('load')
  }

  test('draft, return, fix, approve, change, approve, see the history', { timeout: 300_000 }, async () => {
    const slug = pageByName('organisation').path.split('/').pop()
    const editor = await signedIn('editor@workflow.example', 'organisation-editor', slug)
    const moderator = await signedIn('moderator@workflow.example', 'moderator', null)
    const e = editor.page
    const m = moderator.page
    try {
      await e.goto(url(`/manage/organisations/${slug}`))
      await e.getByRole('link', { name: 'Start a new entry' }).click()
      await e.waitForLoadState('load')
      await axeClean(e, 'start a new entry')
      await click(e, 'Start the entry')
      assert.equal(await e.locator('.govuk-error-summary').count(), 1)
      await axeClean(e, 'start a new entry with errors')
      await e.fill('#title', 'Reading group suggestions')
      await e.check('input[name="uses_ai"][value="no"]')
      await e.check('input[name="decision_role"][value="information-only"]')
      await click(e, 'Start the entry')
      const draftUrl = e.url()
      assert.match(draftUrl, /\/manage\/drafts\/\d+$/)
      await axeClean(e, 'the task list')
      const entryId = (await e.locator('.govuk-caption-l').innerText()).match(/LCR-\d+/)[0]

      await openSection(e, draftUrl, 'About the project')
      await axeClean(e, 'the about section')
      await e.check('input[name="status"][value="pilot"]')
      await e.fill('[id="next_review_date"]', '2027-06-30')
      await e.check('input[name="areas"][value="knowsley"]')
      await e.check('input[name="topics"][value="education"]')
      await click(e, 'Save and go back to the draft')

      await openSection(e, draftUrl, 'What it does')
      // With JavaScript, the checker reads the summary as it is typed.
      await e.fill('#summary', 'Libraries suggest books for reading groups. We use what groups borrowed before. Staff check each list before it goes out to the groups.')
      await e.locator('[id="summary-reading"]').getByText(/Reading age \d+/).waitFor({ timeout: 10_000 })
      await e.fill('#contact_email', 'not an email')
      await click(e, 'Save and check the wording')
      assert.equal(await e.locator('.govuk-error-summary').count(), 1, 'a bad email is refused')
      assert.equal(await e.inputValue('#summary'), 'Libraries suggest books for reading groups. We use what groups borrowed before. Staff check each list before it goes out to the groups.', 'what was typed is kept')
      await axeClean(e, 'a section with errors')
      await e.fill('#contact_email', 'libraries@workflow.example')
      await click(e, 'Save and check the wording')
      await e.getByText('Your answers are saved').waitFor()
      await axeClean(e, 'a section with the checker\'s advice')

      await openSection(e, draftUrl, 'Who is responsible')
      for (const [holder, role] of [['accountable_owner', 'Head of Libraries'], ['bias_owner', 'Data Lead'],
        ['updates_owner', 'Systems Librarian'], ['monitoring_owner', 'Service Manager'], ['training_owner', 'Training Lead']]) {
        await e.fill(`[id="${holder}.role"]`, role)
      }
      await axeClean(e, 'the responsibility section')
      await click(e, 'Save and go back to the draft')

      await e.getByRole('link', { name: 'Preview the public page' }).click()
      await e.waitForLoadState('load')
      await e.getByText('This is a draft').waitFor()
      await axeClean(e, 'the preview')
      await e.goto(draftUrl)
      await click(e, 'Submit for review')
      await e.getByText('Waiting for review').first().waitFor()
      await axeClean(e, 'a submitted draft')

      // The charter body returns it with a comment.
      await m.goto(url('/manage/review'))
      await axeClean(m, 'the review queue')
      await m.getByRole('link', { name: 'Reading group suggestions' }).click()
      await m.waitForLoadState('load')
      await axeClean(m, 'the review page')
      await click(m, 'Return it')
      assert.equal(await m.locator('.govuk-error-summary').count(), 1, 'a return needs a comment')
      await axeClean(m, 'the review page with errors')
      await m.fill('#comment', 'Say how a reading group can stop the suggestions.')
      await click(m, 'Return it')

      await e.goto(draftUrl)
      await e.getByText('Say how a reading group can stop the suggestions.', { exact: true }).waitFor()
      await axeClean(e, 'a returned draft')
      await openSection(e, draftUrl, 'What it does')
      await e.fill('#summary', 'Libraries suggest books for reading groups. We use what groups borrowed before. Ask any library to stop the suggestions.')
      await click(e, 'Save and go back to the draft')
      await click(e, 'Submit for review')

      await m.goto(url(draftUrl.replace(baseUrl, '') + '/review'))
      await click(m, 'Approve and publish')
      assert.match(m.url(), new RegExp(`/projects/${entryId}$`))
      await m.getByText('Ask any library to stop the suggestions.', { exact: false }).first().waitFor()
      await axeClean(m, 'the published entry')

      // A change to the published entry, reviewed the same way.
      await e.goto(url(`/manage/organisations/${slug}`))
      await e.locator(`form[action="/manage/projects/${entryId}/edit"] button`).click()
      await e.waitForLoadState('load')
      const changeUrl = e.url()
      await openSection(e, changeUrl, 'What it does')
      await e.fill('#summary', 'Libraries suggest books for reading groups, from what they borrowed before. Ask any library to stop.')
      await click(e, 'Save and go back to the draft')
      await e.fill('#note', 'Shorter summary')
      await click(e, 'Submit for review')
      await m.goto(url(changeUrl.replace(baseUrl, '') + '/review'))
      assert.equal(await m.locator('del', { hasText: 'Ask any library to stop the suggestions.' }).count(), 1, 'the old summary is shown struck through')
      await axeClean(m, 'the review of a change')
      await click(m, 'Approve and publish')

      await m.goto(url(`/projects/${entryId}/history`))
      await m.getByText('Shorter summary').first().waitFor()
      await axeClean(m, 'the entry\'s history')
      const verified = spawnSync(CHARTER_BIN, ['--data-dir', dataDir, 'verify'], { encoding: 'utf8' })
      assert.equal(verified.status, 0, verified.stdout + verified.stderr)
    } finally {
      await editor.context.close()
      await moderator.context.close()
    }
  })
})

// ---------------------------------------------------------------------------------------------
// b. Search, filters, sort and pages with JavaScript switched off

describe('search with JavaScript off', () => {
  let context
  let page
  before(async () => {
    context = await browser.newContext({ javaScriptEnabled: false })
    page = await context.newPage()
  })
  after(async () => {
    await context.close()
  })

  test('search, filter, sort and page through results', { timeout: 120_000 }, async () => {
    // Search
    await page.goto(url('/projects'))
    await page.fill('#q', 'homes')
    await Promise.all([
      page.waitForURL(/[?&]q=homes(&|$)/),
      page.getByRole('button', { name: 'Search', exact: true }).click(),
    ])
    const searchHeading = (await page.locator('#results-heading').innerText()).trim()
    assert.match(searchHeading, /homes/, `results heading: ${searchHeading}`)
    const searchCount = await page.locator('ul.charter-results li.charter-result').count()
    assert.ok(searchCount > 0, 'no results for "homes"')

    // Filters
    await page.check('#topic-housing')
    await page.check('#ai-yes')
    await Promise.all([
      page.waitForURL(/topic=housing/),
      page.getByRole('button', { name: 'Apply filters', exact: true }).click(),
    ])
    const filtered = new URL(page.url())
    assert.deepEqual(filtered.searchParams.getAll('topic'), ['housing'])
    assert.equal(filtered.searchParams.get('ai'), 'yes')
    assert.equal(filtered.searchParams.get('q'), 'homes', 'the search word was lost when filtering')
    assert.ok(await page.isChecked('#topic-housing'), 'the housing box is not ticked after filtering')
    assert.ok(await page.isChecked('#ai-yes'), 'the "Uses AI" radio is not selected after filtering')
    const results = page.locator('ul.charter-results li.charter-result')
    const n = await results.count()
    assert.ok(n > 1, `expected several AI housing projects matching "homes", got ${n}`)
    assert.ok(n <= searchCount)
    for (let i = 0; i < n; i++) {
      assert.equal(
        await results.nth(i).locator('.charter-ai-flag').count(),
        1,
        `result ${i + 1} has no "Uses AI" flag: ${await results.nth(i).innerText()}`,
      )
    }
    const boxes = page.locator('#filters .govuk-checkboxes__item')
    const boxCount = await boxes.count()
    assert.ok(boxCount > 0, 'no filter checkboxes')
    for (let i = 0; i < boxCount; i++) {
      const label = boxes.nth(i).locator('label')
      // textContent: options with no results are folded behind "Show all", out of sight.
      const count = ((await label.locator('.charter-facet-count').textContent().catch(() => '')) || '').trim()
      assert.match(count, /^\(\d[\d,]*\)$/, `no count beside "${(await label.textContent()).trim()}"`)
    }

    // Sort
    await page.selectOption('#sort', 'title')
    await Promise.all([
      page.waitForURL(/sort=title/),
      page.getByRole('button', { name: 'Sort', exact: true }).click(),
    ])
    const sorted = new URL(page.url())
    assert.equal(sorted.searchParams.get('topic'), 'housing', 'sorting lost the topic filter')
    assert.equal(sorted.searchParams.get('ai'), 'yes', 'sorting lost the AI filter')
    const titles = (await page.locator('ul.charter-results li.charter-result h3').allInnerTexts()).map((t) => t.trim())
    assert.equal(titles.length, n, 'sorting changed the number of results')
    const collator = new Intl.Collator('en-GB', { sensitivity: 'base', ignorePunctuation: true })
    const expected = [...titles].sort(collator.compare)
    assert.deepEqual(titles, expected, 'results are not in A to Z order')

    // Pages: an empty search gives more than one page of results.
    await page.fill('#q', '')
    await page.uncheck('#topic-housing')
    await page.check('#ai-any')
    await Promise.all([
      page.waitForURL(/[?&]q=(&|$)/),
      page.getByRole('button', { name: 'Search', exact: true }).click(),
    ])
    assert.ok(
      (await page.locator('ul.charter-results li.charter-result').count()) >= 20,
      'an empty search shows fewer than 20 results',
    )
    const next = page.locator('nav.govuk-pagination .govuk-pagination__next a')
    assert.equal(await next.count(), 1, 'no Next link with more than one page of results')
    const firstPageTitles = await page.locator('ul.charter-results li.charter-result h3').allInnerTexts()
    await Promise.all([page.waitForURL(/[?&]page=2(&|$)/), next.click()])
    assert.equal(new URL(page.url()).searchParams.get('page'), '2')
    assert.equal(new URL(page.url()).searchParams.get('sort'), 'title', 'the next page lost the sort order')
    const secondPageTitles = await page.locator('ul.charter-results li.charter-result h3').allInnerTexts()
    assert.ok(secondPageTitles.length > 0, 'page 2 is empty')
    assert.ok(
      !secondPageTitles.some((t) => firstPageTitles.includes(t)),
      'page 2 repeats results from page 1',
    )
    await page.screenshot({ path: path.join(ARTIFACTS, 'nojs-page-2.png'), fullPage: true })
  })
})

// ---------------------------------------------------------------------------------------------
// c. Keyboard only

describe('keyboard only', () => {
  let context
  before(async () => {
    context = await browser.newContext()
  })
  after(async () => {
    await context.close()
  })

  test('skip link, search from home, open a result', { timeout: 120_000 }, async () => {
    const page = await context.newPage()
    await page.goto(url('/'))

    await page.keyboard.press('Tab')
    const skip = await page.evaluate(() => ({
      cls: document.activeElement.className,
      href: document.activeElement.getAttribute('href'),
    }))
    assert.match(skip.cls, /govuk-skip-link/, 'the first Tab does not focus the skip link')
    const skipFocus = await page.evaluate(focusReport)
    assert.ok(skipFocus.visible, 'the focused skip link is not visible')
    await page.keyboard.press('Enter')
    assert.equal(await activeId(page), 'main-content', 'the skip link does not move focus to <main>')

    let found = false
    for (let i = 0; i < 60 && !found; i++) {
      await page.keyboard.press('Tab')
      found = (await activeId(page)) === 'q'
    }
    assert.ok(found, 'could not Tab from <main> to the search box #q')
    await page.keyboard.type('bus')
    await Promise.all([page.waitForURL(/\/projects\?.*q=bus/), page.keyboard.press('Enter')])
    assert.equal(new URL(page.url()).pathname, '/projects')
    assert.equal(new URL(page.url()).searchParams.get('q'), 'bus')

    const isResultLink = () =>
      page.evaluate(() => !!document.activeElement.closest('ul.charter-results li.charter-result') &&
        document.activeElement.tagName === 'A')
    found = false
    for (let i = 0; i < 200 && !found; i++) {
      await page.keyboard.press('Tab')
      found = await isResultLink()
    }
    assert.ok(found, 'could not Tab to the first result link')
    const href = await page.evaluate(() => document.activeElement.getAttribute('href'))
    await Promise.all([page.waitForURL(/\/projects\/LCR-\d+$/), page.keyboard.press('Enter')])
    assert.equal(new URL(page.url()).pathname, href)
    assert.ok((await page.locator('h1').innerText()).trim().length > 0, 'the project page has no heading')
    await page.close()
  })

  test('every element focused in the first 40 Tab presses on /projects shows focus', { timeout: 60_000 }, async () => {
    const page = await context.newPage()
    await page.goto(url('/projects'))
    const problems = []
    for (let i = 1; i <= 40; i++) {
      await page.keyboard.press('Tab')
      const f = await page.evaluate(focusReport)
      if (!f.visible || !f.indicator) {
        problems.push(`Tab ${i}: ${f.describe} (visible: ${f.visible}, focus indicator: ${f.indicator})`)
      }
    }
    assert.deepEqual(problems, [], `focus is hidden or unstyled:\n${problems.join('\n')}`)
    await page.close()
  })
})

// ---------------------------------------------------------------------------------------------
// d. Reflow at 320 CSS pixels (WCAG 1.4.10; the same as 1280 px at 400% zoom)

describe('reflow at 320 px', () => {
  let context
  before(async () => {
    context = await browser.newContext({ viewport: { width: 320, height: 640 } })
  })
  after(async () => {
    await context.close()
  })

  // Every page type, so a page added to PAGES is checked too.
  for (const name of PAGES.map((p) => p.name)) {
    test(`${name} does not scroll sideways at 320 px`, { timeout: 60_000 }, async () => {
      const p = pageByName(name)
      const page = await context.newPage()
      try {
        await page.goto(url(p.path))
        await page.screenshot({ path: path.join(ARTIFACTS, `reflow-320-${name}.png`), fullPage: true })
        const { scrollWidth, offenders } = await page.evaluate(reflowReport)
        assert.ok(
          scrollWidth <= 320 + 1,
          `${p.path} is ${scrollWidth} px wide at 320 px; elements sticking out:\n${offenders.join('\n')}`,
        )
      } finally {
        await page.close()
      }
    })
  }
})

// ---------------------------------------------------------------------------------------------
// Phone and wide screen: the projects page puts results first on a phone with its filters folded
// behind "Filter results" (no script needed) and beside the results on a wide screen; the charter
// check's tables scroll in a labelled region; chart labels and API addresses stay readable.

describe('phone and wide screen', () => {
  let phone // 320 px, JavaScript off: what works here works without it
  let phoneAxe // 320 px, for axe (injected as a script, so CSP is bypassed here only)
  let wide
  before(async () => {
    phone = await browser.newContext({ viewport: { width: 320, height: 640 }, javaScriptEnabled: false })
    phoneAxe = await browser.newContext({ viewport: { width: 320, height: 640 }, bypassCSP: true })
    wide = await browser.newContext({ viewport: { width: 1280, height: 800 }, javaScriptEnabled: false })
  })
  after(async () => {
    await phone.close()
    await phoneAxe.close()
    await wide.close()
  })

  test('the dashboard reads at 320 px without script: a chart, table and download each, any past day', { timeout: 60_000 }, async () => {
    const page = await phone.newPage()
    try {
      await page.goto(url('/dashboard'))
      assert.equal(await page.locator('svg.charter-line-chart__plot').count(), 6)
      assert.equal(await page.locator('table.charter-table').count(), 6)
      assert.equal(await page.locator('a[download][href^="/dashboard/"]').count(), 6)
      // Breaches told to the ICO on time, by month: its table and download.
      assert.match(await page.locator('#breaches-caption').innerText(), /Breaches told to the ICO on time/)
      assert.equal(await page.locator('a[download][href="/dashboard/breaches.csv"]').count(), 1)
      // Answers to residents on time, by month of answer: its table and download.
      assert.match(await page.locator('#challenge-answers-caption').innerText(), /Answers to residents on time/)
      assert.equal(await page.locator('a[download][href="/dashboard/challenge-answers.csv"]').count(), 1)
      const csv = await page.request.get(url('/dashboard/status.csv'))
      assert.equal(csv.status(), 200)
      assert.match(await csv.text(), /^date,planned,in-development,pilot,in-use,paused,retired/)
      const lastRow = () => page.locator('#status-caption').locator('xpath=..').locator('tbody tr').last().innerText()
      const today = await lastRow()
      // Type a day before anything was published and press Show: the counts are that day's.
      await page.fill('#on', '2015-01-01')
      await page.getByRole('button', { name: 'Show' }).click()
      await page.waitForURL(/on=2015-01-01/)
      const then = await lastRow()
      assert.match(then, /2015-01-01/)
      assert.notEqual(then.replace(/\S+/, ''), today.replace(/\S+/, ''), 'the counts change with the day')
      const { scrollWidth, offenders } = await page.evaluate(reflowReport)
      assert.ok(scrollWidth <= 321, `the dashboard is ${scrollWidth} px wide:\n${offenders.join('\n')}`)
      // A day not yet come: the error summary links to the box, with what was typed kept.
      await page.fill('#on', '2999-01-01')
      await page.getByRole('button', { name: 'Show' }).click()
      await page.waitForURL(/on=2999-01-01/)
      assert.match(await page.locator('.govuk-error-summary').innerText(), /has not happened yet/)
      assert.equal(await page.inputValue('#on'), '2999-01-01')
    } finally {
      await page.close()
    }
    const a = await phoneAxe.newPage()
    try {
      await a.goto(url('/dashboard?on=2024-06-30'))
      await axeClean(a, 'the dashboard at 320 px')
      await a.goto(url('/dashboard?on=2999-01-01'))
      await axeClean(a, 'the dashboard with an error at 320 px')
    } finally {
      await a.close()
    }
  })

  /** Tabs from the search box until `done(active element)` is true; returns the number of presses
   *  or -1. Runs each check in the page. */
  async function tabUntil(page, done, limit = 150) {
    await page.focus('#q')
    for (let i = 1; i <= limit; i++) {
      await page.keyboard.press('Tab')
      if (await page.evaluate(done)) return i
    }
    return -1
  }

  test('on a phone the projects page shows results before filters, folded behind a control that works without JavaScript', { timeout: 120_000 }, async () => {
    const page = await phone.newPage()
    try {
      await page.goto(url('/projects'))
      const summary = page.locator('.charter-filters > summary')
      assert.equal((await summary.innerText()).trim(), 'Filter results')
      assert.ok(await summary.isVisible(), 'no "Filter results" control on a phone')
      assert.ok(!(await page.isVisible('#ai-yes')), 'the filters are not folded on a phone')
      assert.ok(await page.isVisible('ul.charter-results li.charter-result'), 'no results in sight')
      // Results come before filters: down the page, and for the keyboard.
      const order = await page.evaluate(() => {
        const top = (sel) => document.querySelector(sel).getBoundingClientRect().top
        return { results: top('#results-heading'), summary: top('.charter-filters > summary'), body: top('.charter-filters__body') }
      })
      assert.ok(order.results > order.summary, 'the results are above the "Filter results" control')
      const toResult = await tabUntil(page, () => !!document.activeElement.closest('li.charter-result'))
      assert.ok(toResult > 0, 'could not Tab to a result')
      const toFilter = await tabUntil(page, () => document.activeElement.matches('.charter-filters__body input'))
      assert.equal(toFilter, -1, 'a folded filter can be reached by Tab')
      await page.screenshot({ path: path.join(ARTIFACTS, 'phone-projects-folded.png'), fullPage: true })

      // Open it by keyboard, "Uses AI" first; choose, apply.
      await page.focus('.charter-filters > summary')
      await page.keyboard.press('Enter')
      assert.ok(await page.isVisible('#ai-yes'), 'Enter on "Filter results" does not show the filters')
      const legends = await page.locator('.charter-filters__body legend').allInnerTexts()
      assert.equal(legends[0].trim(), 'Uses AI', `the first filter is ${legends[0]}`)
      await page.check('#ai-yes')
      await page.check('#topic-housing')
      await page.screenshot({ path: path.join(ARTIFACTS, 'phone-projects-open.png'), fullPage: true })
      const { scrollWidth, offenders } = await page.evaluate(reflowReport)
      assert.ok(scrollWidth <= 321, `with the filters open the page is ${scrollWidth} px wide:\n${offenders.join('\n')}`)
      await Promise.all([
        page.waitForURL(/topic=housing/),
        page.getByRole('button', { name: 'Apply filters', exact: true }).click(),
      ])
      const u = new URL(page.url())
      assert.equal(u.searchParams.get('ai'), 'yes')
      assert.deepEqual(u.searchParams.getAll('topic'), ['housing'])
      // Folded again on the results, saying what is chosen; the chosen filters stay ticked.
      assert.match(await page.locator('.charter-filters > summary').innerText(), /Filter results \(2 chosen\)/)
      assert.ok(!(await page.isVisible('#ai-yes')))
      assert.ok(await page.isChecked('#ai-yes') && await page.isChecked('#topic-housing'))
    } finally {
      await page.close()
    }
  })

  test('options with no results are behind "Show all", and a chosen one is never hidden', { timeout: 60_000 }, async () => {
    const page = await phone.newPage()
    try {
      await page.goto(url('/projects?topic=housing&status=paused'))
      await page.locator('.charter-filters > summary').click()
      // A chosen option with no results stays in sight.
      assert.ok(await page.isVisible('#status-paused'), 'the chosen "Paused" is hidden')
      assert.ok(await page.isChecked('#status-paused'))
      // The others with no results are folded, and "Show all" brings them out.
      const folded = page.locator('.charter-show-all').filter({ has: page.locator('input[name="status"]') })
      const hidden = folded.locator('input[name="status"]').first()
      const id = await hidden.getAttribute('id')
      assert.ok(!(await page.isVisible(`[id="${id}"]`)), `${id} has no results but is in sight`)
      assert.match(await page.locator(`label[for="${id}"] .charter-facet-count`).textContent(), /^\(0\)$/)
      await folded.locator('summary').focus()
      await page.keyboard.press('Enter')
      assert.ok(await page.isVisible(`[id="${id}"]`), '"Show all" does not show the options with no results')
    } finally {
      await page.close()
    }
  })

  test('on a wide screen the filters sit open beside the results', { timeout: 60_000 }, async () => {
    const page = await wide.newPage()
    try {
      await page.goto(url('/projects'))
      assert.ok(await page.isVisible('#ai-yes'), 'the filters are folded on a wide screen')
      assert.ok(!(await page.isVisible('.charter-filters > summary')), 'the fold control shows on a wide screen')
      assert.equal((await page.locator('.charter-filters__heading').innerText()).trim(), 'Filter results')
      const box = (sel) => page.locator(sel).first().boundingBox()
      const filters = await box('#filters')
      const results = await box('#results-heading')
      assert.ok(filters.x + filters.width <= results.x, 'the filters are not beside the results')
      assert.ok(Math.abs(filters.y - results.y) < 80, 'the filters and the results do not start together')
    } finally {
      await page.close()
    }
  })

  test('the projects page has no axe violations at 320 px, folded, open and showing all', { timeout: 60_000 }, async () => {
    const page = await phoneAxe.newPage()
    try {
      await page.goto(url('/projects?topic=housing&status=paused'))
      await axeClean(page, 'the projects page at 320 px')
      await page.locator('.charter-filters > summary').click()
      for (const s of await page.locator('.charter-show-all > summary').all()) await s.click()
      await axeClean(page, 'the projects page at 320 px with every filter shown')
      const { scrollWidth, offenders } = await page.evaluate(reflowReport)
      assert.ok(scrollWidth <= 321, `${scrollWidth} px wide:\n${offenders.join('\n')}`)
    } finally {
      await page.close()
    }
  })

  test('charter check tables scroll inside a labelled region that takes focus', { timeout: 60_000 }, async () => {
    const page = await phone.newPage()
    try {
      for (const p of ['/compliance', pageByName('organisation').path]) {
        await page.goto(url(p))
        const tables = await page.evaluate(() => [...document.querySelectorAll('main table')].map((t) => {
          const region = t.closest('[role="region"]')
          const labelIds = region ? (region.getAttribute('aria-labelledby') || '').split(/\s+/).filter(Boolean) : []
          const label = region && (region.getAttribute('aria-label') ||
            labelIds.map((id) => (document.getElementById(id) || {}).textContent || '').join(' ')).trim()
          return {
            caption: (t.caption && t.caption.textContent.trim()) || '(no caption)',
            region: !!region,
            label,
            tabindex: region && region.getAttribute('tabindex'),
            overflow: region && getComputedStyle(region).overflowX,
            fits: region && region.getBoundingClientRect().right <= document.documentElement.clientWidth + 1,
            scrolls: region && region.scrollWidth > region.clientWidth,
          }
        }))
        assert.ok(tables.length > 0, `no tables on ${p}`)
        for (const t of tables) {
          assert.ok(t.region, `${p}: "${t.caption}" is not in a region`)
          assert.ok(t.label, `${p}: the region round "${t.caption}" has no name`)
          assert.equal(t.tabindex, '0', `${p}: the region round "${t.caption}" cannot take focus`)
          assert.equal(t.overflow, 'auto', `${p}: "${t.caption}" is clipped instead of scrolling`)
          assert.ok(t.fits, `${p}: the region round "${t.caption}" sticks out of the page`)
        }
        assert.ok(tables.some((t) => t.scrolls), `${p}: no table is wide enough to scroll at 320 px`)
        const { scrollWidth, offenders } = await page.evaluate(reflowReport)
        assert.ok(scrollWidth <= 321, `${p} is ${scrollWidth} px wide:\n${offenders.join('\n')}`)
      }
      // The keyboard reaches a scrolling table's region, sees focus on it and scrolls it.
      await page.goto(url('/compliance'))
      const region = page.locator('[role="region"][aria-labelledby="by-organisation-caption"]')
      await region.focus()
      const f = await page.evaluate(focusReport)
      assert.ok(f.indicator, 'the focused table region shows no focus')
      await page.keyboard.press('ArrowRight')
      await page.keyboard.press('End')
      // Scrolling by key happens after the key event returns: wait for it (up to 2 s) rather than
      // reading scrollLeft at once, which raced it on a busy machine.
      const scrolled = await page
        .waitForFunction((el) => el.scrollLeft > 0, await region.elementHandle(), { timeout: 2000 })
        .then(() => true, () => false)
      assert.ok(scrolled, 'the arrow keys do not scroll the table')
    } finally {
      await page.close()
    }
  })

  test('the chart labels are readable at 320 px', { timeout: 60_000 }, async () => {
    const page = await phone.newPage()
    try {
      for (const p of ['/compliance', pageByName('organisation').path]) {
        await page.goto(url(p))
        const labels = await page.evaluate(() => [...document.querySelectorAll('.charter-chart__label')].map((el) => {
          const r = el.getBoundingClientRect()
          const bar = el.parentElement.querySelector('.charter-chart__bar').getBoundingClientRect()
          return {
            text: el.textContent.trim(),
            size: parseFloat(getComputedStyle(el).fontSize),
            inside: r.left >= 0 && r.right <= document.documentElement.clientWidth,
            clear: r.bottom <= bar.top + 1 || r.right <= bar.left + 1,
          }
        }))
        assert.equal(labels.length, 8, `${p}: one label per principle`)
        for (const l of labels) {
          assert.ok(l.size >= 16, `${p}: "${l.text}" is ${l.size} px`)
          assert.ok(l.inside, `${p}: "${l.text}" is cut off`)
          assert.ok(l.clear, `${p}: "${l.text}" overlaps its bar`)
        }
        await page.locator('.charter-figure').first().screenshot({ path: path.join(ARTIFACTS, `chart-320-${p.split('/')[1]}.png`) })
      }
    } finally {
      await page.close()
    }
  })

  test('API addresses on /open-data wrap only at slashes', { timeout: 60_000 }, async () => {
    const page = await phone.newPage()
    try {
      await page.goto(url('/open-data'))
      // Narrower than any address, so each must wrap.
      const report = await page.evaluate(() => [...document.querySelectorAll('code.charter-path')].map((code) => {
        code.style.display = 'inline-block'
        code.style.width = '9ch'
        const parts = [...code.querySelectorAll('span')]
        return {
          path: code.textContent,
          lines: new Set(parts.map((s) => Math.round(s.getBoundingClientRect().top))).size,
          broken: parts.filter((s) => s.getClientRects().length > 1).map((s) => s.textContent),
          endsAtSlash: parts.slice(0, -1).every((s) => s.textContent.endsWith('/')),
        }
      }))
      assert.ok(report.some((r) => r.path === '/api/v1/organisations/{slug}'), JSON.stringify(report))
      for (const r of report) {
        assert.deepEqual(r.broken, [], `${r.path} breaks inside a piece`)
        assert.ok(r.endsAtSlash, `${r.path} is not split at its slashes`)
        if (r.path.split('/').length > 3) assert.ok(r.lines > 1, `${r.path} did not wrap in a narrow box`)
      }
    } finally {
      await page.close()
    }
  })
})

// ---------------------------------------------------------------------------------------------
// a + d for every record: each project and organisation page of the demo register fills its
// template differently (missing fields, consultations table, opt-out, ...), so sweep them all.

describe('every project and organisation page', () => {
  test('has no axe violations and reflows at 320 px', { timeout: 600_000 }, async () => {
    const paths = []
    for (const list of ['/projects?sort=title', '/organisations']) {
      let next = list
      while (next) {
        const html = await (await fetch(url(next))).text()
        for (const m of html.matchAll(/href="(\/(?:projects\/LCR-\d+|organisations\/[a-z0-9-]+))"/g)) {
          if (!paths.includes(m[1])) paths.push(m[1])
        }
        const n = html.match(/<a class="govuk-link govuk-pagination__link" href="([^"]+)" rel="next"/)
        next = n ? n[1].replace(/&#38;|&amp;/g, '&') : null
      }
    }
    assert.ok(paths.filter((p) => p.startsWith('/projects/')).length >= 40, `found only ${paths.length} pages`)

    const context = await browser.newContext({ bypassCSP: true, viewport: { width: 320, height: 640 } })
    const page = await context.newPage()
    const problems = []
    try {
      for (const p of paths) {
        const response = await page.goto(url(p))
        if (response.status() !== 200) {
          problems.push(`${p}: status ${response.status()}`)
          continue
        }
        const { scrollWidth, offenders } = await page.evaluate(reflowReport)
        if (scrollWidth > 320 + 1) {
          problems.push(`${p}: ${scrollWidth} px wide at 320 px; elements sticking out:\n  ${offenders.join('\n  ')}`)
        }
        await page.addScriptTag({ path: AXE_PATH })
        const results = await page.evaluate(
          (tags) => window.axe.run(document, { runOnly: { type: 'tag', values: tags } }),
          AXE_TAGS,
        )
        if (results.violations.length > 0) problems.push(`${p}:\n${formatViolations(results.violations)}`)
      }
    } finally {
      await context.close()
    }
    assert.deepEqual(problems, [], problems.join('\n'))
  })
})

// ---------------------------------------------------------------------------------------------
// e. Security headers and Content-Security-Policy

describe('security headers', () => {
  test('the home page sends a strict Content-Security-Policy', async () => {
    const res = await fetch(url('/'))
    assert.equal(res.status, 200)
    const csp = res.headers.get('content-security-policy')
    assert.ok(csp, 'no Content-Security-Policy header on /')
    const directives = Object.fromEntries(
      csp.split(';').map((d) => d.trim()).filter(Boolean).map((d) => {
        const [name, ...values] = d.split(/\s+/)
        return [name.toLowerCase(), values]
      }),
    )
    assert.ok(directives['default-src'], `no default-src in ${csp}`)
    const scriptSrc = directives['script-src'] || directives['default-src']
    assert.ok(!scriptSrc.includes("'unsafe-inline'"), `script-src allows inline scripts: ${csp}`)
    assert.ok(!scriptSrc.includes("'unsafe-eval'"), `script-src allows eval: ${csp}`)
    assert.deepEqual(directives['object-src'], ["'none'"], `object-src is not 'none': ${csp}`)
    assert.ok(directives['frame-ancestors'], `no frame-ancestors in ${csp}`)
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff')
  })

  test('no page breaks its CSP or logs an error', { timeout: 120_000 }, async () => {
    const context = await browser.newContext() // no CSP bypass here
    await context.addInitScript(() => {
      window.__cspViolations = []
      document.addEventListener('securitypolicyviolation', (e) => {
        window.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'} (${e.sourceFile}:${e.lineNumber})`)
      })
    })
    const problems = []
    try {
      for (const p of PAGES) {
        const page = await context.newPage()
        const log = watchPage(page)
        const response = await page.goto(url(p.path), { waitUntil: 'load' })
        assert.equal(response.status(), p.status, `${p.path} answered ${response.status()}`)
        // charter.js is a module script from 'self': it must run under the CSP.
        await page.waitForFunction(() => document.body.classList.contains('govuk-frontend-supported'), null, { timeout: 10_000 })
          .catch(() => problems.push(`${p.path}: charter.js did not run (no govuk-frontend-supported on <body>)`))
        const violations = await page.evaluate(() => window.__cspViolations)
        for (const v of violations) problems.push(`${p.path}: CSP violation: ${v}`)
        for (const e of log.consoleErrors) {
          // Chromium logs the 404/400 status of the document itself as a console error.
          const expectedStatus = p.status !== 200 && /Failed to load resource: the server responded with a status of (400|404)/.test(e.text)
          if (CSP_WORDS.test(e.text)) problems.push(`${p.path}: CSP console error: ${e.text}`)
          else if (!expectedStatus) problems.push(`${p.path}: console error: ${e.text}`)
        }
        for (const e of log.pageErrors) problems.push(`${p.path}: script error: ${e.text}`)
        await page.close()
      }
    } finally {
      await context.close()
    }
    assert.deepEqual(problems, [], problems.join('\n'))
  })
})

// ---------------------------------------------------------------------------------------------
// f. The vendored GOV.UK Frontend CSS has no GDS Transport font

describe('vendored GOV.UK Frontend', () => {
  test('govuk-frontend.min.css does not use GDS Transport', async () => {
    const res = await fetch(url('/static/govuk-frontend.min.css'))
    assert.equal(res.status, 200)
    assert.match(res.headers.get('content-type') || '', /text\/css/)
    const css = await res.text()
    assert.ok(css.length > 10_000, 'the served CSS is suspiciously small')
    assert.ok(!css.includes('GDS Transport'), 'the served CSS mentions GDS Transport')
    assert.ok(!/@font-face/i.test(css), 'the served CSS still has @font-face rules')
  })
})

// ---------------------------------------------------------------------------------------------
// Importing a list in another register's shape (tests/fixtures/atrs-shaped.csv): choose what each
// column holds, give the missing fields one value for every row, import; axe and 320 px on the way.

describe('importing a list', () => {
  test('upload, choose columns, give values for every row, import', { timeout: 180_000 }, async () => {
    const slug = pageByName('organisation').path.split('/').pop()
    const added = spawnSync(CHARTER_BIN, ['--data-dir', dataDir, 'user', 'add', '--email', 'importer@register.example',
      '--role', 'organisation-editor', '--organisation', slug, '--base-url', baseUrl], { encoding: 'utf8' })
    assert.equal(added.status, 0, added.stderr)
    const context = await browser.newContext({ bypassCSP: true })
    const page = await context.newPage()
    try {
      await page.goto(added.stdout.trim())
      await page.fill('#password', 'albert dock pier head')
      await page.fill('#confirm', 'albert dock pier head')
      await page.getByRole('button', { name: 'Set password' }).click()
      await page.waitForLoadState('load')
      await page.fill('#email', 'importer@register.example')
      await page.fill('#password', 'albert dock pier head')
      await page.getByRole('button', { name: 'Sign in' }).click()
      await page.waitForLoadState('load')
      await page.goto(url(`/manage/organisations/${slug}/import`))
      await axeClean(page, 'the import page')
      await page.setInputFiles('#file', path.join(HERE, '../fixtures/atrs-shaped.csv'))
      await page.getByRole('button', { name: 'Check the file' }).click()
      await page.waitForLoadState('load')
      assert.match(await page.locator('#problems').innerText(), /The file has 9 problems/)
      await page.screenshot({ path: path.join(ARTIFACTS, 'import-columns.png'), fullPage: true })
      await axeClean(page, 'the import page with columns and problems')
      await page.setViewportSize({ width: 320, height: 640 })
      const { scrollWidth, offenders } = await page.evaluate(reflowReport)
      assert.ok(scrollWidth <= 321, `the import page is ${scrollWidth} px wide at 320 px:\n${offenders.join('\n')}`)
      await page.setViewportSize({ width: 1280, height: 800 })

      for (const [column, field] of [['0', 'ignore'], ['1', 'title'], ['2', 'summary'], ['3', 'website'], ['4', 'ignore']]) {
        await page.selectOption(`[id="map.${column}"]`, field)
      }
      await page.selectOption('[id="set.status"]', 'in-use')
      await page.selectOption('[id="set.uses_ai"]', 'yes')
      await page.selectOption('[id="set.decision_role"]', 'supports-person')
      await page.getByRole('button', { name: 'Check again' }).click()
      await page.waitForLoadState('load')
      assert.match(await page.locator('main').innerText(), /10 entries are ready to import as drafts/)
      await axeClean(page, 'the import page ready to import')
      await page.getByRole('button', { name: 'Import 10 entries as drafts' }).click()
      await page.waitForLoadState('load')
      assert.match(await page.locator('main').innerText(), /Imported 10 entries as drafts/)
      assert.match(await page.locator('main').innerText(), /Clinic Letter Summariser/)
    } finally {
      await context.close()
    }
  })
})

// ---------------------------------------------------------------------------------------------
// Search suggestions: the search box is an ARIA combobox (charter.js), used by keyboard alone,
// with no axe violations while the list is open; a site administrator changes the search words.

describe('search suggestions', () => {
  test('type, move through the suggestions with the arrow keys, close with Escape, choose with Enter', { timeout: 120_000 }, async () => {
    const context = await browser.newContext({ bypassCSP: true })
    const page = await context.newPage()
    try {
      await page.goto(url('/projects'))
      let found = false
      for (let i = 0; i < 60 && !found; i++) {
        await page.keyboard.press('Tab')
        found = (await activeId(page)) === 'q'
      }
      assert.ok(found, 'could not Tab to the search box #q')
      const box = page.locator('#q')
      assert.equal(await box.getAttribute('role'), 'combobox')
      assert.equal(await box.getAttribute('aria-expanded'), 'false')
      assert.equal(await box.getAttribute('aria-controls'), 'q-suggestions')
      await page.keyboard.type('cha', { delay: 60 })
      const list = page.locator('#q-suggestions')
      await list.waitFor({ state: 'visible' })
      const options = list.locator('[role=option]')
      assert.ok((await options.count()) > 0, 'no suggestions for "cha"')
      assert.equal(await box.getAttribute('aria-expanded'), 'true')
      assert.match(await page.locator('[role=status]').last().innerText(), /suggestion/)

      await page.keyboard.press('ArrowDown')
      const first = await options.nth(0).getAttribute('id')
      assert.equal(await box.getAttribute('aria-activedescendant'), first)
      assert.equal(await options.nth(0).getAttribute('aria-selected'), 'true')
      assert.equal(await activeId(page), 'q', 'the focus left the search box')
      await page.screenshot({ path: path.join(ARTIFACTS, 'search-suggestions.png'), fullPage: true })
      await axeClean(page, 'the search box with its suggestions open')
      if ((await options.count()) > 1) {
        await page.keyboard.press('ArrowDown')
        assert.equal(await box.getAttribute('aria-activedescendant'), await options.nth(1).getAttribute('id'))
        await page.keyboard.press('ArrowUp')
      }
      assert.equal(await box.getAttribute('aria-activedescendant'), first)

      await page.keyboard.press('Escape')
      assert.equal(await box.getAttribute('aria-expanded'), 'false')
      assert.ok(await list.isHidden(), 'Escape did not close the suggestions')
      assert.equal(await box.inputValue(), 'cha', 'Escape changed what was typed')

      await page.keyboard.press('ArrowDown')
      assert.equal(await box.getAttribute('aria-expanded'), 'true')
      const chosen = (await options.nth(0).innerText()).replace(/\s*\(\d+ projects?\)$/, '')
      await Promise.all([page.waitForURL(/\/projects\?q=/), page.keyboard.press('Enter')])
      assert.equal(new URL(page.url()).searchParams.get('q'), chosen)
      assert.match(await page.locator('#results-heading').innerText(), /[1-9]\d* projects? matching/)
      assert.ok((await page.locator('mark.charter-mark').count()) > 0, 'no matched word is highlighted')
      await axeClean(page, 'results with highlighted words')
    } finally {
      await context.close()
    }
  })

  test('without JavaScript the search box is a plain search field that works', { timeout: 60_000 }, async () => {
    const context = await browser.newContext({ javaScriptEnabled: false })
    const page = await context.newPage()
    try {
      await page.goto(url('/projects'))
      assert.equal(await page.locator('#q').getAttribute('role'), null)
      await page.fill('#q', 'artifical inteligence')
      await Promise.all([page.waitForURL(/q=artifical/), page.locator('#q').press('Enter')])
      assert.match(await page.locator('#results-heading').innerText(), /[1-9]\d* projects? matching/)
    } finally {
      await context.close()
    }
  })

  test('a site administrator changes the search words, errors first', { timeout: 120_000 }, async () => {
    const added = spawnSync(CHARTER_BIN, ['--data-dir', dataDir, 'user', 'add', '--email', 'words@register.example',
      '--role', 'site-admin', '--base-url', baseUrl], { encoding: 'utf8' })
    assert.equal(added.status, 0, added.stderr)
    const context = await browser.newContext({ bypassCSP: true })
    const page = await context.newPage()
    try {
      await page.goto(added.stdout.trim())
      await page.fill('#password', 'seacombe ferry landing')
      await page.fill('#confirm', 'seacombe ferry landing')
      await page.getByRole('button', { name: 'Set password' }).click()
      await page.waitForLoadState('load')
      await page.fill('#email', 'words@register.example')
      await page.fill('#password', 'seacombe ferry landing')
      await page.getByRole('button', { name: 'Sign in' }).click()
      await page.waitForLoadState('load')
      await page.getByRole('link', { name: 'Search words that mean the same' }).click()
      await page.waitForLoadState('load')
      assert.match(page.url(), /\/manage\/search-words$/)
      await axeClean(page, 'the search words page')
      const before = await page.inputValue('#synonyms')
      await page.fill('#synonyms', `${before}\nlonely`)
      await page.getByRole('button', { name: 'Save search words' }).click()
      await page.waitForLoadState('load')
      assert.equal(await page.locator('.govuk-error-summary').count(), 1)
      await axeClean(page, 'the search words page, with errors')
      await page.fill('#synonyms', `${before}\nhelpdesk, service desk`)
      await page.getByRole('button', { name: 'Save search words' }).click()
      await page.waitForLoadState('load')
      assert.match(await page.locator('.govuk-notification-banner').innerText(), /saved/)
      await page.setViewportSize({ width: 320, height: 800 })
      await axeClean(page, 'the search words page at 320 px')
    } finally {
      await context.close()
    }
  })
})

// ---------------------------------------------------------------------------------------------
// Signatory organisations: a site administrator adds one (errors first), changes it and retires
// it; its public page then says it is a former signatory. The demo's organisations are left alone.

describe('signatory organisations', () => {
  test('add, change and retire an organisation', { timeout: 180_000 }, async () => {
    const added = spawnSync(CHARTER_BIN, ['--data-dir', dataDir, 'user', 'add', '--email', 'orgs@register.example',
      '--role', 'site-admin', '--base-url', baseUrl], { encoding: 'utf8' })
    assert.equal(added.status, 0, added.stderr)
    const context = await browser.newContext({ bypassCSP: true })
    const page = await context.newPage()
    try {
      await page.goto(added.stdout.trim())
      await page.fill('#password', 'seacombe ferry landing')
      await page.fill('#confirm', 'seacombe ferry landing')
      await page.getByRole('button', { name: 'Set password' }).click()
      await page.waitForLoadState('load')
      await page.fill('#email', 'orgs@register.example')
      await page.fill('#password', 'seacombe ferry landing')
      await page.getByRole('button', { name: 'Sign in' }).click()
      await page.waitForLoadState('load')
      await page.getByRole('link', { name: 'Add, change or retire signatory organisations' }).click()
      await page.waitForLoadState('load')
      assert.match(page.url(), /\/manage\/organisations$/)
      await axeClean(page, 'the list of organisations')
      await page.getByRole('button', { name: 'Add an organisation' }).click()
      await page.waitForLoadState('load')
      await axeClean(page, 'adding an organisation')

      // Errors first: the summary links to the fields, and what was typed stays.
      await page.fill('#name', 'Sefton Homes Trust')
      await page.fill('#slug', 'sefton-homes')
      await page.check('#kind-housing-association')
      await page.fill('#signed_on', '2999-01-01')
      await page.fill('#contact_email', 'write to us')
      await page.fill('#dpo_email', 'dpo@sefton-homes.example')
      await page.getByRole('button', { name: 'Add the organisation' }).click()
      await page.waitForLoadState('load')
      assert.equal(await page.locator('.govuk-error-summary').count(), 1)
      assert.equal(await page.inputValue('#contact_email'), 'write to us')
      assert.ok(await page.isChecked('#kind-housing-association'))
      await page.screenshot({ path: path.join(ARTIFACTS, 'organisation-add-errors.png'), fullPage: true })
      await axeClean(page, 'adding an organisation, with errors')
      await page.locator('.govuk-error-summary a[href="#boroughs"]').click()
      assert.equal(await activeId(page), 'boroughs', 'the error link moves focus to the first borough')

      await page.check('#boroughs-sefton')
      await page.fill('#signed_on', '2026-02-01')
      await page.fill('#contact_email', 'register@sefton-homes.example')
      await page.getByRole('button', { name: 'Add the organisation' }).click()
      await page.waitForLoadState('load')
      assert.match(await page.locator('.govuk-notification-banner').innerText(), /Sefton Homes Trust is added/)
      await axeClean(page, 'the list of organisations after adding one')

      await page.goto(url('/manage/organisations/sefton-homes/details'))
      assert.equal(await page.inputValue('#name'), 'Sefton Homes Trust')
      await axeClean(page, 'changing an organisation')
      await page.goto(url('/manage/organisations/sefton-homes/retire'))
      await axeClean(page, 'retiring an organisation')
      await page.getByRole('button', { name: 'Retire Sefton Homes Trust' }).click()
      await page.waitForLoadState('load')
      assert.match(await page.locator('.govuk-notification-banner').innerText(), /is retired/)

      const visitor = await context.newPage()
      await visitor.setViewportSize({ width: 320, height: 800 })
      await visitor.goto(url('/organisations/sefton-homes'))
      assert.match(await visitor.locator('main').innerText(), /former signatory/)
      await axeClean(visitor, 'a former signatory, at 320 px')
      await visitor.goto(url('/organisations'))
      assert.match(await visitor.locator('main').innerText(), /Former signatory/)
      await axeClean(visitor, 'the organisations with a former signatory, at 320 px')
    } finally {
      await context.close()
    }
  })
})

// ---------------------------------------------------------------------------------------------
// g. Identifier kinds: a site administrator sets one up, a resident opts out with it. Last in the
// file: from here on the opt-out form asks which identifier is given.

describe('identifier kinds', () => {
  test('set up a tenancy reference, opt out with it, retire it', { timeout: 180_000 }, async () => {
    const added = spawnSync(CHARTER_BIN, ['--data-dir', dataDir, 'user', 'add', '--email', 'site@register.example',
      '--role', 'site-admin', '--base-url', baseUrl], { encoding: 'utf8' })
    assert.equal(added.status, 0, added.stderr)
    const context = await browser.newContext({ bypassCSP: true })
    const page = await context.newPage()
    try {
      await page.goto(added.stdout.trim())
      await page.fill('#password', 'birkenhead ferry terminal')
      await page.fill('#confirm', 'birkenhead ferry terminal')
      await page.getByRole('button', { name: 'Set password' }).click()
      await page.waitForLoadState('load')
      await page.fill('#email', 'site@register.example')
      await page.fill('#password', 'birkenhead ferry terminal')
      await page.getByRole('button', { name: 'Sign in' }).click()
      await page.waitForLoadState('load')
      await page.getByRole('link', { name: 'Identifiers residents can opt out with' }).click()
      await page.waitForLoadState('load')
      assert.match(page.url(), /\/manage\/identifier-kinds$/)
      await axeClean(page, 'identifier kinds')

      // Errors first: the summary links to the fields, and what was typed stays.
      await page.fill('#label', 'Knowsley Council tenancy reference')
      await page.fill('#min_len', '12')
      await page.fill('#max_len', '6')
      await page.getByRole('button', { name: 'Add identifier kind' }).click()
      await page.waitForLoadState('load')
      assert.equal(await page.locator('.govuk-error-summary').count(), 1)
      assert.equal(await page.inputValue('#label'), 'Knowsley Council tenancy reference')
      await page.screenshot({ path: path.join(ARTIFACTS, 'identifier-kinds-errors.png'), fullPage: true })
      await axeClean(page, 'identifier kinds with errors')
      await page.locator('.govuk-error-summary a[href="#name"]').click()
      assert.equal(await activeId(page), 'name', 'the error link moves focus to the field')

      await page.fill('#name', 'knowsley-tenancy-ref')
      await page.fill('#hint', 'It is on your tenancy agreement.')
      await page.check('#charset-2')
      await page.fill('#min_len', '6')
      await page.fill('#max_len', '10')
      await page.getByRole('button', { name: 'Add identifier kind' }).click()
      await page.waitForLoadState('load')
      assert.match(await page.locator('.govuk-notification-banner').innerText(), /is set up/)
      await page.screenshot({ path: path.join(ARTIFACTS, 'identifier-kinds.png'), fullPage: true })
      await axeClean(page, 'identifier kinds after adding one')
      await page.getByRole('link', { name: 'Change Knowsley Council tenancy reference' }).click()
      await page.waitForLoadState('load')
      await axeClean(page, 'changing an identifier kind')

      // A resident gives a tenancy reference instead of an NHS number.
      const resident = await context.newPage()
      await resident.goto(url('/opt-out'))
      await axeClean(resident, 'the opt-out form with a choice of identifiers')
      assert.ok(await resident.isVisible('#nhs_number'))
      assert.ok(await resident.isVisible('#identifier-knowsley-tenancy-ref'))
      await resident.check('#scope')
      await resident.check('#for')
      await resident.fill('#identifier-knowsley-tenancy-ref', 'KT 12')
      await resident.getByRole('button', { name: 'Opt out' }).click()
      await resident.waitForLoadState('load')
      assert.match(await resident.locator('.govuk-error-summary').innerText(), /must be 6 to 10 characters long/)
      await resident.locator('.govuk-error-summary a[href="#identifier-knowsley-tenancy-ref"]').click()
      assert.equal(await activeId(resident), 'identifier-knowsley-tenancy-ref')
      await resident.screenshot({ path: path.join(ARTIFACTS, 'opt-out-other-kind-errors.png'), fullPage: true })
      await axeClean(resident, 'the opt-out form with an identifier error')
      await resident.fill('#identifier-knowsley-tenancy-ref', 'KT 123 456')
      await resident.getByRole('button', { name: 'Opt out' }).click()
      await resident.waitForLoadState('load')
      assert.match(resident.url(), /\/opt-out\/manage\/[0-9a-f]{48}\?new=1$/)
      assert.match(await resident.locator('main').innerText(), /Knowsley Council tenancy reference/)
      await axeClean(resident, 'the receipt for another identifier')

      // Now in use: it can only be seen and retired.
      await page.goto(url('/manage/identifier-kinds/knowsley-tenancy-ref'))
      assert.match(await page.locator('main').innerText(), /can no longer change/)
      await axeClean(page, 'an identifier kind in use')
      await page.goto(url('/manage/identifier-kinds'))
      await page.getByRole('button', { name: 'Retire Knowsley Council tenancy reference' }).click()
      await page.waitForLoadState('load')
      assert.match(await page.locator('.govuk-notification-banner').innerText(), /is retired/)
      await axeClean(page, 'identifier kinds after retiring one')
      await resident.goto(url('/opt-out'))
      assert.equal(await resident.locator('#identifier-knowsley-tenancy-ref').count(), 0)
    } finally {
      await context.close()
    }
  })
})

// ---------------------------------------------------------------------------------------------
// The breach log: an organisation's administrator logs a breach, decides the risk, tells the
// ICO and closes it; the public summary shows on the organisation's page. Every page on the way
// is checked with axe-core and at 320 px; the charter body sees the region's view.

describe('breach log', () => {
  async function signedIn(email, role, organisation) {
    const args = ['--data-dir', dataDir, 'user', 'add', '--email', email, '--role', role, '--base-url', baseUrl]
    if (organisation) args.push('--organisation', organisation)
    const added = spawnSync(CHARTER_BIN, args, { encoding: 'utf8' })
    assert.equal(added.status, 0, added.stderr)
    const context = await browser.newContext({ bypassCSP: true })
    const page = await context.newPage()
    await page.goto(added.stdout.trim())
    await page.fill('#password', 'pier head ferry rides')
    await page.fill('#confirm', 'pier head ferry rides')
    await page.getByRole('button', { name: 'Set password' }).click()
    await page.waitForLoadState('load')
    await page.fill('#email', email)
    await page.fill('#password', 'pier head ferry rides')
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.waitForLoadState('load')
    return { context, page }
  }

  /** axe-core clean, and no sideways scrolling at 320 px. */
  async function checked(page, what) {
    await axeClean(page, what)
    const size = page.viewportSize()
    await page.setViewportSize({ width: 320, height: 640 })
    const { scrollWidth, offenders } = await page.evaluate(reflowReport)
    assert.ok(scrollWidth <= 321, `${what} is ${scrollWidth} px wide at 320 px:\n${offenders.join('\n')}`)
    await page.setViewportSize(size || { width: 1280, height: 800 })
  }

  async function press(page, name) {
    await page.getByRole('button', { name, exact: true }).click()
    await page.waitForLoadState('load')
  }

  async function when(page, name, day, month, year, time) {
    await page.fill(`#${name}`, day)
    await page.fill(`#${name}_month`, month)
    await page.fill(`#${name}_year`, year)
    await page.fill(`#${name}_time`, time)
  }

  test('log a breach, decide, report, close, see the public summary', { timeout: 240_000 }, async () => {
    const slug = pageByName('organisation').path.split('/').pop()
    const admin = await signedIn('breaches@org.example', 'organisation-admin', slug)
    const moderator = await signedIn('breaches@charter.example', 'moderator', null)
    const p = admin.page
    try {
      await p.getByRole('link', { name: 'Breach log' }).click()
      await p.waitForLoadState('load')
      await checked(p, 'the breach log')
      await p.getByRole('button', { name: 'Log a breach' }).click()
      await p.waitForLoadState('load')
      await checked(p, 'log a breach')

      // Found out in the future: the error summary, with what was typed kept.
      await p.fill('#title', 'Letters sent to the wrong homes')
      await when(p, 'aware', '27', '3', '2099', '9:00')
      await p.fill('#what_happened', 'A mail merge mixed up names and addresses.')
      await p.check('#cyber-no')
      await p.fill('#data_kinds', 'Names and addresses')
      await p.fill('#people_kinds', 'Tenants')
      await p.fill('#consequences', 'People could see who lives where.')
      await p.fill('#measures', 'We asked for the letters back.')
      await press(p, 'Log the breach')
      assert.match(await p.locator('.govuk-error-summary').innerText(), /in the future/)
      assert.equal(await p.inputValue('#title'), 'Letters sent to the wrong homes')
      await checked(p, 'log a breach, with an error')
      await p.fill('#aware_year', '2025')
      await press(p, 'Log the breach')
      assert.match(await p.locator('h1').innerText(), /Letters sent to the wrong homes/)
      assert.match(await p.locator('#time-left').innerText(), /Late by/)
      await checked(p, 'a breach just logged')
      const breachUrl = p.url()

      await press(p, 'Start to check the risk')
      await p.check('#risk-risk')
      await press(p, 'Save the decision')
      await checked(p, 'a breach to report')
      await when(p, 'reported', '28', '3', '2025', '10:00')
      await p.fill('#reference', 'IC-000123')
      await press(p, 'Save')
      assert.match(await p.locator('#time-left').innerText(), /ICO told in time/)
      await p.fill('#summary', 'Letters went to the wrong homes. We fixed the mail merge and checked every letter.')
      await press(p, 'Close the breach')
      assert.match(await p.locator('main .govuk-summary-list').first().innerText(), /Stage\s+Closed/)
      await checked(p, 'a closed breach')

      // The charter body's view of the region; it sees the breach but cannot change it.
      const m = moderator.page
      await m.goto(url('/manage/breaches'))
      await checked(m, 'breaches in the region')
      await m.goto(breachUrl)
      assert.equal(await m.getByRole('button', { name: 'Close the breach' }).count(), 0)

      // A breach found yesterday at noon is still open: the charter body's part of the
      // dashboard shows its clock and what falls due; the public dashboard does not.
      const y = new Date(Date.now() - 86_400_000)
      await p.goto(url('/manage/breaches/new'))
      await p.fill('#title', 'A laptop left on a train')
      await when(p, 'aware', String(y.getUTCDate()), String(y.getUTCMonth() + 1), String(y.getUTCFullYear()), '12:00')
      await p.fill('#what_happened', 'A laptop was left on a train.')
      await p.check('#cyber-no')
      await p.fill('#data_kinds', 'Names')
      await p.fill('#people_kinds', 'Tenants')
      await p.fill('#consequences', 'Not known yet')
      await p.fill('#measures', 'We locked the laptop from afar.')
      await press(p, 'Log the breach')
      const openUrl = new URL(p.url()).pathname
      await m.goto(url('/dashboard'))
      const part = m.locator('section[aria-labelledby="moderators-title"]')
      assert.match(await part.innerText(), /A laptop left on a train[\s\S]*left/)
      // Linked twice: among the open breaches, and among what falls due.
      assert.equal(await part.locator(`a[href="${openUrl}"]`).count(), 2)
      assert.match(await part.innerText(), /Due in the next 30 days/)
      assert.match(await m.locator('#breaches-caption').innerText(), /Breaches told to the ICO on time/)
      await checked(m, "the dashboard, the charter body's view")

      // The public summary, with nothing about the people.
      const visitor = await browser.newContext({ bypassCSP: true })
      const anyone = await visitor.newPage()
      try {
        await anyone.goto(url(`/organisations/${slug}`))
        const section = await anyone.locator('main').innerText()
        assert.match(section, /We fixed the mail merge/)
        assert.doesNotMatch(section, /IC-000123|Tenants/)
        await checked(anyone, 'the organisation page with a closed breach')
        await anyone.goto(url('/dashboard'))
        assert.doesNotMatch(await anyone.locator('main').innerText(), /For the charter body|A laptop left on a train/)
        assert.equal(await anyone.locator('#breaches-caption').count(), 1)
        await checked(anyone, 'the public dashboard with the breaches chart')
      } finally {
        await visitor.close()
      }
    } finally {
      await admin.context.close()
      await moderator.context.close()
    }
  })
})

// ---------------------------------------------------------------------------------------------
// Changes in the law: the charter body records one (errors first, then checking which entries it
// touches), the organisation reviews an entry against it through a draft, the charter body
// approves, and the entry's page shows it. axe at each step; the list reflows at 320 px.

describe('changes in the law', () => {
  /** Adds a person with the command line, sets their password by the link, and signs them in. */
  async function signedIn(email, role, organisation) {
    const args = ['--data-dir', dataDir, 'user', 'add', '--email', email, '--role', role, '--base-url', baseUrl]
    if (organisation) args.push('--organisation', organisation)
    const added = spawnSync(CHARTER_BIN, args, { encoding: 'utf8' })
    assert.equal(added.status, 0, added.stderr)
    const context = await browser.newContext({ bypassCSP: true })
    const page = await context.newPage()
    await page.goto(added.stdout.trim())
    await page.fill('#password', 'mersey tunnel toll booth')
    await page.fill('#confirm', 'mersey tunnel toll booth')
    await page.getByRole('button', { name: 'Set password' }).click()
    await page.waitForLoadState('load')
    await page.fill('#email', email)
    await page.fill('#password', 'mersey tunnel toll booth')
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.waitForLoadState('load')
    return { context, page }
  }

  async function click(page, name) {
    await page.getByRole('button', { name, exact: true }).click()
    await page.waitForLoadState('load')
  }

  test('record a change, review an entry against it, see it on the entry', { timeout: 300_000 }, async () => {
    const slug = pageByName('organisation').path.split('/').pop()
    const editor = await signedIn('editor@law.example', 'organisation-editor', slug)
    const moderator = await signedIn('moderator@law.example', 'moderator', null)
    const e = editor.page
    const m = moderator.page
    try {
      // An entry of the organisation that can be submitted as it stands.
      await e.goto(url(`/manage/organisations/${slug}`))
      const row = e.locator('tr', { hasText: 'Essential checks met' }).first()
      const entryId = (await row.locator('.charter-meta').first().innerText()).trim()
      assert.match(entryId, /^LCR-\d+$/)

      await m.goto(url('/manage'))
      await m.getByRole('link', { name: 'Changes in the law' }).click()
      await m.waitForLoadState('load')
      assert.match(m.url(), /\/manage\/law-changes$/)
      await m.getByText('Data (Use and Access) Act 2025').first().waitFor()
      await axeClean(m, 'the list of changes in the law')

      // Nothing chosen: clear errors, linked to their fields, and what was typed kept.
      await m.fill('#title', 'Library data policy')
      await click(m, 'Add the change')
      assert.equal(await m.locator('.govuk-error-summary').count(), 1)
      assert.equal(await m.inputValue('#title'), 'Library data policy')
      await axeClean(m, 'a change with errors')
      await m.locator('.govuk-error-summary a[href="#way"]').click()
      assert.equal(await activeId(m), 'way', 'the error link moves focus to the first choice')

      await m.fill('#what_changed', 'Libraries must say how long they keep borrowing records.')
      await m.fill('#in_force', '2027-01-01')
      await m.fill('#url', 'https://example.org/library-data-policy')
      await m.fill('#due_on', '2099-06-30')
      await m.check('#way-entries')
      await m.fill('#entries', entryId)
      await click(m, 'Check which entries it touches')
      await m.getByText('This change touches 1 entry').waitFor()
      await axeClean(m, 'the entries a change touches')
      await click(m, 'Add the change')
      const banner = await m.locator('.govuk-notification-banner').innerText()
      const change = banner.match(/LAW-\d+/)[0]
      assert.match(banner, /is on the list/)
      await axeClean(m, 'the list after adding a change')
      await m.setViewportSize({ width: 320, height: 800 })
      const reflow = await m.evaluate(reflowReport)
      assert.ok(reflow.scrollWidth <= 320, `the list scrolls sideways at 320 px: ${reflow.offenders.join('; ')}`)
      await axeClean(m, 'the list at 320 px')
      await m.setViewportSize({ width: 1280, height: 800 })

      // The organisation sees its task and reviews the entry through a draft.
      await e.goto(url(`/manage/organisations/${slug}`))
      await e.getByText('Changes in the law to check').waitFor()
      await axeClean(e, 'the tools page with a change to check')
      await e.getByRole('button', { name: new RegExp(`^Check .* against ${change}$`) }).click()
      await e.waitForLoadState('load')
      const draftUrl = e.url()
      assert.match(draftUrl, /\/manage\/drafts\/\d+$/)
      await e.getByRole('link', { name: 'Changes in the law', exact: true }).click()
      await e.waitForLoadState('load')
      await axeClean(e, 'the changes in the law section')
      await e.fill('[id="law_reviews.0.change"]', 'the library policy')
      await e.fill('[id="law_reviews.0.reviewed_on"]', '2026-12-01')
      await e.fill('[id="law_reviews.0.note"]', 'We keep borrowing records for one year. The entry now says so.')
      await click(e, 'Save and go back to the draft')
      assert.equal(await e.locator('.govuk-error-summary').count(), 1, 'a change is named by its number')
      await axeClean(e, 'the section with an error')
      await e.fill('[id="law_reviews.0.change"]', change)
      await click(e, 'Save and go back to the draft')
      assert.equal(e.url(), draftUrl)
      await e.fill('#note', `Checked against ${change}`)
      await click(e, 'Submit for review')
      await e.getByText('Waiting for review').first().waitFor()

      await m.goto(url(draftUrl.replace(baseUrl, '') + '/review'))
      await axeClean(m, 'the review of a law check')
      await click(m, 'Approve and publish')
      assert.match(m.url(), new RegExp(`/projects/${entryId}$`))
      await m.getByText('We keep borrowing records for one year.').waitFor()
      assert.match(await m.locator('main').innerText(), /Library data policy[\s\S]{0,40}Checked/)
      await axeClean(m, 'the entry reviewed against the change')
      await e.goto(url(`/manage/organisations/${slug}`))
      assert.equal(await e.getByRole('button', { name: new RegExp(`against ${change}$`) }).count(), 0, 'the task is done')
    } finally {
      await editor.context.close()
      await moderator.context.close()
    }
  })
})
