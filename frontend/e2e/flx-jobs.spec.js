import { expect, test } from '@playwright/test'
import { FLX, FLX_PBX, POPULATED_FLEET, calls, installDesk } from './desk-double.js'

const [WEB1] = POPULATED_FLEET.servers

// Snapshots on a schedule: a .flx job made in the wizard, its snapshots on
// the server page, and one of them restored with the account for its
// FlexPBX home files.

test('New job: a .flx job through the wizard reaches CreateJob with its profile, type and the 7/4/12 retention', async ({ page }) => {
  await installDesk(page, POPULATED_FLEET)
  await page.goto('/#/jobs/new')

  await page.getByTestId('job-server').selectOption({ label: 'web1' })
  await page.getByTestId('job-kind-flx').click()
  await expect(page.getByTestId('job-name')).toHaveValue('snapshots')
  await expect(page.getByTestId('job-compression')).toHaveCount(0)
  await expect(page.getByTestId('job-pre')).toHaveCount(0)
  await page.getByTestId('job-flx-profile').selectOption('flexpbx')
  await page.getByTestId('job-flx-type').selectOption('flxx')
  await expect(page.getByTestId('job-flx-sanitize')).toBeChecked()
  await page.getByTestId('wizard-next').click()

  await expect(page.getByTestId('wizard-heading')).toHaveText('When to run')
  await page.getByTestId('wizard-next').click()
  await expect(page.getByTestId('keep-monthly')).toHaveValue('12')
  await expect(page.getByTestId('keep-summary')).toContainText('one a month for 12 months')
  await page.getByTestId('wizard-next').click()

  await expect(page.getByTestId('review-targets')).toContainText('flexpbx .flxx')
  await page.getByTestId('wizard-create').click()
  await expect(page).toHaveURL(/#\/jobs\/6$/)
  expect((await calls(page, 'CreateJob')).map((c) => c.args)).toEqual([
    [
      {
        server: WEB1.uuid,
        name: 'snapshots',
        spec: { kind: 'flx', flx: { profile: 'flexpbx', type: 'flxx' } },
        schedule: '0 3 * * *',
        keep: { daily: 7, weekly: 4, monthly: 12 },
      },
    ],
  ])
})

test('the server page marks a .flx job’s snapshots, and one opens to be restored into an account’s home', async ({ page }) => {
  const jobPath = `/var/lib/borgdesk-test/flx/servers/${WEB1.uuid}/job-6/${FLX_PBX.name}`
  const flx = {
    ...FLX,
    received: { [WEB1.uuid]: [jobPath, ...FLX.received[WEB1.uuid]] },
    files: { ...FLX.files, [jobPath]: { ...FLX_PBX, source: jobPath } },
  }
  await installDesk(page, { ...POPULATED_FLEET, flx })
  await page.goto(`/#/servers/${WEB1.uuid}`)

  const rows = page.getByTestId('flx-card').getByTestId('flx-snapshot-row')
  await expect(rows).toHaveCount(2)
  await expect(rows.nth(0).getByTestId('flx-snapshot-scheduled')).toHaveText('scheduled')
  await expect(rows.nth(1).getByTestId('flx-snapshot-scheduled')).toHaveCount(0)

  await rows.nth(0).getByTestId('flx-snapshot-open').click()
  const view = page.getByTestId('flx-restore-view')
  await expect(view.getByTestId('flx-name')).toHaveText(FLX_PBX.name)
  await view.getByTestId('flx-server').selectOption(WEB1.uuid)
  await view.getByTestId('flx-user').fill('pbx')
  await view.getByTestId('flx-dry-run').click()
  await expect.poll(async () => (await calls(page, 'RestoreFlx')).map((c) => c.args[0])).toEqual([
    { id: FLX_PBX.id, server: WEB1.uuid, mode: 'merge', user: 'pbx', dry_run: true, root: '' },
  ])
})
