import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { ForgetHostKey, GetRollout, ParseHosts, ProbeHosts, StartRollout, UninstallServer } from 'wailsjs/go/app/Desk.js'
import { ROLLOUT_PROGRESS } from '@/events.js'
import { allFinished, mergeHosts, redact, scrub, secretsOf, targetKey, toTarget } from '@/utils/rollout.js'
import { errorMessage, eventSubscription, outcome } from './bridge.js'

// The rollout store holds the SSH rollouts this window started and follows
// them through rollout:progress: each record carries one host's state, which
// is patched into its rollout by host:port; records of rollouts this window
// did not start are ignored. GetRollout fills in what the events may have
// missed (the wizard asks when it opens or the window comes back).
//
// Credentials pass through start and uninstall on their way to Go and are
// never kept: not in the state, not in an error. The request object handed
// in has its credential fields emptied once Go has answered.
export const useRolloutStore = defineStore('rollout', () => {
  // id → Rollout as Go sent it, kept current by the events.
  const rollouts = ref({})
  // id → hosts that never started: their key changed or they could not be
  // reached ([{host, port, user, name, reason: 'changed'|'error', message}]).
  const skipped = ref({})
  const currentId = ref('')
  const refreshError = ref('')

  const current = computed(() => rollouts.value[currentId.value] ?? null)
  const currentSkipped = computed(() => skipped.value[currentId.value] ?? [])
  const finished = computed(() => Boolean(current.value) && (current.value.done || allFinished(current.value.hosts)))

  // Events that arrive while StartRollout has not answered yet cannot be told
  // apart from other rollouts' until its id is known; they wait here.
  let starting = 0
  let early = []

  function owns(id) {
    return Boolean(id) && Object.hasOwn(rollouts.value, id)
  }

  function put(id, rollout) {
    rollouts.value = { ...rollouts.value, [id]: rollout }
  }

  function patchHosts(id, hosts) {
    const known = rollouts.value[id]
    const merged = mergeHosts(known.hosts, hosts)
    put(id, { ...known, hosts: merged, done: Boolean(known.done) || allFinished(merged) })
  }

  // adopt takes Go's record of a rollout without letting an older answer
  // undo what newer events already said.
  function adopt(rollout) {
    if (!rollout?.id) return
    const known = rollouts.value[rollout.id]
    if (!known) {
      put(rollout.id, { ...rollout, hosts: [...(rollout.hosts ?? [])] })
      return
    }
    const merged = mergeHosts(known.hosts, rollout.hosts)
    put(rollout.id, { ...known, ...rollout, hosts: merged, done: Boolean(rollout.done) || allFinished(merged) })
  }

  function applyProgress(event) {
    const id = event?.data?.rollout_id || event?.subject
    const host = event?.data?.host
    if (!id || !host) return
    if (owns(id)) return patchHosts(id, [host])
    if (starting > 0) early.push(event)
  }

  const subscription = eventSubscription([ROLLOUT_PROGRESS], (_, event) => applyProgress(event))

  function parseHosts(text, defaultUser) {
    return outcome(() => ParseHosts(String(text ?? ''), String(defaultUser ?? '')))
  }

  // ProbeHosts takes targets only: nothing but the SSH hello is sent.
  function probeHosts(targets) {
    return outcome(() => ProbeHosts((targets ?? []).map(toTarget)))
  }

  // forgetHostKey drops the key pinned for target's host:port, once the
  // operator has said the server was reinstalled, then asks that host alone
  // for its key again. It resolves to {ok, value, error, forgotten}: value is
  // the HostKey the host presents now (null when the answer left it out),
  // which comes back new and unconfirmed; nothing is accepted here. forgotten
  // says whether Go dropped the old key, also when the probe then failed.
  async function forgetHostKey(target) {
    const t = toTarget(target)
    const forgot = await outcome(() => ForgetHostKey(t.host, t.port))
    if (!forgot.ok) return { ...forgot, forgotten: false }
    const probed = await outcome(() => ProbeHosts([t]))
    if (!probed.ok) return { ...probed, forgotten: true }
    const key = (probed.value ?? []).find((k) => targetKey(k) === targetKey(t)) ?? null
    return { ok: true, value: key, error: '', forgotten: true }
  }

  // start hands req to StartRollout and makes its rollout the current one.
  // skippedHosts are shown with it. req's credentials are emptied as soon as
  // Go has answered, whatever it answered.
  async function start(req, skippedHosts = []) {
    const secrets = secretsOf(req)
    starting++
    try {
      subscription.ensure()
      const rollout = await StartRollout(req)
      if (!rollout?.id) throw new Error('StartRollout answered without a rollout id')
      adopt(rollout)
      skipped.value = { ...skipped.value, [rollout.id]: skippedHosts.map((h) => ({ ...h })) }
      currentId.value = rollout.id
      const mine = early.filter((e) => (e?.data?.rollout_id || e?.subject) === rollout.id)
      early = early.filter((e) => !mine.includes(e))
      if (mine.length) patchHosts(rollout.id, mine.map((e) => e.data.host))
      return { ok: true, value: rollouts.value[rollout.id], error: '' }
    } catch (err) {
      return { ok: false, value: null, error: redact(errorMessage(err), secrets) }
    } finally {
      scrub(req)
      secrets.length = 0
      if (--starting === 0) early = []
    }
  }

  // refresh asks Go for a rollout's state once, for what events may have
  // missed; only rollouts this window started.
  async function refresh(id = currentId.value) {
    if (!owns(id)) return
    try {
      subscription.ensure()
      adopt(await GetRollout(id))
      refreshError.value = ''
    } catch (err) {
      refreshError.value = errorMessage(err)
    }
  }

  // forget lets go of the current rollout: the wizard starts afresh.
  function forget() {
    const id = currentId.value
    currentId.value = ''
    refreshError.value = ''
    if (!id) return
    const { [id]: _r, ...rest } = rollouts.value
    const { [id]: _s, ...restSkipped } = skipped.value
    rollouts.value = rest
    skipped.value = restSkipped
  }

  async function uninstall(req) {
    const secrets = secretsOf(req)
    try {
      return { ok: true, value: await UninstallServer(req), error: '' }
    } catch (err) {
      return { ok: false, value: null, error: redact(errorMessage(err), secrets) }
    } finally {
      scrub(req)
      secrets.length = 0
    }
  }

  return {
    rollouts,
    skipped,
    currentId,
    current,
    currentSkipped,
    finished,
    refreshError,
    parseHosts,
    probeHosts,
    forgetHostKey,
    start,
    refresh,
    forget,
    uninstall,
    applyProgress,
    stop: subscription.stop,
  }
})
