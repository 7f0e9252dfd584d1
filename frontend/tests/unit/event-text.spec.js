import { describe, expect, it } from 'vitest'
import { createAppI18n } from '@/i18n.js'
import { FLX_STORED, JOB_CHANGED, NOTIFICATION, REPLICA_CHANGED, RUN_PROGRESS, SETTINGS_CHANGED, TASK_CHANGED } from '@/events.js'
import { eventKind, eventText, formatIEC, withUnits } from '@/utils/eventText.js'

const say = (locale) => {
  const { t } = createAppI18n(locale).global
  return (event) => eventText(event, t, locale)
}
const ev = (kind, message, data = null) => ({ id: 1, at: '2026-11-22T10:00:00Z', kind, subject: '', message, data })

describe('formatIEC', () => {
  it.each([
    [0, '0 B'],
    [1023, '1,023 B'],
    [1536, '1.5 KiB'],
    [1502122360, '1.4 GiB'],
    [5 * 1024 ** 4, '5.0 TiB'],
  ])('%d bytes read %j', (n, want) => {
    expect(formatIEC(n, 'en')).toBe(want)
  })

  it('uses the locale for the number', () => {
    expect(formatIEC(1502122360, 'de')).toBe('1,4 GiB')
  })

  it('rewrites byte counts in a sentence', () => {
    expect(withUnits('1502122360 bytes copied', 'en')).toBe('1.4 GiB copied')
  })
})

describe('eventText', () => {
  it('says run events as sentences', () => {
    expect(say('en')(ev(RUN_PROGRESS, 'run 12 of web1/etc queued (schedule)'))).toBe('Backup etc of web1 queued (schedule)')
    expect(say('en')(ev(RUN_PROGRESS, 'run 12 of web1/etc succeeded'))).toBe('Backup etc of web1 succeeded')
    expect(say('fr')(ev(RUN_PROGRESS, 'run 12 of web1/etc failed: borg create: connection closed'))).toBe(
      'Sauvegarde etc de web1 échouée : borg create: connection closed',
    )
    expect(say('de')(ev(RUN_PROGRESS, 'run 12 of web1/etc cancelled'))).toBe('Sicherung etc von web1 abgebrochen')
  })

  it('says settings changes with the setting named, not the kind', () => {
    expect(say('en')(ev(SETTINGS_CHANGED, 'ui.theme changed', { key: 'ui.theme' }))).toBe('Setting “appearance” changed')
    expect(say('en')(ev(SETTINGS_CHANGED, 'smtp.host changed', { key: 'smtp.host' }))).toBe('Setting “smtp.host” changed')
  })

  it('says replication with sizes in binary units', () => {
    const msg = 'replication of web1 in sync: 3 archives, 1200 files (1502122360 bytes copied) in 2m10s to sftp://backup@nas/web1; verified 2026-11-22'
    expect(say('en')(ev(REPLICA_CHANGED, msg))).toBe('Replication of web1 to sftp://backup@nas/web1: 3 archives, 1200 files, 1.4 GiB copied in 2m10s')
  })

  it('says tasks and retention', () => {
    expect(say('en')(ev(TASK_CHANGED, 'restore task 41 succeeded on web1'))).toBe('File restore #41 on web1 succeeded')
    expect(say('de')(ev(JOB_CHANGED, 'retention of web1/etc: kept 7, pruned 2 archive(s)'))).toBe(
      'Aufbewahrung von etc auf web1: 7 Archive behalten, 2 entfernt',
    )
  })

  it('says what a .flx job stored and what its retention removed', () => {
    expect(say('en')(ev(FLX_STORED, 'snapshot pbx1-2026-12-07_03-00-00.flx.gz of pbx1/pbx stored; 23 kept, 1 older removed by the job\'s retention'))).toBe(
      "Snapshot pbx1-2026-12-07_03-00-00.flx.gz of pbx1/pbx stored: 23 kept, 1 older removed by the job's retention.",
    )
    expect(say('fr')(ev(FLX_STORED, 'snapshot a.flx of pbx1/pbx stored; 1 kept'))).toBe(
      'Instantané a.flx de pbx1/pbx enregistré : 1 gardés, 0 plus anciens retirés par la rétention de la tâche.',
    )
    expect(say('de')(ev(FLX_STORED, 'snapshot etc-2026-12-07_03-00-00.flx of web1 stored: 12 files'))).toBe(
      'Snapshot etc-2026-12-07_03-00-00.flx von web1 gespeichert: 12 Dateien.',
    )
    // A snapshot the catalog could not index keeps Go's whole sentence.
    expect(say('en')(ev(FLX_STORED, 'snapshot a.flx of web1 stored: 2 files; not in the file catalog: x'))).toBe('snapshot a.flx of web1 stored: 2 files; not in the file catalog: x')
    expect(eventKind(ev(FLX_STORED, ''), createAppI18n('en').global.t)).toBe('Snapshot')
  })

  it('says notifications of failed runs too, and keeps other sentences with units', () => {
    expect(say('en')(ev(NOTIFICATION, 'run 3 of db1/pg failed: timeout'))).toBe('Backup pg of db1 failed: timeout')
    expect(say('en')(ev(NOTIFICATION, 'the disk holds 1073741824 bytes'))).toBe('the disk holds 1.0 GiB')
  })

  it('names the kind in words', () => {
    const { t } = createAppI18n('fr').global
    expect(eventKind(ev(SETTINGS_CHANGED, ''), t)).toBe('Réglage')
    expect(eventKind(ev('server.enrolled', ''), t)).toBe('server.enrolled')
  })
})
