import { expect, test } from '@playwright/test'
import { OPERATOR_FLEET, POPULATED_FLEET, installDesk } from './desk-double.js'

// The window's shell: only the content pane scrolls, each page opens at its
// top and Back returns to where it was, key columns and dialog footers stay
// on screen in a small window, and the dashboard does not jump when the
// fleet's health arrives.

const WEB1 = POPULATED_FLEET.servers[0]

const pane = (page) => page.locator('main')
const paneTop = (page) => pane(page).evaluate((el) => el.scrollTop)

// scrollPane turns the mouse wheel over the content pane, as an operator does.
async function scrollPane(page, dy, times = 1) {
  const box = await pane(page).boundingBox()
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2)
  for (let i = 0; i < times; i++) await page.mouse.wheel(0, dy)
}

// onScreen says whether el is whole inside the viewport and inside every
// ancestor that clips it (a table's card that scrolls sideways, a dialog's body).
function onScreen(el) {
  const r = el.getBoundingClientRect()
  if (r.width === 0 || r.height === 0) return false
  const inside = (box) => r.left >= box.left - 1 && r.right <= box.right + 1 && r.top >= box.top - 1 && r.bottom <= box.bottom + 1
  if (!inside({ left: 0, top: 0, right: window.innerWidth, bottom: window.innerHeight })) return false
  for (let p = el.parentElement; p; p = p.parentElement) {
    const style = getComputedStyle(p)
    if (style.overflowX !== 'visible' || style.overflowY !== 'visible') {
      if (p === document.body || p === document.documentElement) continue
      const box = p.getBoundingClientRect()
      if (style.overflowX !== 'visible' && (r.left < box.left - 1 || r.right > box.right + 1)) return false
      if (style.overflowY !== 'visible' && (r.top < box.top - 1 || r.bottom > box.bottom + 1)) return false
    }
  }
  return true
}

test('scrolling a long server page to its end moves only the content pane', async ({ page }) => {
  await page.setViewportSize({ width: 1024, height: 700 })
  await installDesk(page, POPULATED_FLEET)
  await page.goto(`/#/servers/${WEB1.uuid}`)
  await expect(page.getByTestId('page-title')).toHaveText('web1')
  await expect(page.getByTestId('metric-cpu')).toBeVisible()
  const { scrollHeight, clientHeight } = await pane(page).evaluate((el) => ({ scrollHeight: el.scrollHeight, clientHeight: el.clientHeight }))
  expect(scrollHeight, 'the server page is longer than the window').toBeGreaterThan(clientHeight + 200)

  // Past the end: the wheel goes on turning once the pane is at its bottom.
  await scrollPane(page, 600, 12)
  await expect.poll(() => paneTop(page)).toBeGreaterThanOrEqual(scrollHeight - clientHeight - 1)

  const sidebar = await page.getByTestId('sidebar').boundingBox()
  expect(sidebar.y).toBe(0)
  expect(sidebar.height).toBe(700)
  await expect(page.getByTestId('nav-dashboard')).toBeInViewport()
  expect(await page.evaluate(() => document.scrollingElement.scrollTop)).toBe(0)
  // Nothing outside the pane may make the document scrollable at all.
  expect(await page.evaluate(() => document.scrollingElement.scrollHeight)).toBe(700)
  await page.evaluate(() => window.scrollTo(0, 10_000))
  expect(await page.evaluate(() => document.scrollingElement.scrollTop)).toBe(0)
})

test('a page opens at its top, and Back returns to where the last one was', async ({ page }) => {
  await page.setViewportSize({ width: 1024, height: 700 })
  await installDesk(page, POPULATED_FLEET)
  await page.goto(`/#/servers/${WEB1.uuid}`)
  await expect(page.getByTestId('metric-cpu')).toBeVisible()
  await scrollPane(page, 400)
  await expect.poll(() => paneTop(page)).toBe(400)

  // The dashboard is long enough to keep 400 px: it must open at 0.
  await page.getByTestId('nav-dashboard').click()
  await expect(page.getByTestId('page-dashboard')).toBeVisible()
  await expect(page.getByTestId('health-tile').first()).toBeVisible()
  expect(await paneTop(page)).toBe(0)
  await expect(page.getByTestId('page-title')).toBeInViewport()
  await scrollPane(page, 250)
  await expect.poll(() => paneTop(page)).toBe(250)

  await page.goBack()
  await expect(page.getByTestId('page-server-detail')).toBeVisible()
  await expect.poll(() => paneTop(page)).toBe(400)

  await page.goForward()
  await expect(page.getByTestId('page-dashboard')).toBeVisible()
  await expect.poll(() => paneTop(page)).toBe(250)

  // A new visit to the server page is a new entry: at its top again.
  await page.getByTestId('nav-servers').click()
  await page.getByTestId('server-link').filter({ hasText: 'web1' }).click()
  await expect(page.getByTestId('metric-cpu')).toBeVisible()
  expect(await paneTop(page)).toBe(0)
})

