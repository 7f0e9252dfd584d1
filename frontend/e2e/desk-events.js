// The Events page's and About's part of the Go double (desk-double.js):
// QueryEvents filters and pages state.events (newest first) as Go's
// events.History does, with the severity, server and job Go gives an event
// when the fixture leaves them out; ExportEvents hands the browser a
// download of every event the filters select (Go writes the file where the
// save dialog says); Diagnostics answers a report; window.runtime's
// ClipboardSetText keeps what was copied in window.__clipboard.
//
// fleet.exportCancel makes the save dialog cancelled (Go answers '').

export async function installEventsDesk(page) {
  await page.addInitScript(() => {
    const { answer, find, findJob, state, clone } = window.__desk
    const Desk = window.go.app.Desk

    // backend/events/severity.go, for events the fixtures give none.
    const SEVERITY = {
      notification: { base: 'warning' },
      'run:progress': { base: 'info', by: { failed: 'error', warning: 'warning', cancelled: 'warning' } },
      'task:changed': { base: 'info', by: { failed: 'error', cancelled: 'warning' } },
      'drill:changed': { base: 'info', by: { failed: 'error' } },
      'server:changed': { base: 'info', by: { offline: 'warning', revoked: 'warning' } },
      'replica:changed': { base: 'info', by: { failing: 'error', behind: 'warning' } },
    }
    const RANK = { info: 0, warning: 1, error: 2 }
    const severityOf = (ev) => {
      const s = SEVERITY[ev.kind]
      const status = ev.data?.status ?? ev.data?.state ?? ''
      return s ? (s.by?.[status] ?? s.base) : 'info'
    }
    // As store.AppendEvent finds them: the data's ids, a run's job, the
    // subject's server, the job's server.
    const complete = (ev) => {
      const out = clone(ev)
      out.severity ||= severityOf(ev)
      const run = ev.data?.run_id ? state.runs.find((r) => r.id === ev.data.run_id) : null
      out.job_id ||= ev.data?.job_id ?? run?.job_id ?? 0
      const job = state.jobs.find((j) => j.id === out.job_id)
      const server = state.servers.find((s) => s.id === ev.data?.server_id || (ev.subject && s.uuid === ev.subject)) ?? state.servers.find((s) => s.id === job?.server_id)
      out.server_id ||= server?.id ?? 0
      if (server) out.server_name = server.name
      if (job) out.job_name = job.name
      for (const k of ['server_id', 'job_id']) if (!out[k]) delete out[k]
      return out
    }
    const bound = (name, s) => {
      if (!s) return null
      const t = Date.parse(s)
      if (Number.isNaN(t)) throw new Error(`invalid input: ${name} "${s}" is not a time: write it as 2025-03-01T14:00:00Z or 2025-03-01`)
      return t
    }
    const select = (q = {}) => {
      if (q.severity && !(q.severity in RANK)) throw new Error(`invalid input: severity "${q.severity}": use info, warning or error`)
      const from = bound('from', q.from)
      const until = bound('until', q.until)
      const server = q.server ? find(q.server) : null
      const job = q.job ? findJob(q.job) : null
      const words = String(q.search ?? '').trim().toLowerCase()
      return state.events.map(complete).filter(
        (ev) =>
          (!server || ev.server_id === server.id) &&
          (!job || ev.job_id === job.id) &&
          (!q.kinds?.length || q.kinds.includes(ev.kind)) &&
          (!q.severity || RANK[ev.severity] >= RANK[q.severity]) &&
          (from === null || Date.parse(ev.at) >= from) &&
          (until === null || Date.parse(ev.at) < until) &&
          (!words || `${ev.message}\n${ev.subject}`.toLowerCase().includes(words)),
      )
    }

    Desk.QueryEvents = answer('QueryEvents', (q = {}) => {
      const size = Math.min(q.limit || 100, 1000)
      const all = select(q).filter((ev) => !q.before || ev.id < q.before)
      const events = all.slice(0, size)
      return { events, next: all.length > size ? events.at(-1).id : 0 }
    })

    const csvCell = (v) => {
      let s = String(v ?? '')
      if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`
      return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s
    }
    Desk.ExportEvents = answer('ExportEvents', (q, format) => {
      if (format !== 'csv' && format !== 'json') throw new Error(`export format "${format}": use csv or json`)
      const evs = select(q)
      if (state.exportCancel) return ''
      const text =
        format === 'json'
          ? JSON.stringify(evs, null, 2) + '\n'
          : [
              'id,time,severity,kind,server,job,subject,message,data',
              ...evs.map((e) => [e.id, e.at, e.severity, e.kind, e.server_name, e.job_name, e.subject, e.message, e.data == null ? 'null' : JSON.stringify(e.data)].map(csvCell).join(',')),
            ].join('\r\n') + '\r\n'
      const name = `borgdesk-events.${format}`
      const a = document.createElement('a')
      a.href = URL.createObjectURL(new Blob([text], { type: format === 'json' ? 'application/json' : 'text/csv' }))
      a.download = name
      document.body.append(a)
      a.click()
      a.remove()
      return `/home/ops/${name}`
    })

    Desk.Diagnostics = answer('Diagnostics', () =>
      [
        'Borgdesk diagnostics',
        '',
        'Versions',
        `  borgdesk               ${state.status.version}`,
        '',
        'Settings (secrets are never shown)',
        ...Object.entries(state.settings).map(([k, v]) => `  ${k.padEnd(22)} ${v}`),
        '',
        'Last errors (newest first, at most 20)',
        ...select({ severity: 'error' }).slice(0, 20).map((e) => `  ${e.at}  ${e.kind.padEnd(14)} ${e.message}`),
      ].join('\n'),
    )

    window.__clipboard = null
    window.runtime.ClipboardSetText = (text) => {
      window.__clipboard = text
      return Promise.resolve(true)
    }
  })
}
