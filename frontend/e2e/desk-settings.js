// The Settings page's part of the Go double (desk-double.js): the data dir
// bindings (GetDataDir, SetNextDataDir, ChooseFolder) over a desk.json the
// double keeps in memory, with Go's checks and sentences. The addresses in
// use come with Status (fixtures.js); the address settings are checked by
// desk-operator.js's SetSetting like every other setting.
//
// fleet.datadir may set: from ('default', 'desk.json', '--data' or
// 'BORGDESK_DATA'), configured (desk.json's data_dir), default (the XDG
// folder), withData (folders that hold a borgdesk.db), readOnly (parents no
// folder can be created in), chosen (what the folder chooser answers) and
// deskError (a damaged desk.json's sentence).

export const DESK_FILE = '/home/ops/.config/borgdesk/desk.json'

export async function installSettingsDesk(page) {
  await page.addInitScript((deskFile) => {
    const { answer, state } = window.__desk
    const Desk = window.go.app.Desk
    const dd = () => (state.datadir ||= {})

    const info = () => {
      const d = dd()
      const inUse = state.status.data_dir
      const from = d.from ?? 'default'
      const def = d.default ?? (from === 'default' ? inUse : '/home/ops/.local/share/borgdesk')
      const out = { in_use: inUse, from, configured: d.configured ?? '', config_file: deskFile, default: def, next: '', next_from: '', next_error: '', next_has_data: false }
      if (d.deskError) return { ...out, configured: '', next_error: d.deskError }
      if (from === '--data' || from === 'BORGDESK_DATA') Object.assign(out, { next: inUse, next_from: from })
      else if (out.configured) Object.assign(out, { next: out.configured, next_from: 'desk.json' })
      else Object.assign(out, { next: def, next_from: 'default' })
      out.next_has_data = out.next === inUse || (d.withData ?? []).includes(out.next)
      return out
    }

    Desk.GetDataDir = answer('GetDataDir', info)
    Desk.SetNextDataDir = answer('SetNextDataDir', (dir) => {
      const d = dd()
      const path = String(dir ?? '').trim().replace(/(.)\/+$/, '$1')
      if (d.deskError) throw new Error(`workstation config file ${deskFile} is not valid JSON; it was left as it is: fix or remove it first`)
      if (path && !path.startsWith('/')) throw new Error(`"${path}" is not an absolute path (it should start with /)`)
      const blocked = (d.readOnly ?? []).find((p) => path === p || path.startsWith(`${p}/`))
      if (path && blocked) throw new Error(`data dir is not writable: ${path} cannot be created in ${blocked} (permission denied)`)
      d.configured = path
      return info()
    })
    Desk.ChooseFolder = answer('ChooseFolder', () => dd().chosen ?? '')
  }, DESK_FILE)
}
