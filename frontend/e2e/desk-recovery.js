// The recovery kit part of the Go double (desk-double.js): the kit's status
// and its export. ExportRecoveryKit checks the passphrase as Go does, then
// plays the native save dialog: state.recovery.savePath is where the
// operator saves ('' cancels), state.recovery.error what Go rejects with.
// A fleet without state.recovery has a current kit made two days ago, so
// the dashboard shows no reminder unless a test asks for one.

export const KIT_PATH = '/media/usb/borgdesk-recovery-kit-2026-11-22.age'

// RECOVERY_NEVER: no kit was ever made (a first run).
export const RECOVERY_NEVER = Object.freeze({
  status: { last_export: null, last_path: '', stale: true, new_servers: [], secrets_changed: false },
  savePath: KIT_PATH,
})

// RECOVERY_OUTDATED: a kit from last week, two servers enrolled since.
export const RECOVERY_OUTDATED = Object.freeze({
  status: { last_export: '2026-11-15T09:30:00Z', last_path: '/media/usb/old-kit.age', stale: true, new_servers: ['db2', 'web3'], secrets_changed: true },
  savePath: KIT_PATH,
})

export async function installRecoveryDesk(page) {
  await page.addInitScript(() => {
    const { answer, state, clone, emit, nextEventId } = window.__desk
    const Desk = window.go.app.Desk
    const conf = () =>
      (state.recovery ||= {
        status: { last_export: '2026-11-20T08:00:00Z', last_path: '/media/usb/kit.age', stale: false, new_servers: [], secrets_changed: false },
        savePath: '/media/usb/kit.age',
      })

    Desk.GetRecoveryKitStatus = answer('GetRecoveryKitStatus', () => clone(conf().status))
    Desk.ExportRecoveryKit = answer('ExportRecoveryKit', (passphrase) => {
      const c = conf()
      const n = [...String(passphrase)].length
      if (!String(passphrase).trim()) throw new Error('unusable passphrase: the passphrase is empty')
      if (n < 12) throw new Error(`unusable passphrase: the passphrase has ${n} characters; use at least 12 (a few random words are easy to keep and hard to guess)`)
      if (!c.savePath) return { path: '', size: 0, created_at: '', manifest: null, warnings: [] }
      if (c.error) throw new Error(c.error)
      const at = new Date().toISOString()
      c.status = { last_export: at, last_path: c.savePath, stale: false, new_servers: [], secrets_changed: false }
      c.exported = (c.exported ?? 0) + 1
      const repos = state.servers.map((s) => ({ uuid: s.uuid, server: s.name, passphrase: true, key_export: true }))
      setTimeout(() => emit('recovery:exported', { id: nextEventId(), at, kind: 'recovery:exported', subject: '', message: `recovery kit written to ${c.savePath}`, data: { path: c.savePath, size: 48213, created_at: at } }), 0)
      return {
        path: c.savePath,
        size: 48213,
        created_at: at,
        manifest: { format: 1, borgdesk_version: state.status.version, created_at: at, files: 7 + 2 * repos.length, bytes: 180000, servers: repos.length, repositories: repos, gateway_url: 'https://desk.lan:8443', ca_fingerprint: 'SHA256:abc', data_dir: state.status.data_dir, schema: 6, secrets_digest: '' },
        warnings: c.warnings ?? [],
      }
    })
  })
}
