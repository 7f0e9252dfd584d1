import { expect, test } from '@playwright/test'
import { POPULATED_FLEET, calls, fire, installDesk } from './desk-double.js'

const [WEB1, DB1] = POPULATED_FLEET.servers

// 250 events a minute apart, newest first, in five sorts: failed and
// succeeded runs of two web1 jobs, db1 going offline, retention of db1's
// shop-db, and a setting (no server). Go's severity, server and job come
// from the double as store.AppendEvent would find them.
const EVENTS = Array.from({ length: 250 }, (_, k) => {
  const id = 250 - k
  const at = new Date(Date.UTC(2026, 10, 22, 8, 0, 0) - k * 60_000).toISOString().replace('.000Z', 'Z')
  switch (id % 5) {
    case 0:
      return { id, at, kind: 'run:progress', subject: WEB1.uuid, message: `run ${id} of ${WEB1.name}/etc-and-www failed: disk "full", no space`, data: { job_id: 1, status: 'failed' } }
    case 1:
      return { id, at, kind: 'server:changed', subject: DB1.uuid, message: `server ${DB1.name} is offline (no heartbeat for 3m0s)`, data: { id: DB1.id, status: 'offline' } }
    case 2:
      return { id, at, kind: 'job:changed', subject: DB1.uuid, message: `retention of ${DB1.name}/shop-db: kept 7, pruned ${id % 3} archive(s)`, data: { job_id: 2 } }
    case 3:
      return { id, at, kind: 'settings:changed', subject: 'ui.theme', message: 'ui.theme changed', data: { key: 'ui.theme' } }
    default:
      return { id, at, kind: 'run:progress', subject: WEB1.uuid, message: `run ${id} of ${WEB1.name}/app-volumes succeeded`, data: { job_id: 4, status: 'succeeded' } }
  }
})
const FLEET = { ...POPULATED_FLEET, events: EVENTS }

const rows = (page) => page.getByTestId('events-row')
const ids = (page) => rows(page).evaluateAll((els) => els.map((e) => Number(e.dataset.id)))
const lastQuery = async (page) => (await calls(page, 'QueryEvents')).at(-1).args[0]

test('the Events page pages through the whole history, a page at a time', async ({ page }) => {
  await installDesk(page, FLEET)
  await page.goto('/')
  await page.getByTestId('nav-events').click()
  await expect(page.getByTestId('nav-events')).toHaveAttribute('data-active', 'true')

  await expect(rows(page)).toHaveCount(100)
  expect(await lastQuery(page)).toEqual({ limit: 100 })
  await expect(page.getByTestId('events-page')).toHaveText('Page 1')
  await expect(page.getByTestId('events-newer')).toBeDisabled()
  const first = rows(page).first()
  await expect(first).toHaveAttribute('data-id', '250')
  await expect(first.getByTestId('events-row-severity')).toHaveText('Error')
  await expect(first.getByTestId('events-row-server')).toHaveText(WEB1.name)
  await expect(rows(page).nth(1).getByTestId('events-row-severity')).toHaveText('Info')
  await expect(rows(page).nth(2).getByTestId('events-row-server')).toHaveText('—')
  await expect(rows(page).nth(4).getByTestId('events-row-text')).toHaveText(`Server ${DB1.name} is offline`)
  await expect(rows(page).nth(4).getByTestId('events-row-severity')).toHaveText('Warning')

  // Older asks Go for the events before the last one shown: the DOM keeps one page.
  await page.getByTestId('events-older').click()
  await expect(page.getByTestId('events-page')).toHaveText('Page 2')
  await expect(rows(page).first()).toHaveAttribute('data-id', '150')
  expect(await lastQuery(page)).toEqual({ limit: 100, before: 151 })
  await expect(rows(page)).toHaveCount(100)
  await page.getByTestId('events-older').click()
  await expect(rows(page)).toHaveCount(50)
  await expect(rows(page).last()).toHaveAttribute('data-id', '1')
  await expect(page.getByTestId('events-older')).toBeDisabled()

  await page.getByTestId('events-newer').click()
  await expect(rows(page).first()).toHaveAttribute('data-id', '150')
  await page.getByTestId('events-newest').click()
  await expect(page.getByTestId('events-page')).toHaveText('Page 1')
  await expect(rows(page).first()).toHaveAttribute('data-id', '250')
})

