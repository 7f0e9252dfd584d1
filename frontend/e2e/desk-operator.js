// The issue 8 part of the Go double (desk-double.js): fleet health, storage,
// load history, the mail outbox and the alert settings, with SetSetting
// checking the values as Go does and announcing each with settings:changed.
// The data is the fleet's health/storage/metrics/mail (fixtures-operator.js);
// a fleet without them gets an all-green fleet and empty storage.

export { HEALTH, STORAGE, METRICS, MAIL, OPERATOR_SETTINGS, OPERATOR_FLEET, FLEET_500 } from './fixtures-operator.js'

// installOperatorDesk runs after installDesk's script, in the page: it
// extends window.go.app.Desk through window.__desk.
export async function installOperatorDesk(page) {
  await page.addInitScript(() => {
    const { answer, state, clone, emit, nextEventId } = window.__desk
    const Desk = window.go.app.Desk

    const health = () =>
      state.health ?? {
        state: 'green',
        red: 0,
        amber: 0,
        green: state.servers.filter((s) => s.status !== 'revoked').length,
        summary: '',
        servers: state.servers
          .filter((s) => s.status !== 'revoked')
          .map((s) => ({ id: s.id, uuid: s.uuid, name: s.name, state: 'green', reasons: [], last_backup: null, rpo_hours: 26, online: s.online, last_verified_at: null, cert_not_after: s.cert_not_after })),
      }
    const storage = () =>
      state.storage ?? { disk_path: `${state.status.data_dir}/repos`, disk_total: 5e11, disk_free: 4e11, reserve_bytes: 0, repos_bytes: 0, forecast_full_at: '', servers: [] }
    const mail = () => (state.mail ||= { status: { pending: 0, sent: 0, last_error: '', last_attempt: '', outbox: `${state.status.data_dir}/outbox.mbox`, sent_path: `${state.status.data_dir}/sent.mbox` }, testError: '' })

    Desk.GetHealth = answer('GetHealth', () => clone(health()))
    Desk.GetStorage = answer('GetStorage', () => clone(storage()))
    Desk.GetMetrics = answer('GetMetrics', (ref, hours) => {
      const server = state.servers.find((s) => s.uuid === ref || s.name === ref || String(s.id) === String(ref))
      if (!server) throw new Error(`server ${JSON.stringify(String(ref))}: not found`)
      if (!(hours > 0)) throw new Error(`invalid: hours ${hours}`)
      const from = Date.now() - hours * 3600e3
      return clone((state.metrics?.[server.uuid] ?? []).filter((p) => Date.parse(p.at) >= from))
    })
    Desk.GetMailStatus = answer('GetMailStatus', () => clone(mail().status))
    Desk.SendTestEmail = answer('SendTestEmail', () => {
      const m = mail()
      const to = state.settings['notify.email.to'] || ''
      if (!state.settings['smtp.host']) throw new Error('send test e-mail: no SMTP server: set smtp.host first')
      if (!to) throw new Error('send test e-mail: no recipients: set notify.email.to first')
      m.status.last_attempt = new Date().toISOString()
      if (m.testError) {
        m.status.pending++
        m.status.last_error = m.testError
        throw new Error(m.testError)
      }
      m.status.sent++
      m.status.last_error = ''
      return `queued to ${to}; delivered`
    })

    // The digest: what Go's alerts.BuildDigest would say of the double's
    // fleet, in its shape (service.Digest); send queues it.
    Desk.DigestNow = answer('DigestNow', (weekly, send) => {
      const to = (state.settings['notify.email.to'] || '').split(',').map((x) => x.trim()).filter(Boolean)
      if (send && !to.length) throw new Error('invalid: the digest has no recipients: set notify.email.to first')
      const word = weekly ? 'Weekly' : 'Daily'
      const subject = `[Borgdesk] ${word} digest: all is well (${state.servers.length} servers)`
      const text = `${word} digest: all is well (${state.servers.length} servers)\n\n${state.servers.map((s) => `  ${s.name}`).join('\n')}\n`
      if (send) mail().status.pending++
      return { to, subject, text, queued: Boolean(send) }
    })

    // Go's checks of the values (service/settings.go), with its sentences.
    const EVENTS = ['run_failed', 'rpo_missed', 'agent_offline', 'cert_expiring', 'drill_failed', 'flx_inbox', 'replica_failed', 'run_succeeded']
    const DURATION = /^(\d+(\.\d+)?(h|m|s))+$/
    const invalid = (key, value, why) => new Error(`set setting ${key}: invalid value ${JSON.stringify(value)}: ${why}`)
    const check = (key, value) => {
      const v = String(value)
      if (['ui.theme', 'ui.locale', 'smtp.host', 'smtp.user', 'notify.webhook.secret'].includes(key)) return
      if (key === 'smtp.password') return
      if (key === 'smtp.port') {
        if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > 65535) throw invalid(key, v, 'a port is a number from 1 to 65535')
        return
      }
      if (key === 'smtp.security') {
        if (!['starttls', 'tls', 'none'].includes(v)) throw invalid(key, v, 'starttls, tls or none')
        return
      }
      if (key === 'smtp.from') {
        if (v && !/^[^@\s]+@[^@\s]+$/.test(v)) throw invalid(key, v, 'not an e-mail address')
        return
      }
      if (key === 'notify.email.to') {
        const bad = v.split(',').map((x) => x.trim()).filter((x) => x && !/^[^@\s]+@[^@\s]+$/.test(x))
        if (bad.length) throw invalid(key, v, `${bad[0]} is not an e-mail address`)
        return
      }
      if (/^notify\.(email|desktop|webhook)\.events$/.test(key)) {
        const bad = v.split(',').filter((x) => x && !EVENTS.includes(x))
        if (bad.length) throw invalid(key, v, `unknown event ${bad[0]}`)
        return
      }
      if (key === 'notify.webhook.url') {
        if (v && !/^https?:\/\/\S+$/.test(v)) throw invalid(key, v, 'not an http or https URL')
        return
      }
      if (key === 'notify.quiet_hours') {
        if (v && !/^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$/.test(v)) throw invalid(key, v, 'write it as 22:00-07:00')
        return
      }
      if (key === 'notify.digest') {
        if (!['off', 'daily', 'weekly'].includes(v)) throw invalid(key, v, 'off, daily or weekly')
        return
      }
      if (key === 'notify.digest_at') {
        if (!/^([01]\d|2[0-3]):[0-5]\d$/.test(v)) throw invalid(key, v, `"${v}" is not a time of day as HH:MM`)
        return
      }
      if (key === 'notify.offline_after' || key === 'rpo.default') {
        if (!DURATION.test(v)) throw invalid(key, v, 'a duration such as 30m or 26h')
        return
      }
      if (key.startsWith('rpo.')) {
        if (v && !DURATION.test(v)) throw invalid(key, v, 'a duration such as 12h, or empty for the default')
        return
      }
      if (key === 'ui.close_to_tray' || key === 'ui.guide_done') {
        if (!['true', 'false'].includes(v)) throw invalid(key, v, 'true or false')
        return
      }
      if (key === 'gateway.listen' || key === 'ssh.listen') {
        const m = v.match(/^(.*):(\d+)$/)
        if (!m || /[\s/@]/.test(m[1])) throw invalid(key, v, `"${v}" is not HOST:PORT or :PORT`)
        if (Number(m[2]) < 1 || Number(m[2]) > 65535) throw invalid(key, v, `"${m[2]}" is not a port number from 1 to 65535`)
        return
      }
      if (key === 'gateway.url') {
        if (v && !/^https:\/\/[^/\s@?#]+\/?$/.test(v)) throw invalid(key, v, `"${v}" is not an https://HOST:PORT URL`)
        return
      }
      throw new Error(`set setting: unknown key ${key}`)
    }

    // Go answers every known key, its default when never set.
    const DEFAULTS = { 'gateway.listen': ':8443', 'ssh.listen': ':2222', 'gateway.url': '', 'notify.digest': 'off', 'notify.digest_at': '08:00' }
    Desk.GetSettings = answer('GetSettings', () => ({ ...DEFAULTS, ...clone(state.settings), ...(Object.hasOwn(state.settings, 'smtp.password_set') || Object.hasOwn(state.settings, 'smtp.host') ? { 'smtp.password': '' } : {}) }))
    Desk.SetSetting = answer('SetSetting', (key, value) => {
      check(key, value)
      if (key === 'smtp.password' || key === 'notify.webhook.secret') {
        // Go keeps secrets write-only: only "<key>_set" comes back
        state.settings[`${key}_set`] = value ? 'true' : 'false'
        state.secret = value
      } else {
        state.settings[key] = value
      }
      const at = new Date().toISOString()
      setTimeout(() => emit('settings:changed', { id: nextEventId(), at, kind: 'settings:changed', subject: key, message: `${key} changed`, data: { key } }), 0)
    })
  })
}
