import { expect, test } from '@playwright/test'
import { POPULATED_FLEET, calls, fire, installDesk } from './desk-double.js'

const [WEB1, DB1] = POPULATED_FLEET.servers

// 130 events, newest first as Go's ListEvents answers them, in three kinds
// and on two servers (settings concern no server).
const EVENTS = Array.from({ length: 130 }, (_, k) => {
  const id = 130 - k
  const at = new Date(Date.UTC(2026, 10, 22, 8, 0, 0) - k * 60_000).toISOString()
  switch (id % 3) {
    case 0:
      return { id, at, kind: 'run:progress', subject: WEB1.uuid, message: `run ${id} of ${WEB1.name}/etc-and-www started: archive etc-and-www@${id}`, data: { run_id: id } }
    case 1:
      return { id, at, kind: 'server:changed', subject: DB1.uuid, message: `server ${DB1.name} is offline (no heartbeat for 3m0s)`, data: null }
    default:
      return { id, at, kind: 'settings:changed', subject: '', message: 'ui.theme changed', data: { key: 'ui.theme' } }
  }
})
const FLEET = { ...POPULATED_FLEET, events: EVENTS }

const rows = (page) => page.getByTestId('events-row')

test('the Events page lists the log in words, newest first, and loads more', async ({ page }) => {
  await installDesk(page, FLEET)
  await page.goto('/')
  await page.getByTestId('nav-events').click()
  await expect(page.getByTestId('page-events')).toBeVisible()
  await expect(page.getByTestId('nav-events')).toHaveAttribute('data-active', 'true')

  await expect(rows(page)).toHaveCount(100)
  await expect(page.getByTestId('events-count')).toHaveText('100 events')
  expect((await calls(page, 'ListEvents')).at(-1).args).toEqual([100])
  const first = rows(page).first()
  await expect(first).toHaveAttribute('data-id', '130')
  await expect(first.getByTestId('events-row-text')).toHaveText(`Server ${DB1.name} is offline`)
  await expect(first.getByTestId('events-row-server')).toHaveText(DB1.name)
  await expect(first.getByTestId('events-row-kind')).toHaveText('Server')
  await expect(rows(page).nth(1).getByTestId('events-row-text')).toHaveText(`Backup etc-and-www of ${WEB1.name} started, writing etc-and-www@129`)
  const third = rows(page).nth(2)
  await expect(third.getByTestId('events-row-text')).toHaveText('Setting “appearance” changed')
  await expect(third.getByTestId('events-row-kind')).toHaveText('Setting')
  await expect(third.getByTestId('events-row-server')).toHaveText('—')
  // Newest first, all the way down.
  const ids = await rows(page).evaluateAll((els) => els.map((e) => Number(e.dataset.id)))
  expect(ids).toEqual([...ids].sort((a, b) => b - a))

  await page.getByTestId('events-more').click()
  await expect(rows(page)).toHaveCount(130)
  expect((await calls(page, 'ListEvents')).at(-1).args).toEqual([200])
  await expect(rows(page).last()).toHaveAttribute('data-id', '1')
  // Go had fewer than asked for: there is nothing older.
  await expect(page.getByTestId('events-more')).toHaveCount(0)
})

test('events are filtered by kind and by server, and new ones appear on top', async ({ page }) => {
  await installDesk(page, FLEET)
  await page.goto('/#/events')
  await expect(rows(page)).toHaveCount(100)

  await page.getByTestId('events-kind').selectOption({ label: 'Backup run' })
  await expect(rows(page)).toHaveCount(33)
  await expect(page.getByTestId('events-count')).toHaveText('33 of 100 events')
  expect(new Set(await rows(page).evaluateAll((els) => els.map((e) => e.dataset.kind)))).toEqual(new Set(['run:progress']))

  await page.getByTestId('events-server').selectOption({ label: DB1.name })
  await expect(page.getByTestId('events-none-match')).toBeVisible()
  await page.getByTestId('events-kind').selectOption({ label: 'All kinds' })
  await expect(rows(page)).toHaveCount(34)
  await expect(rows(page).getByTestId('events-row-server')).toHaveText(Array(34).fill(DB1.name))

  // Go announces a logged event after it stored it: it joins the top.
  await page.getByTestId('events-server').selectOption({ label: 'All servers' })
  await fire(page, 'server:changed', { id: 131, at: '2026-11-22T08:01:00Z', kind: 'server:changed', subject: WEB1.uuid, message: `server ${WEB1.name} is online`, data: null })
  await expect(rows(page).first()).toHaveAttribute('data-id', '131')
  await expect(rows(page).first().getByTestId('events-row-text')).toHaveText(`Server ${WEB1.name} is online`)
  await expect(rows(page)).toHaveCount(100)
  await expect(page.getByTestId('error-alert')).toHaveCount(0)
})

test('the events speak the operator’s language', async ({ page }) => {
  await installDesk(page, { ...FLEET, settings: { ...FLEET.settings, 'ui.locale': 'fr' } })
  await page.goto('/#/events')
  await expect(page.getByTestId('nav-events')).toHaveText('Événements')
  await expect(rows(page).first().getByTestId('events-row-text')).toHaveText(`Le serveur ${DB1.name} est hors ligne`)
  await expect(rows(page).nth(2).getByTestId('events-row-text')).toHaveText('Réglage « apparence » modifié')
  await expect(page.getByTestId('events-count')).toHaveText('100 événements')
})

test('an empty log says so', async ({ page }) => {
  await installDesk(page)
  await page.goto('/#/events')
  await expect(page.getByTestId('events-empty')).toHaveText('Nothing has happened yet.')
  await expect(page.getByTestId('events-more')).toHaveCount(0)
})