test('Go filters by server, job, kind, severity, time and words', async ({ page }) => {
  await installDesk(page, FLEET)
  await page.goto('/#/events')
  await expect(rows(page)).toHaveCount(100)

  await page.getByTestId('events-server').selectOption({ label: DB1.name })
  await expect.poll(() => lastQuery(page)).toEqual({ limit: 100, server: String(DB1.id) })
  await expect(rows(page).getByTestId('events-row-server')).toHaveText(Array(100).fill(DB1.name))
  // The jobs offered are the server's.
  await expect(page.getByTestId('events-job').locator('option')).toHaveText(['All jobs', 'db1/pg-main', 'db1/shop-db'])
  await page.getByTestId('events-job').selectOption({ label: 'db1/shop-db' })
  await expect(rows(page)).toHaveCount(50)
  expect(new Set(await rows(page).evaluateAll((els) => els.map((e) => e.dataset.kind)))).toEqual(new Set(['job:changed']))
  await expect(page.getByTestId('events-older')).toHaveCount(0)

  await page.getByTestId('events-clear').click()
  await expect(rows(page)).toHaveCount(100)
  await expect(page.getByTestId('events-clear')).toHaveCount(0)

  await page.getByTestId('events-severity').selectOption({ label: 'Warnings and errors' })
  await expect.poll(async () => new Set(await rows(page).evaluateAll((els) => els.map((e) => e.dataset.severity)))).toEqual(new Set(['error', 'warning']))
  await page.getByTestId('events-severity').selectOption({ label: 'Errors only' })
  await page.getByTestId('events-kind').selectOption({ label: 'Backup run' })
  await expect(rows(page)).toHaveCount(50)
  expect(await lastQuery(page)).toEqual({ limit: 100, severity: 'error', kinds: ['run:progress'] })

  // Time: the page's clock is UTC; from 06:00 until 07:00 holds 60 minutes.
  await page.getByTestId('events-clear').click()
  await page.getByTestId('events-from').fill('2026-11-22T06:00')
  await page.getByTestId('events-until').fill('2026-11-22T07:00')
  await expect(rows(page)).toHaveCount(60)
  expect(await ids(page)).toEqual(Array.from({ length: 60 }, (_, k) => 189 - k))

  // Words: Go searches once typing pauses, or at once on Enter.
  await page.getByTestId('events-clear').click()
  await page.getByTestId('events-search').fill('PRUNED 2')
  await page.getByTestId('events-search').press('Enter')
  await expect.poll(() => lastQuery(page)).toEqual({ limit: 100, search: 'PRUNED 2' })
  await expect(rows(page).getByTestId('events-row-kind')).toHaveText(Array(17).fill('Backup job'))
  await page.getByTestId('events-search').fill('no such words')
  await expect(page.getByTestId('events-none-match')).toHaveText('No event matches these filters.')

  // A bad range: Go's sentence.
  await page.getByTestId('events-clear').click()
  await page.evaluate(() => (window.__desk.state.failures = { QueryEvents: 'invalid input: the time range ends before it starts: swap them' }))
  await page.getByTestId('events-from').fill('2026-11-23T00:00')
  await expect(page.getByTestId('error-alert')).toContainText('swap them')
})

