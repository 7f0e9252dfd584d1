// The issue 7 part of the Go double (desk-double.js): browsing, previews,
// downloads, the catalog search, file and database restores walked through
// their task states with task:changed, FUSE mounts and restore drills.
// Every call is recorded like the others. The data is RESTORE in
// fixtures-restore.js unless the fleet brings its own.

import { RESTORE } from './fixtures-restore.js'

export { RESTORE, RESTORE_FLEET, WEB2, WEB_TREE, HUGE_DIR, NGINX_CONF, HITS, COMPARISONS, SHOP_DIFF, DRILLS, DB_ARCHIVE, PRUNED_ARCHIVE } from './fixtures-restore.js'

// installRestoreDesk runs after installDesk's script, in the page: it
// extends window.go.app.Desk through window.__desk.
export async function installRestoreDesk(page) {
  await page.addInitScript((defaults) => {
    const { answer, find, findJob, state, clone, emit, nextEventId } = window.__desk
    const conf = () => (state.restore ||= clone(defaults))
    const now = () => new Date().toISOString()
    const baseName = (p) => String(p).split('/').pop()
    const archivesOf = (server) => state.archives[server.uuid] ?? []

    const checkArchive = (server, name) => {
      const pruned = conf().pruned?.[name]
      if (pruned) throw new Error(`archive ${name} of ${server.name} is no longer in the repository (pruned at ${pruned}); pick another archive`)
      if (!archivesOf(server).some((a) => a.name === name)) throw new Error(`archive ${name} of ${server.name}: not found`)
    }

    const browse = (ref, archive, dir) => {
      const server = find(ref)
      checkArchive(server, archive)
      const d = String(dir)
      const huge = conf().huge
      if (huge && d === huge.dir) {
        const entries = Array.from({ length: huge.limit }, (_, i) => {
          const name = `thumb-${String(i).padStart(5, '0')}.jpg`
          return { name, path: `${d}/${name}`, type: '-', size: 4096 + i, mtime: '2026-11-18T10:00:00Z', mode: '-rw-r--r--', user: 'www-data', group: 'www-data', link_target: '', children: 0 }
        })
        return { archive, dir: d, entries, total: huge.total, truncated: true }
      }
      const entries = conf().tree[d]
      if (!entries) throw new Error(`${d} is not in archive ${archive}`)
      return { archive, dir: d, entries: clone(entries), total: entries.length, truncated: false }
    }

    const preview = (ref, archive, path) => {
      const server = find(ref)
      checkArchive(server, archive)
      const text = conf().previews?.[path]
      if (text != null) return { path, size: text.length, text, binary: false, truncated: false }
      if (/\.(gz|jpg|png)$/.test(path)) return { path, size: 771, text: '', binary: true, truncated: false }
      const big = 'x'.repeat(64)
      return { path, size: 5212, text: big, binary: false, truncated: true }
    }

    const download = (ref, archive, path) => {
      checkArchive(find(ref), archive)
      if (conf().cancelDownload) return ''
      return `${conf().downloads}/${baseName(path)}`
    }

    // --- catalog --------------------------------------------------------
    const globRe = (pattern) => new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '.')}$`)
    // As Go's catalog.Find: a plain word matches the names containing it,
    // whatever the case; a glob or a path matches the whole name.
    const findFiles = (pattern, ref, limit) => {
      const server = ref ? find(ref) : null
      const wanted = String(pattern).replace(/^\/+|\/+$/g, '')
      const byPath = wanted.includes('/')
      const plain = !byPath && !/[*?[]/.test(wanted)
      const re = globRe(wanted)
      const matches = (h) =>
        plain ? baseName(h.path).toLowerCase().includes(wanted.toLowerCase()) : byPath ? new RegExp(`(^|/)${re.source.slice(1)}`).test(h.path) : re.test(baseName(h.path))
      return conf()
        .hits.filter((h) => !server || h.server_uuid === server.uuid)
        .filter(matches)
        .slice(0, limit || 100)
        .map(clone)
    }
    const fileVersions = (ref, path) => clone(conf().hits.find((h) => h.server_uuid === find(ref).uuid && h.path === path)?.versions ?? [])

    // Go refuses one archive twice and archives that are gone; the answer
    // is the one COMPARISONS holds for the pair.
    const compareFile = (ref, path, from, to) => {
      const server = find(ref)
      const p = String(path).replace(/^\/+/, '')
      if (!from || !to || from === to) throw new Error(`invalid input: pick two different archives to compare ${p}`)
      checkArchive(server, from)
      checkArchive(server, to)
      const c = conf().comparisons?.[`${p} ${from} ${to}`]
      if (!c) throw new Error(`the double has no comparison of ${p} from ${from} to ${to}: add it to COMPARISONS`)
      return clone(c)
    }

    // --- tasks ----------------------------------------------------------
    const tasks = []
    const held = []
    let taskSeq = 70
    window.__restoreTasks = tasks
    window.__releaseRestoreTasks = () => {
      conf().holdAt = ''
      held.splice(0).forEach((go) => go())
    }
    const publish = (t) =>
      emit('task:changed', {
        id: nextEventId(),
        at: now(),
        kind: 'task:changed',
        subject: t.server_uuid,
        message: `task ${t.id} (${t.type}) on ${t.server_name}: ${t.status}`,
        data: { task_id: t.id, status: t.status, progress: t.progress },
      })

    // walk: queued (announced before the call answers, as Go does) →
    // dispatched → running with each progress step → finish(t).
    const walk = (server, type, payload, steps, finish) => {
      const t = { id: ++taskSeq, server_id: server.id, server_uuid: server.uuid, server_name: server.name, type, payload, status: 'queued', progress: null, result: null, error: '', created_at: now() }
      tasks.unshift(t)
      window.__desk.tasks.unshift(t) // ListTasks lists it with the others, as Go does
      publish(t)
      const later = (fn) => setTimeout(fn, conf().stepMs)
      const run = (i) => {
        if (t.status === 'cancelled') return
        if (i === steps.length) {
          finish(t)
          t.progress = null
          return publish(t)
        }
        t.status = 'running'
        t.progress = steps[i]
        publish(t)
        const go = () => later(() => run(i + 1))
        if (conf().holdAt === 'running' && i === 0) held.push(go)
        else go()
      }
      later(() => {
        t.status = 'dispatched'
        publish(t)
        later(() => run(0))
      })
      return clone({ ...t, payload: undefined })
    }

    const POLICIES = ['skip', 'overwrite', 'keep-both']
    // As Go's PlanRestore: the files and bytes under the paths (the whole
    // archive when none: what startRestore reports) and where each lands.
    const planRestore = (req) => {
      const server = find(req.server)
      checkArchive(server, req.archive)
      if (req.to && !req.to.startsWith('/')) throw new Error(`invalid input: restore into an absolute directory (such as /srv/restore), not ${JSON.stringify(req.to)}`)
      const target = req.target_server ? find(req.target_server) : server
      const to = (req.to || '/').replace(/(.)\/+$/, '$1')
      const tree = conf().tree
      const entryOf = (p) => (tree[p.split('/').slice(0, -1).join('/')] ?? []).find((e) => e.path === p)
      const sum = (p) => {
        const e = entryOf(p)
        if (!e) throw new Error(`${p} is not in archive ${req.archive}; browse the archive to find its path`)
        if (e.type !== 'd') return { files: e.type === '-' ? 1 : 0, bytes: e.type === '-' ? e.size : 0 }
        return (tree[p] ?? []).reduce((acc, c) => {
          const s = sum(c.path)
          return { files: acc.files + s.files, bytes: acc.bytes + s.bytes }
        }, { files: 0, bytes: 0 })
      }
      const paths = (req.paths ?? []).map((p) => p.replace(/^\/+|\/+$/g, ''))
      const totals = paths.length ? paths.map(sum).reduce((a, b) => ({ files: a.files + b.files, bytes: a.bytes + b.bytes })) : { files: 1204, bytes: 48.2e6 }
      const landing = paths.map((p) => ({ path: p, final: `${to === '/' ? '' : to}/${p}` }))
      return { ...totals, to, target: target.name, landing }
    }

    const startRestore = (req) => {
      const server = find(req.server)
      checkArchive(server, req.archive)
      if (!POLICIES.includes(req.policy)) throw new Error(`invalid: policy ${JSON.stringify(req.policy)}: skip, overwrite or keep-both`)
      if (req.to && !req.to.startsWith('/')) throw new Error(`invalid: destination ${JSON.stringify(req.to)} is not an absolute path`)
      const target = req.target_server ? find(req.target_server) : server
      const total = { files: 1204, bytes: 48.2e6 }
      const step = (k, path, phase) => ({ files: Math.round(total.files * k), total_files: total.files, bytes: Math.round(total.bytes * k), total_bytes: total.bytes, path, bytes_per_sec: 12.4e6, eta_sec: Math.round(((1 - k) * total.bytes) / 12.4e6), phase })
      const steps = [step(0.25, 'etc/nginx/nginx.conf', 'extracting'), step(0.6, 'var/www/index.html', 'extracting'), step(1, 'var/www/index.html', 'placing')]
      return walk(target, 'restore', req, steps, (t) => {
        if (conf().restoreError) {
          t.status = 'failed'
          t.error = conf().restoreError
          return
        }
        const renamed = req.policy === 'keep-both' ? 3 : 0
        const overwritten = req.policy === 'overwrite' ? 3 : 0
        const skipped = req.policy === 'skip' ? 3 : 0
        const base = req.to || ''
        const written = ['etc/nginx/nginx.conf', 'etc/nginx/sites-enabled/shop', 'var/www/index.html'].map((p) => `${base}/${p}`.replace(/^\/?/, '/'))
        t.status = 'succeeded'
        t.result = { to: req.to, files: total.files - skipped, bytes: total.bytes, overwritten, skipped, renamed, written, log: '' }
      })
    }

    const cancelTask = (id) => {
      const t = tasks.find((x) => x.id === Number(id))
      if (!t) throw new Error(`task ${id}: not found`)
      if (['succeeded', 'failed', 'cancelled'].includes(t.status)) throw new Error(`task ${id} is already ${t.status}`)
      t.status = 'cancelled'
      const files = t.progress?.files ?? 0
      t.result = t.type === 'restore' ? { to: t.payload.to, files, bytes: t.progress?.bytes ?? 0, overwritten: 0, skipped: 0, renamed: 0, written: ['/etc/nginx/nginx.conf'], log: '' } : null
      t.error = `cancelled by the operator after ${files} files`
      t.progress = null
      setTimeout(() => publish(t), 0)
      return clone({ ...t, payload: undefined })
    }

    const getTask = (id) => {
      const t = tasks.find((x) => x.id === Number(id))
      if (!t) throw new Error(`task ${id}: not found`)
      return clone({ ...t, payload: undefined })
    }

    const restoreDatabase = (req) => {
      const server = find(req.server)
      checkArchive(server, req.archive)
      const archive = archivesOf(server).find((a) => a.name === req.archive)
      if (!(archive.dumps ?? []).includes(req.dump)) throw new Error(`${req.dump} is not a dump in ${req.archive}`)
      const original = baseName(req.dump).replace(/\.[^.]+$/, '')
      if (req.mode === 'replace') {
        if (req.database !== original) throw new Error(`invalid: a replace restores ${original}, not ${req.database}`)
        if (req.confirm !== req.database) throw new Error(`confirm: type ${req.database} to replace it`)
      } else if (req.mode !== 'copy') {
        throw new Error(`invalid: mode ${JSON.stringify(req.mode)}: copy or replace`)
      } else if (!req.database || req.database === original) {
        throw new Error(`invalid: a copy needs a new database name, not ${original}`)
      }
      const target = req.target_server ? find(req.target_server) : server
      const total = 412e6
      const steps = [
        { bytes: 120e6, total_bytes: total, phase: 'loading' },
        { bytes: total, total_bytes: total, phase: 'counting' },
      ]
      return walk(target, 'db-restore', req, steps, (t) => {
        const tables = [
          { name: 'orders', rows: 182344 },
          { name: 'order_items', rows: 530112 },
          { name: 'customers', rows: 20981 },
        ]
        t.status = 'succeeded'
        t.result = { engine: 'mysql', database: req.database, tables, rows: tables.reduce((n, x) => n + x.rows, 0), bytes: total }
      })
    }

    // --- mounts ---------------------------------------------------------
    const announceMounts = () => setTimeout(() => emit('mount:changed', { id: nextEventId(), at: now(), kind: 'mount:changed', subject: '', message: 'mounts changed', data: null }), 0)
    const mount = (ref, archive, dir) => {
      const server = find(ref)
      if (archive) checkArchive(server, archive)
      const m = { dir: dir || `/run/user/1000/borgdesk/${server.name}/${archive || 'repository'}`, kind: 'archive', server: server.uuid, archive, source: '', since: now() }
      if (conf().mounts.some((x) => x.dir === m.dir)) throw new Error(`${m.dir} is already mounted`)
      conf().mounts.push(m)
      announceMounts()
      return clone(m)
    }
    const mountFlx = (path, dir) => {
      const m = { dir: dir || `/run/user/1000/borgdesk/flx/${baseName(path)}`, kind: 'flx', server: '', archive: '', source: path, since: now() }
      conf().mounts.push(m)
      announceMounts()
      return clone(m)
    }
    const unmount = (dir) => {
      const busy = conf().busyMounts?.[dir]
      if (busy) throw new Error(`${dir} is in use by ${busy}; close it and try again`)
      const before = conf().mounts.length
      conf().mounts = conf().mounts.filter((m) => m.dir !== dir)
      if (conf().mounts.length === before) throw new Error(`${dir} is not mounted`)
      announceMounts()
    }

    // --- drills ---------------------------------------------------------
    let drillSeq = 20
    const drillEvent = (d) => emit('drill:changed', { id: nextEventId(), at: now(), kind: 'drill:changed', subject: d.server_uuid, message: `drill ${d.id} of ${d.job_name}: ${d.status}`, data: { id: d.id, status: d.status } })
    const runDrill = (ref, full) => {
      const job = findJob(ref)
      const newest = [...(state.archives[job.server_uuid] ?? [])].filter((a) => a.job === job.name).pop()
      if (!newest) throw new Error(`job ${job.name} has no archive to test yet: run a backup first`)
      const d = { id: ++drillSeq, job_id: job.id, job_name: job.name, server_id: job.server_id, server_uuid: job.server_uuid, server_name: job.server_name, archive: newest.name, mode: full ? 'full' : 'sample', status: 'running', started_at: now(), finished_at: null, files: 0, bytes: 0, checked: 0, mismatches: 0, error: '' }
      conf().drills.unshift(d)
      setTimeout(() => drillEvent(d), 0)
      const finish = () => {
        Object.assign(d, { status: 'passed', finished_at: now(), files: 48213, bytes: 1.53e9, checked: full ? 48213 : 500 })
        const server = state.servers.find((s) => s.uuid === d.server_uuid)
        if (server) Object.assign(server, { last_verified_at: d.finished_at, verify_stale: false })
        drillEvent(d)
        emit('server:changed', { id: nextEventId(), at: now(), kind: 'server.verified', subject: d.server_uuid, message: `${d.server_name} verified restorable`, data: null })
      }
      // Held like the restores, so a test sees the drill running.
      if (conf().holdAt === 'running') held.push(finish)
      else setTimeout(finish, conf().stepMs * 4)
      return clone(d)
    }
    const listDrills = (ref, limit) => {
      const server = ref ? find(ref) : null
      return conf().drills.filter((d) => !server || d.server_uuid === server.uuid).slice(0, limit || 50).map(clone)
    }
    const setDrillSchedule = (ref, schedule) => {
      const job = findJob(ref)
      const s = String(schedule).trim()
      if (s && s.split(/\s+/).length !== 5) throw new Error(`invalid: drill schedule ${JSON.stringify(s)}: give five cron fields, e.g. 0 5 * * 0`)
      job.drill_schedule = s
      setTimeout(() => emit('job:changed', { id: nextEventId(), at: now(), kind: 'job:changed', subject: job.server_uuid, message: `job ${job.name} changed`, data: { job_id: job.id } }), 0)
      return clone(job)
    }

    Object.assign(window.go.app.Desk, {
      BrowseArchive: answer('BrowseArchive', browse),
      PreviewFile: answer('PreviewFile', preview),
      DownloadFile: answer('DownloadFile', download),
      CompareFile: answer('CompareFile', compareFile),
      FindFiles: answer('FindFiles', findFiles),
      FileVersions: answer('FileVersions', fileVersions),
      PlanRestore: answer('PlanRestore', planRestore),
      StartRestore: answer('StartRestore', startRestore),
      GetTask: answer('GetTask', getTask),
      CancelTask: answer('CancelTask', cancelTask),
      RestoreDatabase: answer('RestoreDatabase', restoreDatabase),
      Mount: answer('Mount', mount),
      MountFlx: answer('MountFlx', mountFlx),
      Unmount: answer('Unmount', unmount),
      ListMounts: answer('ListMounts', () => clone(conf().mounts)),
      RunDrill: answer('RunDrill', runDrill),
      ListDrills: answer('ListDrills', listDrills),
      SetJobDrillSchedule: answer('SetJobDrillSchedule', setDrillSchedule),
      // Go keeps one task list: these restores, the .flx tasks and any the
      // fleet starts with (state.tasks), newest first.
      ListTasks: answer('ListTasks', (ref, limit) => {
        const server = ref ? find(ref) : null
        // The same task can sit in two of these lists (walk adds its own to
        // the fleet's too): Go lists each task once.
        const once = new Map([...tasks, ...(window.__flxTasks ?? []), ...(state.tasks ?? [])].map((t) => [t.id, t]))
        return [...once.values()]
          .filter((t) => !server || t.server_id === server.id)
          .sort((a, b) => b.id - a.id)
          .slice(0, limit || 50)
          .map(clone) // with its payload, as Go lists it (the stored payload holds no secret)
      }),
    })
  }, RESTORE)
}

// releaseRestoreTasks lets the restores and drills held at RESTORE.holdAt go on.
export async function releaseRestoreTasks(page) {
  await page.evaluate(() => window.__releaseRestoreTasks())
}

// restoreTasks returns the restore tasks the double queued, newest first.
export async function restoreTasks(page) {
  return page.evaluate(() => window.__restoreTasks)
}
