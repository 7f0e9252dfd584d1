import { defineStore } from 'pinia'
import { ref } from 'vue'
import {
  AddHostedTarget,
  AddStorageNode,
  CheckTarget,
  HostedKeys,
  ListTargets,
  RemoveTarget,
  RepoTargets,
  SetRepoTarget,
} from 'wailsjs/go/app/Desk.js'
import { SERVER_CHANGED } from '@/events.js'
import { coalesced, errorMessage, eventSubscription, outcome } from './bridge.js'

// The targets store holds the storage nodes and hosted Borg services
// (ListTargets) and where each server's repository lives (RepoTargets:
// server id → target name; a server missing from it keeps its repository on
// the coordinator). Go announces a new node and a moved repository with
// server:changed; a check's outcome comes back in its answer.
export const useTargetsStore = defineStore('targets', () => {
  const items = ref([])
  const repoTargets = ref({})
  const loaded = ref(false)
  const loading = ref(false)
  const error = ref('')

  const fetchTargets = coalesced(async () => {
    loading.value = true
    try {
      subscription.ensure()
      const [list, repos] = await Promise.all([ListTargets(), RepoTargets()])
      items.value = list ?? []
      repoTargets.value = repos ?? {}
      loaded.value = true
      error.value = ''
    } catch (err) {
      error.value = errorMessage(err)
    } finally {
      loading.value = false
    }
  })

  const subscription = eventSubscription([SERVER_CHANGED], () => fetchTargets())

  function replace(target) {
    if (!target) return
    const i = items.value.findIndex((t) => t.id === target.id)
    if (i !== -1) items.value[i] = target
  }

  // A storage node is recorded before its agent answers: after a failure
  // the list still changed (the target is there, failing).
  async function addNode(input) {
    const result = await outcome(() => AddStorageNode(input))
    fetchTargets()
    return result
  }

  // Without accept_host_key Go answers with the key to confirm, as an error.
  async function addHosted(input) {
    const result = await outcome(() => AddHostedTarget(input))
    if (result.ok) fetchTargets()
    return result
  }

  function hostedKeys(ref) {
    return outcome(async () => (await HostedKeys(ref)) ?? [])
  }

  // A failed check records the target as failing on the Go side.
  async function check(ref) {
    const result = await outcome(() => CheckTarget(ref))
    if (result.ok) replace(result.value)
    else fetchTargets()
    return result
  }

  async function remove(ref) {
    const result = await outcome(() => RemoveTarget(ref))
    if (result.ok) {
      items.value = items.value.filter((t) => t.name !== ref)
      fetchTargets()
    }
    return result
  }

  async function setRepoTarget(server, target) {
    const result = await outcome(() => SetRepoTarget(server, target))
    if (result.ok) fetchTargets()
    return result
  }

  return {
    items,
    repoTargets,
    loaded,
    loading,
    error,
    load: fetchTargets,
    addNode,
    addHosted,
    hostedKeys,
    check,
    remove,
    setRepoTarget,
    stop: subscription.stop,
  }
})