test('export writes every event the filters select as CSV or JSON', async ({ page }) => {
  await installDesk(page, FLEET)
  await page.goto('/#/events')
  await page.getByTestId('events-severity').selectOption({ label: 'Errors only' })
  await expect(rows(page)).toHaveCount(50)

  const [csv] = await Promise.all([page.waitForEvent('download'), page.getByTestId('events-export-csv').click()])
  expect(csv.suggestedFilename()).toBe('borgdesk-events.csv')
  const text = await (await import('node:fs/promises')).readFile(await csv.path(), 'utf8')
  const lines = text.trimEnd().split('\r\n')
  expect(lines[0]).toBe('id,time,severity,kind,server,job,subject,message,data')
  expect(lines).toHaveLength(51)
  expect(lines[1]).toBe(
    `250,2026-11-22T08:00:00Z,error,run:progress,web1,etc-and-www,${WEB1.uuid},"run 250 of web1/etc-and-www failed: disk ""full"", no space","{""job_id"":1,""status"":""failed""}"`,
  )
  expect((await calls(page, 'ExportEvents')).at(-1).args).toEqual([{ limit: 0, severity: 'error' }, 'csv'])
  await expect(page.getByTestId('events-exported')).toHaveText('Saved to /home/ops/borgdesk-events.csv')

  await page.getByTestId('events-clear').click()
  await page.getByTestId('events-server').selectOption({ label: DB1.name })
  const [json] = await Promise.all([page.waitForEvent('download'), page.getByTestId('events-export-json').click()])
  const evs = JSON.parse(await (await import('node:fs/promises')).readFile(await json.path(), 'utf8'))
  // Every matching event, not only the page shown.
  expect(evs).toHaveLength(100)
  expect(new Set(evs.map((e) => e.server_name))).toEqual(new Set([DB1.name]))
})

test('a new event that matches joins the top of the newest page', async ({ page }) => {
  await installDesk(page, FLEET)
  await page.goto('/#/events')
  await page.getByTestId('events-server').selectOption({ label: WEB1.name })
  await expect(rows(page).first()).toHaveAttribute('data-id', '250')
  await fire(page, 'server:changed', { id: 251, at: '2026-11-22T08:01:00Z', kind: 'server:changed', subject: DB1.uuid, message: `server ${DB1.name} is online`, severity: 'info', server_id: DB1.id })
  await fire(page, 'server:changed', { id: 252, at: '2026-11-22T08:02:00Z', kind: 'server:changed', subject: WEB1.uuid, message: `server ${WEB1.name} is online`, severity: 'info', server_id: WEB1.id })
  await expect(rows(page).first()).toHaveAttribute('data-id', '252')
  await expect(rows(page).first().getByTestId('events-row-text')).toHaveText(`Server ${WEB1.name} is online`)
  await expect(rows(page).nth(1)).toHaveAttribute('data-id', '250')
  await expect(rows(page)).toHaveCount(100)
})

test('the events speak the operator’s language', async ({ page }) => {
  await installDesk(page, { ...FLEET, settings: { ...FLEET.settings, 'ui.locale': 'fr' } })
  await page.goto('/#/events')
  await expect(page.getByTestId('nav-events')).toHaveText('Événements')
  await expect(rows(page).nth(4).getByTestId('events-row-text')).toHaveText(`Le serveur ${DB1.name} est hors ligne`)
  await expect(rows(page).first().getByTestId('events-row-severity')).toHaveText('Erreur')
  await expect(page.getByTestId('events-page')).toHaveText('Page 1')
  await expect(page.getByTestId('events-older')).toHaveText('Plus anciens')
})

test('an empty log says so', async ({ page }) => {
  await installDesk(page)
  await page.goto('/#/events')
  await expect(page.getByTestId('events-empty')).toHaveText('Nothing has happened yet.')
  await expect(page.getByTestId('events-older')).toHaveCount(0)
})

test('Copy diagnostics under About puts Go’s report on the clipboard', async ({ page }) => {
  await installDesk(page, FLEET)
  await page.goto('/#/settings')
  await page.getByTestId('diagnostics-copy').click()
  await expect(page.getByTestId('diagnostics-copied')).toHaveText('Copied to the clipboard')
  const copied = await page.evaluate(() => window.__clipboard)
  expect(copied).toContain('Borgdesk diagnostics')
  expect(copied).toContain(`run 250 of web1/etc-and-www failed`)
  expect(await calls(page, 'Diagnostics')).toHaveLength(1)
})