for (const size of [
  { width: 1024, height: 768 },
  { width: 1280, height: 800 },
]) {
  test(`at ${size.width}×${size.height} the Jobs table shows last run and Run now, the Servers table the status`, async ({ page }) => {
    await page.setViewportSize(size)
    await installDesk(page, POPULATED_FLEET)
    await page.goto('/#/jobs')
    const rows = page.getByTestId('job-row')
    await expect(rows).toHaveCount(POPULATED_FLEET.jobs.length)
    for (let i = 0; i < POPULATED_FLEET.jobs.length; i++) {
      await rows.nth(i).scrollIntoViewIfNeeded()
      expect(await rows.nth(i).getByTestId('job-last-run').evaluate(onScreen), `last run of job ${i}`).toBe(true)
      expect(await rows.nth(i).getByTestId('run-now').evaluate(onScreen), `Run now of job ${i}`).toBe(true)
    }
    expect(await page.getByTestId('jobs-table').locator('thead th').nth(4).evaluate(onScreen)).toBe(true)

    await page.getByTestId('nav-servers').click()
    const servers = page.getByTestId('server-row')
    await expect(servers).toHaveCount(POPULATED_FLEET.servers.length)
    for (let i = 0; i < POPULATED_FLEET.servers.length; i++) {
      expect(await servers.nth(i).getByTestId('server-status').evaluate(onScreen), `status of server ${i}`).toBe(true)
      expect(await servers.nth(i).getByTestId('server-link').evaluate(onScreen), `name of server ${i}`).toBe(true)
    }
    expect(await page.evaluate(() => document.scrollingElement.scrollWidth)).toBe(size.width)
  })
}

test('at 1024×700 a long dialog scrolls its body and keeps its footer on screen', async ({ page }) => {
  await page.setViewportSize({ width: 1024, height: 700 })
  await installDesk(page, POPULATED_FLEET)
  await page.goto('/#/servers')
  await page.getByTestId('add-server').click()
  await page.getByTestId('add-server-method-password').click()
  const dialog = page.getByTestId('add-server-dialog')
  await expect(dialog).toBeVisible()

  const body = dialog.getByTestId('dialog-body')
  const { scrollHeight, clientHeight } = await body.evaluate((el) => ({ scrollHeight: el.scrollHeight, clientHeight: el.clientHeight }))
  expect(scrollHeight, 'the SSH form is taller than the dialog').toBeGreaterThan(clientHeight)
  expect(await page.getByTestId('add-server-submit').evaluate(onScreen)).toBe(true)
  expect(await page.getByTestId('dialog-title').evaluate(onScreen)).toBe(true)

  await body.evaluate((el) => el.scrollTo(0, el.scrollHeight))
  expect(await page.getByTestId('add-server-submit').evaluate(onScreen)).toBe(true)
  expect(await page.getByTestId('add-server-cancel').evaluate(onScreen)).toBe(true)
  const box = await dialog.boundingBox()
  expect(box.y).toBeGreaterThanOrEqual(0)
  expect(box.y + box.height).toBeLessThanOrEqual(700)
})

test('the New job wizard keeps Next in one place from step to step', async ({ page }) => {
  await installDesk(page, POPULATED_FLEET)
  await page.goto('/#/jobs/new')
  await page.getByTestId('job-server').selectOption({ label: 'web1' })
  await page.getByTestId('job-name').fill('home-dirs')
  await page.getByTestId('job-paths').fill('/home')
  const next = page.getByTestId('wizard-next')
  const at = async () => (await next.boundingBox()).y
  const first = await at()
  await next.click()
  await expect(page.getByTestId('wizard-heading')).toHaveText('When to run')
  expect(await at()).toBe(first)
  await next.click()
  await expect(page.getByTestId('keep-summary')).toBeVisible()
  expect(await at()).toBe(first)
})

for (const [name, fleet] of [
  ['all healthy', POPULATED_FLEET],
  ['some at risk', OPERATOR_FLEET],
]) {
  test(`the health block keeps its place on the dashboard while the fleet is rated (${name})`, async ({ page }) => {
    await installDesk(page, fleet)
    // GetHealth answers only when the test lets it.
    await page.addInitScript(() => {
      const Desk = window.go.app.Desk
      const real = Desk.GetHealth
      let release
      const gate = new Promise((resolve) => (release = resolve))
      window.__releaseHealth = release
      Desk.GetHealth = async (...args) => {
        await gate
        return real(...args)
      }
    })
    await page.goto('/')
    const below = page.getByTestId('stat-servers')
    await expect(below).toContainText(String(fleet.status.servers))
    await expect(page.getByTestId('health-loading')).toBeVisible()
    await page.waitForTimeout(300)
    const before = (await below.boundingBox()).y

    await page.evaluate(() => window.__releaseHealth())
    await expect(page.getByTestId('health-loading')).toHaveCount(0)
    await expect(page.getByTestId('health-tile').first()).toBeVisible()
    await expect(page.getByTestId('attention-list')).toBeVisible()
    expect((await below.boundingBox()).y).toBe(before)
  })
}
