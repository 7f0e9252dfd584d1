// The issue 18 part of the Go double (desk-double.js): a job's life after
// it was created — its definition for the edit form (GetJobInput), an edit
// with its changes listed field by field (EditJob, preview or applied),
// pause and resume (SetJobEnabled), duplicate (DuplicateJob), delete with
// or without its archives (DeleteJob) — and "back up now" for a whole
// server (BackupServer). Each answers with Go's shapes (backend/jobs
// edit.go) and refuses with Go's sentences; each change is announced with
// job:changed after the answer, as Go publishes after it stored.

// installJobsDesk runs after installDesk's script, in the page: it extends
// window.go.app.Desk through window.__desk.
export async function installJobsDesk(page) {
  await page.addInitScript(() => {
    const { answer, find, findJob, state, clone, emit, nextEventId, createJob, runJob } = window.__desk
    const now = () => new Date().toISOString()
    const changed = (job, message, data) =>
      setTimeout(() => emit('job:changed', { id: nextEventId(), at: now(), kind: 'job:changed', subject: job.server_uuid, message, data: { job_id: job.id, ...data } }), 0)

    // A stored job as Go's store.Job (no view fields).
    const STORE_JOB = ['id', 'server_id', 'server_name', 'name', 'kind', 'spec', 'schedule', 'enabled', 'keep', 'last_scheduled_at', 'drill_schedule', 'last_drill_at', 'server_uuid', 'created_at', 'updated_at', 'notify_success']
    const stored = (job) => Object.fromEntries(STORE_JOB.map((k) => [k, clone(job[k] ?? null)]))
    const parse = (text) => {
      try {
        return JSON.parse(text || '{}') ?? {}
      } catch {
        return {}
      }
    }

    // jobs.InputOf: the server by name, spec and keep as objects.
    const inputOf = (job) => ({ server: job.server_name, name: job.name, spec: parse(job.spec), schedule: job.schedule, keep: parse(job.keep), notify_success: Boolean(job.notify_success), version: job.updated_at })

    // Go's omitempty: an empty value is not in the JSON at all.
    const empty = (v) => v == null || v === '' || v === 0 || v === false || (Array.isArray(v) && !v.length)
    const canonical = (v) => {
      if (Array.isArray(v)) return v.map(canonical)
      if (v && typeof v === 'object') {
        return Object.fromEntries(Object.keys(v).sort().filter((k) => !empty(v[k])).map((k) => [k, canonical(v[k])]))
      }
      return v
    }
    // diffJSON: key by key, sorted, "(none)" for a key one side lacks.
    const diffObject = (prefix, from, to) => {
      const a = canonical(from)
      const b = canonical(to)
      const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()
      return keys
        .filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]))
        .map((k) => ({ field: `${prefix}.${k}`, from: k in a ? JSON.stringify(a[k]) : '(none)', to: k in b ? JSON.stringify(b[k]) : '(none)' }))
    }
    const quote = (s) => (s ? JSON.stringify(s) : '(by hand only)')

    // checkDefinition, with Go's sentences.
    const invalid = (why) => new Error(`invalid input: ${why}`)
    const check = (input) => {
      const spec = input.spec ?? {}
      if (spec.kind === 'files') {
        if (!spec.paths?.length) throw invalid('a files job needs at least one path (--paths)')
        const relative = spec.paths.find((p) => !String(p).startsWith('/'))
        if (relative) throw invalid(`path ${JSON.stringify(relative)} must be absolute`)
      }
      if (spec.kind === 'docker' && !spec.docker?.containers?.length) throw invalid('a docker job names at least one container')
      if (spec.kind === 'lvm' && (!spec.lvm?.volume_group || !spec.lvm?.volume)) throw invalid('an LVM job names a volume group and a volume')
      if ([...(spec.pre ?? []), ...(spec.post ?? [])].some((h) => !h.length || !String(h[0]).startsWith('/'))) throw invalid('hook commands start with an absolute program path')
      if (input.schedule && !state.schedules?.[input.schedule]) {
        throw new Error(`the double has no Go answer for the schedule ${JSON.stringify(input.schedule)}: add it to e2e/schedules.json and run go test ./backend/jobs -run TestWindowDouble -update`)
      }
      const k = input.keep ?? {}
      if (['daily', 'weekly', 'monthly', 'yearly'].some((c) => (k[c] ?? 0) < 0) || (k.within && !/^\d+[HdwmyY]$/.test(k.within))) {
        throw invalid('retention: keep counts are whole numbers and --keep-within looks like 7d')
      }
    }

    // Definitions.Edit.
    const editJob = (ref, input, preview) => {
      const job = findJob(ref)
      if (input.server) {
        const server = find(input.server)
        if (server.id !== job.server_id) {
          throw invalid(`job ${job.name} backs up ${job.server_name}, not ${server.name}: a job cannot move to another server (duplicate it there: borgdesk job duplicate ${job.server_name}/${job.name} NAME --server ${server.name})`)
        }
      }
      if (input.name && input.name !== job.name) {
        throw invalid(`a job keeps its name (its archives are named after it): duplicate ${job.name} as ${input.name}, then delete ${job.name}`)
      }
      if (input.spec?.kind !== job.kind) throw invalid(`job ${job.name} is a ${job.kind} job; its kind cannot become ${JSON.stringify(input.spec?.kind ?? '')} (create a new job for that)`)
      check(input)
      if (input.version && input.version !== job.updated_at) {
        throw new Error(`already exists: job ${job.name} of ${job.server_name} was changed by someone else since you opened it: reload it and make your change again`)
      }
      const spec = JSON.stringify(canonical(input.spec))
      const keep = JSON.stringify(canonical(input.keep ?? {}))
      const schedule = input.schedule ?? ''
      const changes = [
        ...(schedule !== job.schedule ? [{ field: 'schedule', from: quote(job.schedule), to: quote(schedule) }] : []),
        ...diffObject('spec', parse(job.spec), input.spec),
        ...diffObject('keep', parse(job.keep), input.keep ?? {}),
      ]
      const notify = Boolean(input.notify_success)
      if (notify !== Boolean(job.notify_success)) changes.push({ field: 'notify_success', from: String(Boolean(job.notify_success)), to: String(notify) })
      const after = { ...stored(job), spec, schedule, keep, notify_success: notify }
      if (preview || !changes.length) return { job: after, changes, applied: false }
      const at = now()
      if (schedule !== job.schedule) job.last_scheduled_at = at // a new schedule counts from now
      Object.assign(job, { spec, schedule, keep, notify_success: notify, updated_at: at })
      const fields = changes.map((c) => c.field)
      changed(job, `job ${job.name} of ${job.server_name} edited (${fields.join(', ')}); it applies from the next run`, { changes: fields })
      return { job: stored(job), changes, applied: true }
    }

    // Definitions.SetEnabled.
    const setEnabled = (ref, enabled) => {
      const job = findJob(ref)
      if (job.enabled === enabled) return stored(job)
      const at = now()
      Object.assign(job, { enabled, updated_at: at })
      if (enabled) job.last_scheduled_at = at // resumed, the schedule counts from now
      const what = enabled ? 'resumed: its schedule runs it again from now' : 'paused: its schedule no longer runs it (its archives are kept)'
      changed(job, `job ${job.name} of ${job.server_name} ${what}`, { enabled })
      return stored(job)
    }

    // Definitions.Duplicate: Create with the job's input under a new name.
    const duplicate = (ref, name, server) => {
      const job = findJob(ref)
      const input = { ...inputOf(job), name, server: server || job.server_uuid }
      if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/.test(name)) throw invalid(`job name ${JSON.stringify(name)}: use 1 to 63 letters, digits, dots, dashes or underscores, starting with a letter or digit`)
      check(input)
      const copy = createJob(input)
      if (job.enabled) return stored(copy)
      return setEnabled(String(copy.id), false)
    }

    // Definitions.Delete.
    const deleteJob = (ref, withArchives, confirm) => {
      const job = findJob(ref)
      if (withArchives && confirm !== job.name) {
        throw invalid(`deleting job ${job.name} with its archives cannot be undone: confirm by typing the job's name (--confirm ${job.name})`)
      }
      const active = state.runs.find((r) => r.job_id === job.id && (r.status === 'queued' || r.status === 'running'))
      if (active) throw new Error(`run ${active.id} of job ${job.name} is queued or running: cancel it first (borgdesk job cancel ${active.id}), then delete the job`)
      let deleted = []
      if (withArchives) {
        const list = state.archives[job.server_uuid] ?? []
        deleted = list.filter((a) => a.name.startsWith(`${job.name}@`) && !a.keep_forever).map((a) => a.name)
        state.archives[job.server_uuid] = list.filter((a) => !deleted.includes(a.name))
      }
      state.jobs = state.jobs.filter((j) => j !== job)
      state.runs = state.runs.filter((r) => r.job_id !== job.id)
      const message = withArchives
        ? `job ${job.name} of ${job.server_name} deleted with its ${deleted.length} archive(s)`
        : `job ${job.name} of ${job.server_name} deleted; its archives are kept in the repository (a new job named ${job.name} would take them into its retention)`
      changed(job, message, { deleted: true, archives_deleted: deleted.length })
      return { job: stored(job), archives_deleted: deleted, archives_kept: !withArchives }
    }

    // Service.RunServerJobs: a run of every enabled job, the paused named.
    const backupServer = (ref) => {
      const server = find(ref)
      const out = { server: server.name, runs: [], paused: [] }
      for (const job of state.jobs.filter((j) => j.server_id === server.id)) {
        if (job.enabled === false) out.paused.push(job.name)
        else out.runs.push(runJob(String(job.id)))
      }
      return out
    }

    Object.assign(window.go.app.Desk, {
      GetJobInput: answer('GetJobInput', (ref) => inputOf(findJob(ref))),
      EditJob: answer('EditJob', editJob),
      SetJobEnabled: answer('SetJobEnabled', setEnabled),
      DuplicateJob: answer('DuplicateJob', duplicate),
      DeleteJob: answer('DeleteJob', deleteJob),
      BackupServer: answer('BackupServer', backupServer),
    })
  })
}
